"""供需对接会的事件模型: an event's days, sessions, slots, tables, participants, preferences, candidates.

Pydantic models so the lead can persist an event as JSON (``event_to_json`` / ``event_from_json``).
Slots are numbered 0..n-1 across all sessions in order; availability and schedules refer to those numbers.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from matcher.domain.clean import STORED, clean_field
from matcher.domain.models import Role


class Level(StrEnum):
    """A participant's wish about a candidate: 必须见 / 想见 / 不见."""

    MUST = "must"
    WANT = "want"
    NO = "no"

    @property
    def label(self) -> str:
        return {"must": "必须见", "want": "想见", "no": "不见"}[self.value]


# What one event may hold (docs/events.md): a park's largest 对接会 has a few hundred firms at some tens
# of tables over two days; the bounds leave room and keep a single definition from tying up the server.
MAX_SESSIONS = 20
MAX_SLOTS = 200  # across all sessions
MAX_TABLES = 200
MAX_PARTICIPANTS = 2_000
MAX_PREFERENCES = 50_000
MAX_CANDIDATES = 200_000
MAX_NAME = 200


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_controls(cls, value: Any, info: ValidationInfo) -> Any:
        return clean_field(value, info)


class Session(_Model):
    """场次: a run of consecutive slots on one day, e.g. 上午场 09:00, six slots."""

    day: dt.date = Field(title="日期")
    start: dt.time = Field(title="开始时间")
    slot_count: int = Field(ge=1, le=96, title="时段数")
    label: str = Field(default="", max_length=50, title="场次名称")


class Table(_Model):
    """洽谈桌: one table hosts one meeting per slot."""

    id: str = Field(min_length=1, max_length=32, title="桌号")
    name: str = Field(default="", max_length=100, title="名称")

    @property
    def display(self) -> str:
        return self.name or f"{self.id}号桌"


class Participant(_Model):
    """参会企业: a leading firm (buyer side), an SME (supplier side) or another attendee (not scheduled)."""

    id: str = Field(min_length=1, max_length=64, title="编号")
    name: str = Field(min_length=1, max_length=MAX_NAME, title="企业名称")
    role: Role = Field(title="角色")
    enterprise_id: str | None = Field(default=None, max_length=64, title="企业库编号")
    demands: list[str] = Field(default_factory=list, max_length=50, title="携带需求")
    available_slots: list[int] | None = Field(default=None, max_length=MAX_SLOTS, title="可参会时段")
    max_meetings: int | None = Field(default=None, ge=0, le=MAX_SLOTS, title="洽谈上限")
    contact: str = Field(default="", max_length=MAX_NAME, title="联系人")


class Preference(_Model):
    """One side's wish about one counterpart; a NO from either side removes the pair."""

    participant_id: str = Field(max_length=64, title="提出方")
    target_id: str = Field(max_length=64, title="对象")
    level: Level = Field(title="意愿")


class Candidate(_Model):
    """A scored buyer-SME pair from the matching engine (score in [0, 1]) with Chinese reasons."""

    buyer_id: str
    sme_id: str
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list)


class Slot(NamedTuple):
    number: int
    session: int
    start: dt.datetime
    end: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.start:%m月%d日 %H:%M}-{self.end:%H:%M}"


class Event(_Model):
    """对接会: everything the scheduler needs, and nothing about storage or HTTP."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    id: str = Field(min_length=1, max_length=64, title="编号")
    name: str = Field(min_length=1, max_length=MAX_NAME, title="名称")
    venue: str = Field(default="", max_length=MAX_NAME, title="地点")
    timezone: str = Field(default="Asia/Shanghai", max_length=64, title="时区")
    slot_minutes: int = Field(default=20, ge=5, le=240, title="每时段分钟数")
    gap_minutes: int = Field(default=0, ge=0, le=120, title="时段间隔分钟数")
    sessions: list[Session] = Field(min_length=1, max_length=MAX_SESSIONS, title="场次")
    tables: list[Table] = Field(min_length=1, max_length=MAX_TABLES, title="洽谈桌")
    participants: list[Participant] = Field(
        default_factory=list, max_length=MAX_PARTICIPANTS, title="参会企业"
    )
    preferences: list[Preference] = Field(default_factory=list, max_length=MAX_PREFERENCES, title="意愿")
    candidates: list[Candidate] = Field(default_factory=list, max_length=MAX_CANDIDATES, title="候选对接")
    min_meetings_per_sme: int = Field(default=1, ge=0, le=MAX_SLOTS, title="每家中小企业至少洽谈次数")
    min_score: float = Field(
        default=0.0, ge=0.0, le=100.0, title="最低匹配分（0-100）"
    )  # on the 0-100 scale pair scores are shown on; below it: no meeting (musts aside)

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        problems = _problems(self)
        if problems:
            raise ValueError("；".join(problems))
        return self

    @property
    def slot_count(self) -> int:
        return sum(s.slot_count for s in self.sessions)

    def slots(self) -> list[Slot]:
        """All slots in order with their start and end times (naive local time of ``timezone``)."""
        out: list[Slot] = []
        step = dt.timedelta(minutes=self.slot_minutes + self.gap_minutes)
        length = dt.timedelta(minutes=self.slot_minutes)
        for si, session in enumerate(self.sessions):
            first = dt.datetime.combine(session.day, session.start)
            for i in range(session.slot_count):
                start = first + i * step
                out.append(Slot(len(out), si, start, start + length))
        return out

    @property
    def by_id(self) -> dict[str, Participant]:
        """Participants by id, built on each call: a cached copy would survive ``model_copy`` and go stale."""
        return {p.id: p for p in self.participants}

    def of_role(self, role: Role) -> list[Participant]:
        return [p for p in self.participants if p.role == role]

    def available(self, participant: Participant) -> set[int]:
        """Slot numbers the participant can attend."""
        if participant.available_slots is None:
            return set(range(self.slot_count))
        return set(participant.available_slots)

    def table_name(self, table_id: str) -> str:
        return next((t.display for t in self.tables if t.id == table_id), table_id)


def _problems(event: Event) -> list[str]:
    problems: list[str] = []
    ids = [p.id for p in event.participants]
    if len(ids) != len(set(ids)):
        problems.append("参会企业编号重复")
    if len({t.id for t in event.tables}) != len(event.tables):
        problems.append("洽谈桌编号重复")
    n = event.slot_count
    if n > MAX_SLOTS:
        problems.append(f"各场次时段数合计 {n}，超过上限 {MAX_SLOTS}")
    for p in event.participants:
        bad = [s for s in p.available_slots or [] if not 0 <= s < n]
        if bad:
            problems.append(f"{p.name} 的可参会时段 {bad} 超出范围 0..{n - 1}")
    known = set(ids)
    for pref in event.preferences:
        if pref.participant_id not in known or pref.target_id not in known:
            problems.append(f"意愿引用了不存在的企业：{pref.participant_id} → {pref.target_id}")
    return problems


def event_to_json(event: Event) -> str:
    """The event as a JSON string (UTF-8 Chinese kept readable)."""
    return event.model_dump_json(indent=None)


def event_from_json(text: str | bytes) -> Event:
    """Inverse of :func:`event_to_json`; validates like construction does."""
    return Event.model_validate_json(text, context=STORED)
