"""Pydantic's complaints about an event definition, said in Chinese with the field titles of the model.

Organizers write definitions by hand; "sessions.0.day: Input should be a valid date" helps nobody, so each
error becomes "场次（sessions）第 1 项 · 日期（day）：应为有效日期（如 2025-07-16）". Pure functions of the error list.

>>> from matcher.events.model import Event
>>> try:
...     Event.model_validate({"id": "E1", "name": "n", "sessions": [], "tables": 2})
... except Exception as exc:
...     chinese_problems(exc.errors(), Event)[0]
'场次（sessions）：至少需要 1 项'
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from matcher.io.validate import what_is_wrong

# Where a hand-written definition needs a hint beyond the general wording (matcher.io.validate)
_WORDS = {
    "extra_forbidden": "不认识的字段（请对照 docs/events.md 检查拼写）",
    "bool_parsing": "应为是/否（true / false）",
    "string_type": "应为文字（统一社会信用代码等编号请加引号）",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "time_parsing": '应为有效时间（如 "09:00"，请加引号）',
    "time_type": '应为有效时间（如 "09:00"，请加引号）',
}
_CHOICES = {  # enum fields, by name: the Chinese words the definition accepts
    "role": "应为 龙头企业、中小企业 或 其他（也可写 leading / sme / other）",
    "level": "应为 must（必须见）、want（想见）或 no（不见）",
}


def _message(error: Mapping[str, Any]) -> str:
    loc = error.get("loc") or ("",)
    if error["type"] == "enum" and loc[-1] in _CHOICES:
        return _CHOICES[str(loc[-1])]
    return what_is_wrong(error, _WORDS)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``list[Model]``, ``Model | None``…, to keep walking an error's location."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _where(loc: Sequence[str | int], model: type[BaseModel] | None, data: Any) -> str:
    """ "sessions.0.day" -> "场次（sessions）第 1 项 · 日期（day）"; list items show their ``id`` when they have one."""
    parts: list[str] = []
    for step in loc:
        if isinstance(step, int):
            item = data[step] if isinstance(data, list) and 0 <= step < len(data) else None
            data = item
            named = f"（{item['id']}）" if isinstance(item, dict) and item.get("id") else ""
            parts[-1:] = [f"{parts[-1] if parts else ''}第 {step + 1} 项{named}"]
            continue
        field = model.model_fields.get(step) if model else None
        parts.append(f"{field.title}（{step}）" if field and field.title else str(step))
        model = _inner_model(field.annotation) if field else None
        data = data.get(step) if isinstance(data, dict) else None
    return " · ".join(parts)


def chinese_problems(
    errors: Sequence[Mapping[str, Any]], model: type[BaseModel], data: Any = None
) -> list[str]:
    """One Chinese line per pydantic error: where (field titles of ``model``) and what is wrong."""
    out = []
    for e in errors:
        where = _where(e.get("loc", ()), model, data) or "对接会定义"
        out.append(f"{where}：{_message(e)}")
    return out
