"""Benchmark hostile spreadsheets: the streamed, limited reader against plain openpyxl (the old reader).

Run from the repository root: ``python benchmarks/bench_input.py [--timeout 60]``. Builds two XLSX files in
a temporary directory — one declaring ``A1:XFD1048576`` with a header and a cell in the last row, one of 1.5 million rows
(``<row><c><v>1</v></c></row>`` repeated, so the zip stays small) — and reads each in a fresh process with
``matcher.io.readers.read_tables`` and with the old way (``load_workbook(read_only=True)``, every row of
``iter_rows`` checked cell by cell for blanks, as ``matcher/io/readers.py`` did at commit 454534c; openpyxl
pads each row to the declared width). Prints one Markdown row per file and reader: file
size, wall time, peak memory of the process, and what happened (refused with which message, read, or
killed at the timeout). State the machine's load beside the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
CHILD = """
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
try:
    if sys.argv[1] == "streamed":
        from matcher.io.readers import read_tables
        tables = read_tables(Path(sys.argv[2]))
        outcome = f"read {sum(len(t.rows) for t in tables)} rows"
    else:
        from openpyxl import load_workbook
        workbook = load_workbook(sys.argv[2], read_only=True, data_only=True)
        rows = 0
        for sheet in workbook.worksheets:  # what matcher/io/readers.py did before (commit 454534c)
            for cells in sheet.iter_rows(values_only=True):
                if not all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    rows += 1
        outcome = f"read {rows} rows"
except Exception as exc:
    outcome = f"refused: {str(exc)[:70]}"
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _workbook(sheet_xml: bytes) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["园区名称"])  # type: ignore[union-attr]
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(
                info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            )
    return out.getvalue()


def files(folder: Path) -> dict[str, Path]:
    declared = HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr">'
    declared += "<is><t>园区名称</t></is></c></row>".encode()
    declared += b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>'
    many = HEAD + b"<sheetData>" + b"<row><c><v>1</v></c></row>" * 1_500_000 + b"</sheetData></worksheet>"
    out = {"declares A1:XFD1048576": folder / "declared.xlsx", "1.5M rows": folder / "rows.xlsx"}
    out["declares A1:XFD1048576"].write_bytes(_workbook(declared))
    out["1.5M rows"].write_bytes(_workbook(many))
    return out


def run(reader: str, path: Path, timeout: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, reader, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {
            "seconds": time.perf_counter() - started,
            "outcome": f"killed after {timeout:.0f} s",
            "peak_mb": None,
        }
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a reader is killed")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cores\n")
    print("| file | size | reader | seconds | peak MB | outcome |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in files(Path(tmp)).items():
            size = f"{path.stat().st_size / 1024:.0f} KB"
            for reader in ("openpyxl (old)", "streamed"):
                r = run("streamed" if reader == "streamed" else "baseline", path, args.timeout)
                peak = "—" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
                print(f"| {name} | {size} | {reader} | {r['seconds']:.1f} | {peak} | {r['outcome']} |")


if __name__ == "__main__":
    main()
