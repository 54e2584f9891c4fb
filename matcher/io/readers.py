"""Read CSV, XLSX and JSON Lines into header/row tables, refusing unreadable files with Chinese messages.

Row numbers are the ones a person sees: in CSV and XLSX the header is row 1 and data starts at row 2; in
JSON Lines a row is its line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import time
import xml.etree.ElementTree as ET  # noqa: N817
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from matcher.errors import ImportRefusedError
from matcher.io.sheets import restore_cell

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class Limits(NamedTuple):
    """What one import file may hold; checked while rows stream, so a bomb is refused early.

    200,000 rows is more than the enterprises of the largest park groups (a whole province's registry
    is imported in several files); the widest import sheet has under 70 columns.
    """

    rows: int = 200_000
    columns: int = 200
    cells: int = 8_000_000
    unzipped_bytes: int = 300 * 1024 * 1024  # the XML inside an XLSX file, all parts together
    seconds: float = 300.0


LIMITS = Limits()
MAX_ROWS = LIMITS.rows
Check = Callable[[], None]  # called between rows; raises to stop (a cancelled job)


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


def read_tables(
    path: Path, *, encoding: str = "utf-8", limits: Limits = LIMITS, check: Check | None = None
) -> list[Table]:
    """The tables of a file. Raises ImportRefusedError for a missing, empty, undecodable or oversized
    file (``limits``); ``check`` is called every few hundred rows (a job's cancellation)."""
    if not path.exists():
        raise ImportRefusedError([f"文件不存在：{path}"])
    fmt = file_format(path)
    data = path.read_bytes()
    if not data.strip():
        raise ImportRefusedError([f"文件为空：{path.name}"])
    if fmt == "xlsx":
        return _read_xlsx(data, path.name, _Budget(limits, check))
    text = _decode(data, encoding, path.name)
    table = _read_csv(text, path.stem) if fmt == "csv" else _read_jsonl(text, path.stem)
    _check_size(table, limits)
    return [table]


def text_encoding_problem(encoding: str) -> str | None:
    """Why ``encoding`` cannot decode a text file (unknown, or a codec such as rot13 that is no text
    encoding), or None."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return f"未知的文件编码“{encoding}”（常用：utf-8、gb18030）"
    if not getattr(info, "_is_text_encoding", True):
        return f"“{encoding}”不是文本编码（常用：utf-8、gb18030）"
    return None


def _decode(data: bytes, encoding: str, name: str) -> str:
    problem = text_encoding_problem(encoding)
    if problem:
        raise ImportRefusedError([problem])
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
        values = [restore_cell(c) for c in cells]
        table.rows.append((number, dict(zip(table.headers, values, strict=False))))
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
    return Table(name, list(headers), rows)


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


class _Budget:
    """Counts rows and cells of one XLSX file as they stream and refuses it at the first limit passed."""

    def __init__(self, limits: Limits, check: Check | None) -> None:
        self.limits, self.check = limits, check
        self.deadline = time.monotonic() + limits.seconds
        self.cells = 0

    def row(self, sheet: str, number: int, width: int, cells: int) -> None:
        lim = self.limits
        if width > lim.columns:
            raise ImportRefusedError([f"{sheet}：第 {number} 行有 {width} 列，超过上限 {lim.columns} 列"])
        if number - 1 > lim.rows:
            raise ImportRefusedError(
                [f"{sheet}：行数（含空行）超过单次导入上限 {lim.rows} 行，请拆分文件后分批导入"]
            )
        self.cells += cells
        if self.cells > lim.cells:
            raise ImportRefusedError([f"{sheet}：单元格超过单次导入上限 {lim.cells} 个，请拆分文件"])

    def tick(self, sheet: str, number: int) -> None:
        """Every 500 rows: the time limit and the caller's check (a cancelled job)."""
        if number % 500:
            return
        if time.monotonic() > self.deadline:
            raise ImportRefusedError([f"{sheet}：读取超过 {self.limits.seconds:.0f} 秒仍未完成，请拆分文件"])
        if self.check is not None:
            self.check()


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def _column_number(ref: str | None) -> int:
    found = _CELL_REF.fullmatch(ref or "")
    if found is None:
        return 0
    n = 0
    for ch in found.group(1):
        n = n * 26 + ord(ch) - 64
    return n


def _prescan(data: bytes, name: str, budget: _Budget) -> None:
    """Stream every worksheet's XML once, row by row, refusing the file at the first limit passed.

    Runs before openpyxl opens the file: openpyxl parses a whole sheet that lacks a size declaration
    before the first row, and pads each row to a declared size (``A1:XFD1048576``) however empty."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            limit = budget.limits.unzipped_bytes
            if total > limit:
                raise ImportRefusedError(
                    [f"{name}：解压后 {total // 1024 // 1024} MB，超过上限 {limit // 1024 // 1024} MB，请拆分文件"]
                )
            for part in archive.namelist():
                if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                    with archive.open(part) as stream:
                        _scan_sheet(stream, Path(part).stem, budget)
    except (zipfile.BadZipFile, ET.ParseError, OSError, ValueError, EOFError):
        raise ImportRefusedError([f"无法读取 Excel 文件 {name}：不是有效的 XLSX 文件"]) from None


def _scan_sheet(stream: IO[bytes], sheet: str, budget: _Budget) -> None:
    parser: ET.XMLPullParser[Any] = ET.XMLPullParser(events=("end",))
    last = 0
    while chunk := stream.read(1 << 16):
        parser.feed(chunk)
        for event in parser.read_events():
            element: ET.Element = event[1]  # type: ignore[assignment,misc]  # "end" events carry elements
            if element.tag.rsplit("}", 1)[-1] != "row":
                continue
            number = int(element.get("r") or last + 1)
            cells = list(element)
            width = max((_column_number(c.get("r")) for c in cells), default=0) or len(cells)
            budget.row(sheet, number, width, len(cells))
            budget.tick(sheet, number)
            last = number
            element.clear()


def _read_xlsx(data: bytes, name: str, budget: _Budget) -> list[Table]:
    from openpyxl import load_workbook

    _prescan(data, name, budget)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken zip or sheet
        raise ImportRefusedError([f"无法读取 Excel 文件 {name}：{exc}"]) from None
    try:
        tables = [t for sheet in workbook.worksheets if (t := _read_sheet(sheet, budget)) is not None]
    finally:
        workbook.close()
    if not tables:
        raise ImportRefusedError([f"文件为空：{name} 没有任何带列名的工作表"])
    return tables


def _read_sheet(sheet: Any, budget: _Budget) -> Table | None:
    """One sheet's rows, each as long as its written cells (the declared size is not trusted)."""
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None or not any(h is not None and str(h).strip() for h in header_row):
        return None
    headers = ["" if h is None else str(h).strip() for h in header_row]
    table = Table(sheet.title, headers)
    for number, cells in enumerate(rows, start=2):
        budget.tick(sheet.title, number)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        table.rows.append((number, {h: restore_cell(c) for h, c in zip(headers, cells, strict=False) if h}))
    return table


def _check_size(table: Table, limits: Limits) -> None:
    if len(table.headers) > limits.columns:
        raise ImportRefusedError([f"{table.name}：有 {len(table.headers)} 列，超过上限 {limits.columns} 列"])
    if len(table.rows) > limits.rows:
        raise ImportRefusedError(
            [f"{table.name}：行数 {len(table.rows)} 超过单次导入上限 {limits.rows}，请拆分文件后分批导入"]
        )
