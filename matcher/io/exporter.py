"""Export parks, enterprises and demands as CSV, XLSX or JSON Lines, in the import format.

What ``export`` writes, ``import_file`` reads back to the same records (round trip exact). Files are
written to a temporary name and moved into place, so a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from matcher.errors import MatcherError
from matcher.io.cells import format_cell
from matcher.io.columns import KIND_LABELS, Column, Kind, columns
from matcher.io.sheets import safe_row
from matcher.store import Store
from matcher.store import repository as repo

Format = Literal["csv", "xlsx", "jsonl"]
Headers = Literal["zh", "en"]


def _value(record: BaseModel, col: Column) -> Any:
    value: Any = record
    for part in col.path:
        value = getattr(value, part)
    return value


def rows_of(
    kind: Kind, records: Sequence[BaseModel], *, headers: Headers, mode: str
) -> tuple[list[str], list[list[Any]]]:
    cols = columns(kind)
    names = [c.zh if headers == "zh" else c.en for c in cols]
    return names, [[format_cell(c, _value(r, c), mode=mode) for c in cols] for r in records]


def load_records(store: Store, kind: Kind) -> list[BaseModel]:
    with store.session() as session:
        if kind == "parks":
            return list(repo.list_parks(session))
        if kind == "enterprises":
            return [e.record for e in repo.list_enterprises(session)]
        return [d.record for d in repo.list_demands(session)]


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(batches: Mapping[Kind, Sequence[BaseModel]], fmt: Format, *, headers: Headers = "zh") -> bytes:
    """The bytes of an export file holding ``batches`` (CSV and JSON Lines: exactly one kind)."""
    if fmt != "xlsx" and len(batches) != 1:
        raise MatcherError(f"{fmt.upper()} 文件只能容纳一类数据，请用 --kind 指定，或导出为 xlsx")
    if fmt == "xlsx":
        return _xlsx(batches, headers)
    ((kind, records),) = batches.items()
    if fmt == "csv":
        names, rows = rows_of(kind, records, headers=headers, mode="text")
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(safe_row(row) for row in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly
    names, rows = rows_of(kind, records, headers=headers, mode="json")
    lines = [json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _xlsx(batches: Mapping[Kind, Sequence[BaseModel]], headers: Headers) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for kind, records in batches.items():
        sheet = workbook.create_sheet(KIND_LABELS[kind])
        names, rows = rows_of(kind, records, headers=headers, mode="xlsx")
        sheet.append(names)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(safe_row(row))
        sheet.freeze_panes = "A2"
        for i, name in enumerate(names, start=1):
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(
                10, min(40, len(name) * 2 + 2)
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(
    store: Store, output: Path, *, kinds: Sequence[Kind], fmt: Format, headers: Headers = "zh"
) -> dict[Kind, int]:
    """Write the stored records of ``kinds`` to ``output``; returns counts per kind."""
    batches = {kind: load_records(store, kind) for kind in kinds}
    write_atomic(output, render(batches, fmt, headers=headers))
    return {kind: len(records) for kind, records in batches.items()}
