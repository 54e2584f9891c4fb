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
from matcher.events.model import MAX_TABLES, Event, Participant
from matcher.events.outcomes import OutcomeKind
from matcher.events.problems import chinese_problems

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


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a wrong date (2025-13-40) is reported by the model's
    validation, in Chinese and with its place, instead of failing inside the YAML reader."""


def _date_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def parse_definition(content: str | bytes, filename: str) -> dict[str, Any]:
    """A definition file's text (or an upload's bytes) as a mapping: JSON for ``.json``, YAML for ``.yaml``
    / ``.yml``; Chinese ValidationError for another suffix, bad encoding, bad syntax or a non-mapping."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ValidationError(
            [f"{filename}：对接会定义文件须为 .yaml、.yml 或 .json（格式见 docs/events.md）"]
        )
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise ValidationError([f"{filename}：文件须为 UTF-8 编码"]) from None
    try:
        loaded = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=_Loader)  # noqa: S506
    except json.JSONDecodeError as exc:
        raise ValidationError([f"{filename}：JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark is not None else ""
        raise ValidationError([f"{filename}：YAML 格式错误{where}"]) from None
    if not isinstance(loaded, dict):
        raise ValidationError([f"{filename}：顶层应为键值映射（id、name、sessions、tables、participants…）"])
    return loaded


def event_definition(source: EventDefinition) -> tuple[dict[str, Any], str | None]:
    """The definition as a dict for :class:`Event` and its park: reads a .yaml/.yml/.json file, expands
    ``tables: N`` into tables "1".."N" and accepts Chinese role labels (龙头企业 / 中小企业)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"对接会定义文件不存在：{path}")
        source = parse_definition(path.read_bytes(), path.name)
    data = copy.deepcopy(dict(source))
    people = data.get("participants")
    if people is not None and not (isinstance(people, list) and all(isinstance(p, dict) for p in people)):
        raise ValidationError(["参会企业（participants）应为列表，每项是一个键值映射（id、enterprise_id…）"])
    park = data.pop("park", None)
    if isinstance(data.get("tables"), int):
        # never more than one past the bound: the model then says "最多 200 项" with the other problems
        data["tables"] = [{"id": str(i + 1)} for i in range(min(data["tables"], MAX_TABLES + 1))]
    for p in data.get("participants") or []:
        if isinstance(p, dict) and p.get("role") in _ROLE_LABELS:
            p["role"] = _ROLE_LABELS[p["role"]]
    return data, (str(park) if park else None)


def validated_event(data: Mapping[str, Any]) -> Event:
    try:
        return Event.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(chinese_problems(exc.errors(), Event, data)) from None


def with_min_meetings(event: Event, k: int) -> Event:
    """``event`` with k (meetings every SME should get) set and the whole event validated again, so an
    impossible k (negative, more than the slots) is refused in Chinese instead of saved."""
    return validated_event({**event.model_dump(), "min_meetings_per_sme": k})


def find_participant(event: Event, key: str, role: Role | None = None) -> Participant:
    """A participant by event id, 统一社会信用代码 or exact name (of ``role`` when given)."""
    for p in event.participants:
        if key in (p.id, p.enterprise_id, p.name) and (role is None or p.role == role):
            return p
    kind = role.label if role else "参会企业"
    raise NotFoundError(f"对接会“{event.id}”中没有{kind}“{key}”（可用编号、统一社会信用代码或企业名称）")
