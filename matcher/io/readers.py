"""Read CSV, XLSX and JSON Lines into header/row tables, refusing unreadable files with Chinese messages.

Row numbers are the ones a person sees: in CSV and XLSX the header is row 1 and data starts at row 2; in
JSON Lines a row is its line number.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.errors import ImportRefusedError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
MAX_ROWS = 1_000_000


@dataclass
class Table:
    """One sheet (or file) of rows; ``name`` is the sheet name, used to guess the record kind."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportRefusedError(
            [f"不支持的文件类型“{path.suffix or path.name}”：请使用 CSV、XLSX 或 JSON Lines（.jsonl）"]
        )
    return fmt


def read_tables(path: Path, *, encoding: str = "utf-8") -> list[Table]:
    """The tables of a file. Raises ImportRefusedError for a missing, empty or undecodable file."""
    if not path.exists():
        raise ImportRefusedError([f"文件不存在：{path}"])
    fmt = file_format(path)
    data = path.read_bytes()
    if not data.strip():
        raise ImportRefusedError([f"文件为空：{path.name}"])
    if fmt == "xlsx":
        return _read_xlsx(data, path.name)
    text = _decode(data, encoding, path.name)
    return [_read_csv(text, path.stem) if fmt == "csv" else _read_jsonl(text, path.stem)]


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = (
            "请用 Excel“另存为 CSV UTF-8”，或指定原编码 GB18030（网页上在“CSV 编码”中选 GB18030，"
            "命令行加 --encoding gb18030）"
            if encoding.startswith("utf")
            else ""
        )
        raise ImportRefusedError(
            [f"文件 {name} 不是 {encoding.upper()} 编码（第 {exc.start + 1} 字节无法解码）。{hint}"]
        ) from None
    return text.removeprefix("\ufeff")


def _read_csv(text: str, name: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = next(reader, [])
    if not any(h.strip() for h in headers):
        raise ImportRefusedError([f"{name}：第 1 行应为列名，实为空行"])
    table = Table(name, [h.strip() for h in headers])
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(headers):
            raise ImportRefusedError(
                [f"第 {number} 行：有 {len(cells)} 个单元格，多于列名的 {len(headers)} 个"]
            )
        table.rows.append((number, dict(zip(table.headers, cells, strict=False))))
    _check_size(table)
    return table


def _read_jsonl(text: str, name: str) -> Table:
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    headers: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"第 {number} 行：不是有效的 JSON（{exc.msg}，第 {exc.colno} 列）")
            continue
        if not isinstance(obj, dict):
            problems.append(f"第 {number} 行：应为 JSON 对象（{{...}}），实为 {type(obj).__name__}")
            continue
        flat = _flatten(obj)
        headers.update(dict.fromkeys(flat))
        rows.append((number, flat))
    if problems:
        raise ImportRefusedError(problems)
    table = Table(name, list(headers), rows)
    _check_size(table)
    return table


def _flatten(obj: dict[str, Any]) -> dict[str, Any]:
    """Nested objects (indicators, patents, contact) flattened to their leaf keys with English prefixes."""
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict) and key in ("indicators", "patents", "contact"):
            prefix = "" if key == "indicators" else f"{key}_"
            for sub_key, sub_value in _flatten(value).items():
                flat[sub_key if sub_key.startswith(("patents_", "contact_")) else prefix + sub_key] = (
                    sub_value
                )
        else:
            flat[key] = value
    return flat


def _read_xlsx(data: bytes, name: str) -> list[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken zip or sheet
        raise ImportRefusedError([f"无法读取 Excel 文件 {name}：{exc}"]) from None
    tables = []
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None or not any(h is not None and str(h).strip() for h in header_row):
            continue
        headers = ["" if h is None else str(h).strip() for h in header_row]
        table = Table(sheet.title, headers)
        for number, cells in enumerate(rows, start=2):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            table.rows.append((number, {h: c for h, c in zip(headers, cells, strict=False) if h}))
        _check_size(table)
        tables.append(table)
    workbook.close()
    if not tables:
        raise ImportRefusedError([f"文件为空：{name} 没有任何带列名的工作表"])
    return tables


def _check_size(table: Table) -> None:
    if len(table.rows) > MAX_ROWS:
        raise ImportRefusedError([f"{table.name}：行数 {len(table.rows)} 超过单次导入上限 {MAX_ROWS}"])
