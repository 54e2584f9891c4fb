"""The result of scheduling: meetings (pair, slot, table), the solver's report, unmet must-meets.

Pydantic models so a schedule persists as JSON next to its event. ``finish`` turns a solver's
(buyer, SME, slot) triples into a full Schedule: tables assigned, objective counted, must-meets checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.models import Role
from matcher.events.model import Event
from matcher.events.pairs import PairSet, UnmetMust, Weights, objective
from matcher.events.tables import assign_tables


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Meeting(_Model):
    """一场洽谈: one buyer, one SME, one slot, one table."""

    buyer_id: str
    sme_id: str
    slot: int = Field(ge=0)
    table_id: str
    value: int = 0
    must: bool = False


STATUS_LABELS = {
    "OPTIMAL": "最优解（已证明）",
    "FEASIBLE": "可行解（时限内未证明最优）",
    "INFEASIBLE": "无可行解",
    "UNKNOWN": "未知",
}


class SolveStats(_Model):
    """What the solver reports: status, objective, best bound and relative gap (None for heuristics)."""

    solver: str
    status: str
    objective: int
    bound: int | None = None
    gap: float | None = None
    seconds: float = 0.0
    value: int = 0
    musts_met: int = 0
    fairness_units: int = 0
    pairs_considered: int = 0

    @property
    def status_label(self) -> str:
        """The status in Chinese (heuristic schedules keep their own name)."""
        return STATUS_LABELS.get(self.status, self.status)


class MissedMust(_Model):
    buyer_id: str
    sme_id: str
    reason: str


class Schedule(_Model):
    event_id: str
    meetings: list[Meeting] = Field(default_factory=list)
    stats: SolveStats
    unmet_musts: list[MissedMust] = Field(default_factory=list)
    sme_shortfall: dict[str, int] = Field(default_factory=dict, description="SME id -> meetings below k")

    def of(self, participant_id: str) -> list[Meeting]:
        """A participant's meetings in slot order."""
        mine = [m for m in self.meetings if participant_id in (m.buyer_id, m.sme_id)]
        return sorted(mine, key=lambda m: m.slot)


Triple = tuple[str, str, int]


def finish(
    event: Event,
    triples: Sequence[Triple],
    pairset: PairSet,
    stats: SolveStats,
    *,
    fixed: Sequence[Meeting] = (),
    weights: Weights | None = None,
) -> Schedule:
    """Assign tables (fixed meetings keep theirs), count the objective, list unmet musts and shortfalls."""
    weights = weights or Weights()
    info = {(p.buyer_id, p.sme_id): p for p in pairset.pairs}
    tabled = assign_tables(event, triples, fixed=[(m.buyer_id, m.sme_id, m.slot, m.table_id) for m in fixed])
    meetings = list(fixed) + [
        Meeting(
            buyer_id=b,
            sme_id=s,
            slot=t,
            table_id=tab,
            value=info[(b, s)].value if (b, s) in info else 0,
            must=info[(b, s)].must if (b, s) in info else False,
        )
        for b, s, t, tab in tabled
    ]
    meetings.sort(key=lambda m: (m.slot, m.table_id))
    obj = objective(event, [(m.buyer_id, m.sme_id) for m in meetings], weights)
    stats = stats.model_copy(
        update={
            "objective": obj.total,
            "value": obj.value,
            "musts_met": obj.musts_met,
            "fairness_units": obj.fairness_units,
        }
    )
    return Schedule(
        event_id=event.id,
        meetings=meetings,
        stats=stats,
        unmet_musts=_unmet(meetings, pairset),
        sme_shortfall=_shortfall(event, meetings),
    )


def _unmet(meetings: Sequence[Meeting], pairset: PairSet) -> list[MissedMust]:
    met = {(m.buyer_id, m.sme_id) for m in meetings}
    missing = [
        UnmetMust(p.buyer_id, p.sme_id, "时段、桌位或洽谈上限冲突，未能安排")
        for p in pairset.pairs
        if p.must and (p.buyer_id, p.sme_id) not in met
    ]
    return [
        MissedMust(buyer_id=u.buyer_id, sme_id=u.sme_id, reason=u.reason)
        for u in [*pairset.impossible_musts, *missing]
    ]


def _shortfall(event: Event, meetings: Sequence[Meeting]) -> dict[str, int]:
    k = event.min_meetings_per_sme
    count = Counter(m.sme_id for m in meetings)
    return {p.id: k - count[p.id] for p in event.of_role(Role.SME) if count[p.id] < k}


def schedule_to_json(schedule: Schedule) -> str:
    return schedule.model_dump_json()


def schedule_from_json(text: str | bytes) -> Schedule:
    return Schedule.model_validate_json(text)
