"""Event definitions as organizers write them (YAML / JSON, format in ``docs/events.md``), the words they
use for outcomes and exports, and finding a participant by id, 统一社会信用代码 or name."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from matcher.domain import Role
from matcher.errors import NotFoundError, ValidationError
from matcher.events.model import Event, Participant
from matcher.events.outcomes import OutcomeKind

EventDefinition = Mapping[str, Any] | str | Path
EVENT_EXPORTS = ("master", "agendas", "shortlists", "ics", "html", "cards")
# 洽谈结果 as organizers say it -> the outcome kind; None: the meeting was not held
OUTCOME_RESULTS: dict[str, OutcomeKind | None] = {
    "意向": OutcomeKind.INTENTION,
    "试用": OutcomeKind.TRIAL,
    "签约": OutcomeKind.SIGNED,
    "无": OutcomeKind.NONE,
    "未举行": None,
}
_ROLE_LABELS = {r.label: r.value for r in Role} | {"龙头": "leading", "中小": "sme"}


def event_definition(source: EventDefinition) -> tuple[dict[str, Any], str | None]:
    """The definition as a dict for :class:`Event` and its park: reads a .yaml/.yml/.json file, expands
    ``tables: N`` into tables "1".."N" and accepts Chinese role labels (龙头企业 / 中小企业)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"对接会定义文件不存在：{path}")
        text = path.read_text(encoding="utf-8-sig")
        loaded = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        if not isinstance(loaded, dict):
            raise ValidationError(
                [f"{path.name}：顶层应为键值映射（id、name、sessions、tables、participants…）"]
            )
        source = loaded
    data = copy.deepcopy(dict(source))
    park = data.pop("park", None)
    if isinstance(data.get("tables"), int):
        data["tables"] = [{"id": str(i + 1)} for i in range(data["tables"])]
    for p in data.get("participants") or []:
        if isinstance(p, dict) and p.get("role") in _ROLE_LABELS:
            p["role"] = _ROLE_LABELS[p["role"]]
    return data, (str(park) if park else None)


def validated_event(data: Mapping[str, Any]) -> Event:
    try:
        return Event.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(
            [f"{'.'.join(str(x) for x in e['loc']) or '对接会'}：{e['msg']}" for e in exc.errors()]
        ) from None


def find_participant(event: Event, key: str, role: Role | None = None) -> Participant:
    """A participant by event id, 统一社会信用代码 or exact name (of ``role`` when given)."""
    for p in event.participants:
        if key in (p.id, p.enterprise_id, p.name) and (role is None or p.role == role):
            return p
    kind = role.label if role else "参会企业"
    raise NotFoundError(f"对接会“{event.id}”中没有{kind}“{key}”（可用编号、统一社会信用代码或企业名称）")
