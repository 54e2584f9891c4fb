"""Control characters in text fields: refused on input, dropped from what was stored before the rule.

A NUL in a title or a vertical tab in a capacity cannot be written to an XLSX file, and a line break in an
event's name or venue breaks every calendar file built from it. So every text field of the domain records,
event definitions and API bodies refuses C0/C1 control characters and DEL; fields meant to hold several
lines (descriptions, capabilities, notes) keep line breaks (``\\r\\n`` read as ``\\n``) and tabs.

Records read back from the store are validated with :data:`STORED`; there the characters are dropped
instead, so rows saved before this rule still load, display and export.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, ValidationInfo

# Fields that may hold several lines; everything else is one line.
MULTILINE = frozenset(
    {"description", "spec", "problem", "target_indicators", "capabilities", "capacity", "note"}
    | {"specs", "scope", "criteria"}  # innovation products and trial plans (matcher.trials)
)
STORED = {"stored": True}  # validation context of records read back from the store

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMES = {"\n": "换行", "\r": "回车", "\t": "制表符", "\x00": "空字符"}


def _pattern(multiline: bool) -> re.Pattern[str]:
    return _CONTROL_BUT_LINES if multiline else _ANY_CONTROL


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """A Chinese description of the first control character in ``value``, or None when it is clean."""
    found = _pattern(multiline).search(value.replace("\r\n", "\n") if multiline else value)
    if found is None:
        return None
    ch = found.group()
    name = _NAMES.get(ch, "控制字符")
    return f"含有{name}（U+{ord(ch):04X}，第 {found.start() + 1} 个字符），请删除后再提交"


def strip_controls(value: str, *, multiline: bool = False) -> str:
    """``value`` without the characters :func:`text_problem` refuses (one-line fields: breaks as spaces)."""
    if multiline:
        return _CONTROL_BUT_LINES.sub("", value.replace("\r\n", "\n"))
    return _ANY_CONTROL.sub("", re.sub(r"[\r\n\t]+", " ", value))


def checked_text(value: str, *, multiline: bool = False, stored: bool = False) -> str:
    """``value`` as it may be saved: raises ValueError (Chinese) on control characters, or drops them
    when ``stored`` (a row written before the rule)."""
    if stored:
        return strip_controls(value, multiline=multiline)
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValueError(problem)
    return value.replace("\r\n", "\n") if multiline else value


def clean_field(value: Any, info: ValidationInfo) -> Any:
    """A pydantic ``field_validator("*")`` body: checks the strings of a field (alone or in a list)."""
    multiline = info.field_name in MULTILINE
    stored = bool(info.context and info.context.get("stored"))
    if type(value) is str:  # not an enumeration member (a str subclass)
        return checked_text(value, multiline=multiline, stored=stored)
    if isinstance(value, list) and any(type(v) is str for v in value):
        return [checked_text(v, multiline=multiline, stored=stored) if type(v) is str else v for v in value]
    return value


def _line(value: str) -> str:
    return checked_text(value)


def _lines(value: str) -> str:
    return checked_text(value, multiline=True)


# For API bodies outside the domain records: one line, or several.
Line = Annotated[str, AfterValidator(_line)]
Lines = Annotated[str, AfterValidator(_lines)]
