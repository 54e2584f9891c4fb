"""Cells that are safe to open in a spreadsheet: the one place every CSV and XLSX exporter passes text through.

OWASP's CSV-injection rule: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel and WPS as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), so it is written with a
leading apostrophe, which shows the text as typed. Plain numbers (``-3.5``) are left alone. Control
characters an XLSX file cannot hold (rows stored before input validation refused them) are dropped, so
an export never fails on old data. Importing a CSV or XLSX file takes the apostrophe off again
(:func:`restore_cell`), so export then import gives back the same records.

>>> safe_cell("=1+1"), safe_cell("-3.5"), restore_cell("'=1+1")
("'=1+1", '-3.5', '=1+1')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?")
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in XLSX (XML 1.0)


def safe_cell(value: Any) -> Any:
    """``value`` as an exported cell: text without unwritable characters, formula-looking text quoted."""
    if not isinstance(value, str):
        return value
    text = _UNWRITABLE.sub("", value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def restore_cell(value: Any) -> Any:
    """An imported cell with the apostrophe :func:`safe_cell` added taken off again."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value
