"""After the event: the outcome of each meeting, the event report, and labels for the ranker.

Outcomes are 意向 (intention), 试用 (先试首用, a first trial of the SME's product), 签约 (signed) or 无. They
are kept per meeting so the ranker can learn which matches turned into business (``ranker_labels``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from matcher.events.model import Event
from matcher.events.schedule import Schedule


class OutcomeKind(StrEnum):
    NONE = "none"
    INTENTION = "intention"
    TRIAL = "trial"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return {"none": "无", "intention": "意向", "trial": "试用（先试首用）", "signed": "签约"}[self.value]

    @property
    def grade(self) -> int:
        """Graded relevance for learning to rank: 无 0 < 意向 1 < 试用 2 < 签约 3."""
        return ["none", "intention", "trial", "signed"].index(self.value)


class Outcome(BaseModel):
    """洽谈结果: whether a scheduled meeting was held, and what came of it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    event_id: str
    buyer_id: str
    sme_id: str
    slot: int = Field(ge=0)
    held: bool = True
    kind: OutcomeKind = OutcomeKind.NONE
    note: str = ""
    recorded_at: dt.datetime | None = None


def record_outcome(outcomes: Sequence[Outcome], new: Outcome) -> list[Outcome]:
    """The outcome list with ``new`` replacing any earlier record of the same meeting."""
    key = (new.event_id, new.buyer_id, new.sme_id)
    return [o for o in outcomes if (o.event_id, o.buyer_id, o.sme_id) != key] + [new]


class EventReport(NamedTuple):
    planned: int
    held: int
    not_held: int
    intentions: int
    trials: int
    signed: int
    smes_met: int
    unmet_musts: int
    by_buyer: dict[str, Counter[str]]

    def lines(self) -> list[str]:
        """The summary in Chinese, one line per figure."""
        return [
            f"计划洽谈 {self.planned} 场，实际举行 {self.held} 场，未举行 {self.not_held} 场",
            f"达成意向 {self.intentions} 项，试用（先试首用）{self.trials} 项，签约 {self.signed} 项",
            f"参与洽谈的中小企业 {self.smes_met} 家，未满足的“必须见” {self.unmet_musts} 项",
        ]


def event_report(event: Event, schedule: Schedule, outcomes: Sequence[Outcome]) -> EventReport:
    """Counts of planned, held, 意向, 试用, 签约 meetings, overall and per leading firm.

    A meeting without a recorded outcome counts as planned but not held.
    """
    planned = {(m.buyer_id, m.sme_id) for m in schedule.meetings}
    mine = {(o.buyer_id, o.sme_id): o for o in outcomes if o.event_id == event.id}
    held = [o for key, o in mine.items() if key in planned and o.held]
    kinds = Counter(o.kind for o in held)
    by_buyer: dict[str, Counter[str]] = {}
    for o in held:
        by_buyer.setdefault(o.buyer_id, Counter())[o.kind.label] += 1
    return EventReport(
        planned=len(planned),
        held=len(held),
        not_held=len(planned) - len(held),
        intentions=kinds[OutcomeKind.INTENTION],
        trials=kinds[OutcomeKind.TRIAL],
        signed=kinds[OutcomeKind.SIGNED],
        smes_met=len({o.sme_id for o in held}),
        unmet_musts=len(schedule.unmet_musts),
        by_buyer=by_buyer,
    )


class RankerLabel(NamedTuple):
    buyer_id: str
    sme_id: str
    grade: int


def ranker_labels(outcomes: Sequence[Outcome]) -> list[RankerLabel]:
    """Graded (buyer, SME) labels from held meetings, the best outcome per pair across events."""
    best: dict[tuple[str, str], int] = {}
    for o in outcomes:
        if o.held:
            key = (o.buyer_id, o.sme_id)
            best[key] = max(best.get(key, 0), o.kind.grade)
    return [RankerLabel(b, s, g) for (b, s), g in sorted(best.items())]
