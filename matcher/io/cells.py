"""One cell at a time: spreadsheet text (or a JSON value) to a typed value, and back.

Lists are written with ``；`` between items and read with any of ``; ； 、 , ，`` (products only with
semicolons, since product names may hold commas). Products are ``名称:占比`` with the share as a fraction
(``正极材料:0.6``) or a percentage (``正极材料:60%``). Enumerations are written as their Chinese label
and read as label or English value. Booleans: 是/否, true/false, 1/0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import Enum
from typing import Any

from matcher.io.columns import PRODUCT_TYPE, Column

LIST_SPLIT = re.compile(r"[;；、,，\n]")
PRODUCT_SPLIT = re.compile(r"[;；\n]")
TRUE = {"是", "有", "true", "yes", "y", "1", "√"}
FALSE = {"否", "无", "false", "no", "n", "0", "×"}


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and names the column."""


def is_blank(raw: Any) -> bool:
    return (
        raw is None
        or (isinstance(raw, str) and not raw.strip())
        or (isinstance(raw, float) and math.isnan(raw))
    )


def parse_cell(col: Column, raw: Any) -> Any:
    """The typed value of ``raw`` for ``col``; None for a blank cell."""
    if is_blank(raw):
        return [] if col.type in (list[str], PRODUCT_TYPE) else None
    tp = col.type
    if tp is str:
        return _text(raw)
    if tp is int:
        return _integer(col, raw)
    if tp is float:
        return _number(col, raw)
    if tp is bool:
        return _boolean(col, raw)
    if tp is dt.date:
        return _date(col, raw)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum(col, tp, raw)
    if tp == list[str]:
        return raw if isinstance(raw, list) else [p.strip() for p in LIST_SPLIT.split(str(raw)) if p.strip()]
    if tp == PRODUCT_TYPE:
        return _products(col, raw)
    raise CellError(f"{col.zh}：不支持的类型 {tp}")


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _number(col: Column, raw: Any) -> float:
    if isinstance(raw, bool):
        raise CellError(f"{col.zh}应为数字，实为 {raw!r}")
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().replace(",", "").replace("，", "")
    text = text.removesuffix("%")
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"{col.zh}应为数字，实为“{raw}”") from None
    if not math.isfinite(value):
        raise CellError(f"{col.zh}应为有限数字，实为“{raw}”")
    return value


def _integer(col: Column, raw: Any) -> int:
    value = _number(col, raw)
    if not value.is_integer():
        raise CellError(f"{col.zh}应为整数，实为“{raw}”")
    return int(value)


def _boolean(col: Column, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError(f"{col.zh}应填“是”或“否”，实为“{raw}”")


def _date(col: Column, raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip().replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise CellError(f"{col.zh}应为日期（如 2025-06-30），实为“{raw}”") from None


def _enum(col: Column, tp: type[Enum], raw: Any) -> Enum:
    text = str(raw).strip()
    for member in tp:
        if text in (member.value, getattr(member, "label", None)) or text.lower() == str(member.value):
            return member
    allowed = "、".join(getattr(m, "label", str(m.value)) for m in tp)
    raise CellError(f"{col.zh}取值“{raw}”无效，应为：{allowed}")


def _products(col: Column, raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, list):
        return raw
    products = []
    for part in PRODUCT_SPLIT.split(str(raw)):
        part = part.strip()
        if not part:
            continue
        name, sep, share = part.rpartition(":") if ":" in part else part.rpartition("：")
        if not sep:
            products.append({"name": part, "share": None})
            continue
        share = share.strip()
        try:
            value = float(share[:-1]) / 100 if share.endswith("%") else float(share)
        except ValueError:
            raise CellError(
                f"{col.zh}“{part}”的营收占比应为数字（如 正极材料:0.6 或 正极材料:60%）"
            ) from None
        products.append({"name": name.strip(), "share": value})
    return products


def format_cell(col: Column, value: Any, *, mode: str = "text") -> Any:
    """The cell for ``value``: ``text`` (CSV), ``xlsx`` (numbers and dates native) or ``json``."""
    if value is None:
        return "" if mode == "text" else None
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, bool):
        return value if mode == "json" else ("是" if value else "否")
    if col.type == PRODUCT_TYPE:
        if mode == "json":
            return [p.model_dump() for p in value]
        return "；".join(p.name if p.share is None else f"{p.name}:{p.share!r}" for p in value)
    if isinstance(value, list):
        return list(value) if mode == "json" else "；".join(value)
    if isinstance(value, dt.date):
        return value if mode == "xlsx" else value.isoformat()
    if isinstance(value, int | float):
        return repr(value) if mode == "text" else value
    return str(value)
