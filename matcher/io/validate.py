"""Rows to domain records: every row checked, every problem reported once with its row number.

Nothing here touches the store; cross-checks against what is already stored live in ``importer``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from matcher.errors import ValidationError
from matcher.io.cells import CellError, parse_cell
from matcher.io.columns import KIND_LABELS, MODELS, Column, Kind, columns, find_column
from matcher.io.readers import Table

M = TypeVar("M", bound=BaseModel)


@dataclass
class Checked:
    """The valid records of a table (with their row numbers), the problems of the others, and which
    column each of the file's headers was read as (header -> the column's Chinese title)."""

    kind: Kind
    records: list[tuple[int, BaseModel]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)


def header_problems(kind: Kind, headers: list[str]) -> tuple[dict[str, Column], list[str]]:
    """Map headers to columns (titles, aliases: ``columns.find_column``); unknown, repeated and missing
    required columns, and a known column in another unit, are problems."""
    mapping: dict[str, Column] = {}
    problems: list[str] = []
    seen: dict[str, str] = {}
    for header in headers:
        if not header:
            continue
        col, problem = find_column(kind, header)
        if problem:
            problems.append(problem)
        elif col is None:
            problems.append(f"未知列“{header}”（{KIND_LABELS[kind]}表可用的列见 README“数据格式”一节）")
        elif col.key in seen:
            problems.append(f"列“{header}”与“{seen[col.key]}”是同一列（{col.zh}），请只保留一列")
        else:
            seen[col.key] = header
            mapping[header] = col
    missing = [c.zh for c in columns(kind) if c.required and c.key not in seen]
    if missing:
        problems.append(f"缺少必填列：{'、'.join(missing)}")
    return mapping, problems


def _nest(values: dict[Column, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for col, value in values.items():
        target = nested
        for part in col.path[:-1]:
            target = target.setdefault(part, {})
        if value is not None:
            target[col.path[-1]] = value
    return nested


def _titles(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The Chinese title of the field at ``loc`` (e.g. indicators.revenue -> 营业收入（万元）)."""
    current: Any = model
    title = ""
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            break
        info = fields[part]
        title = info.title or str(part)
        current = info.annotation
        args = getattr(current, "__args__", None)
        if args:
            current = next((a for a in args if hasattr(a, "model_fields")), current)
    return title


# What a value should have been, per pydantic error type (never pydantic's English text)
_SHOULD_BE = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为“是”或“否”",
    "bool_type": "应为“是”或“否”",
    "date_parsing": "应为日期（如 2026-09-30）",
    "date_from_datetime_parsing": "应为日期（如 2026-09-30）",
    "date_type": "应为日期（如 2026-09-30）",
    "datetime_parsing": "应为日期时间（如 2026-09-30 14:00）",
    "datetime_from_date_parsing": "应为日期时间（如 2026-09-30 14:00）",
    "time_parsing": "应为时间（如 14:00）",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "格式不正确",
    "model_type": "格式不正确",
    "model_attributes_type": "格式不正确",
    "json_invalid": "不是有效的 JSON",
    "url_parsing": "应为网址",
    "string_pattern_mismatch": "格式不正确",
    "uuid_parsing": "格式不正确",
    "extra_forbidden": "不是可用的字段",
}


def _printable(value: Any, limit: int = 40) -> Any:
    """A value as it may be quoted back: short, and valid UTF-8 (a lone surrogate becomes "?")."""
    if value is None or isinstance(value, dict | list | int | float):
        return value
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


def what_is_wrong(error: Mapping[str, Any], words: Mapping[str, str] | None = None) -> str:
    """What is wrong with one value, in Chinese, without naming the field (``应不小于 1（实为 0）``): the one
    translator of pydantic's errors; ``words`` replaces the fixed wording of some error types where the
    reader's context needs a hint (event definitions are hand-written YAML: "请加引号")."""
    ctx = error.get("ctx") or {}
    value = _printable(error.get("input"))
    kind = error["type"]
    if words and kind in words:
        return words[kind]
    if kind == "value_error":
        return str(ctx.get("error", "")).removeprefix("Value error, ") or "无效"
    if kind == "missing":
        return "为必填项"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        if bound == 0:
            return f"不能为负数（实为 {value}）"
        return f"应{'不小于' if kind == 'greater_than_equal' else '大于'} {bound}（实为 {value}）"
    if kind in ("less_than_equal", "less_than"):
        return f"应{'不大于' if kind == 'less_than_equal' else '小于'} {ctx.get('le', ctx.get('lt'))}（实为 {value}）"
    if kind == "string_too_long":
        return f"过长（最多 {ctx.get('max_length')} 个字符）"
    if kind == "too_long":
        return f"过多（最多 {ctx.get('max_length')} 项）"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length', 1)} 项"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "给定的选项")).replace(" or ", " 或 ")
        return f"应为 {expected} 之一（实为 “{value}”）"
    should = _SHOULD_BE.get(kind, "无效")
    shown = "" if value is None or isinstance(value, dict | list) else f"（实为 “{value}”）"
    return f"{should}{shown}"


def problem_text(error: Mapping[str, Any], title: str) -> str:
    """One pydantic error in Chinese, naming the field by ``title`` (e.g. 数量应为数字（实为 “十”）); a
    validator's own message already names it (统一社会信用代码校验位错误…) and is said as it is."""
    if error["type"] == "value_error":
        return what_is_wrong(error) if error.get("ctx", {}).get("error") else f"{title}无效"
    return f"{title}{what_is_wrong(error)}"


def pydantic_messages(model: type[BaseModel], error: PydanticError) -> list[str]:
    """Pydantic's errors in Chinese, one per problem, naming the field by its Chinese title."""
    return [problem_text(err, _titles(model, tuple(err["loc"]))) for err in error.errors()]


def check_table(kind: Kind, table: Table, *, on_row: Callable[[int], None] | None = None) -> Checked:
    """Validate every row of ``table`` as a ``kind`` record; ``on_row(rows checked)`` follows each row.

    Header problems do not stop the rows being checked (every problem of a file in one answer): unknown
    columns are left out, and a missing required column is reported once, not again on every row.
    """
    mapping, problems = header_problems(kind, table.headers)
    checked = Checked(kind, mapping={h: c.zh for h, c in mapping.items()})
    checked.problems = [f"{table.name}：{p}" for p in problems]
    absent = {f"{c.zh}为必填项" for c in columns(kind) if c.required and c not in mapping.values()}
    model = MODELS[kind]
    for done, (number, row) in enumerate(table.rows, start=1):
        values: dict[Column, Any] = {}
        row_problems: list[str] = []
        for header, raw in row.items():
            col = mapping.get(header)
            if col is None:
                continue
            try:
                values[col] = parse_cell(col, raw)
            except CellError as exc:
                row_problems.append(str(exc))
        if not row_problems:
            try:
                record = model.model_validate(_nest(values))
            except PydanticError as exc:
                row_problems = [p for p in pydantic_messages(model, exc) if p not in absent]
            else:  # with header problems too: kept for the cross-row checks, the file is refused anyway
                checked.records.append((number, record))
        checked.problems += [f"第 {number} 行：{p}" for p in row_problems]
        if on_row is not None:
            on_row(done)
    return checked


def validated(model: type[M], data: Mapping[str, Any] | M) -> M:
    """``data`` as ``model``, or ValidationError with one Chinese message per problem."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(dict(data))  # type: ignore[arg-type]
    except PydanticError as exc:
        raise ValidationError(pydantic_messages(model, exc)) from exc
