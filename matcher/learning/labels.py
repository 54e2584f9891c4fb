"""Training labels from the store: what buyers and suppliers decided about a demand's candidates.

Grades per (demand, enterprise), the highest signal winning: 淘汰 / 不采纳 / 婉拒 / 试用未通过 0;
入围 / 响应入围 1; 接受 (response or invitation) / 试用通过 2; 采用 3. Meeting outcomes of events carry no
demand, so they cannot be grouped by query here; they are counted in ``unused``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.store.tables import (
    CandidateDecisionRow,
    DemandResponseRow,
    InvitationRow,
    MeetingOutcomeRow,
    TrialRow,
)

DECISION = {"shortlist": 1.0, "reject": 0.0}
RESPONSE = {"shortlisted": 1.0, "accepted": 2.0, "declined": 0.0}
INVITATION = {"accepted": 2.0, "declined": 0.0}
TRIAL = {"failed": 0.0, "passed": 2.0, "adopted": 3.0}


class Label(NamedTuple):
    query: int  # the demand
    enterprise_id: int
    grade: float
    at: dt.datetime
    source: str


def store_labels(s: Session) -> tuple[list[Label], dict[str, int]]:
    """Every usable label (one per demand and enterprise, the highest grade) and counts per source."""
    found: list[Label] = []
    found += _from(
        s,
        CandidateDecisionRow,
        CandidateDecisionRow.decision,
        CandidateDecisionRow.updated_at,
        DECISION,
        "入围/淘汰",
    )
    found += _from(
        s, DemandResponseRow, DemandResponseRow.status, DemandResponseRow.updated_at, RESPONSE, "响应"
    )
    found += _from(s, InvitationRow, InvitationRow.status, InvitationRow.updated_at, INVITATION, "邀请")
    trials = s.execute(
        select(TrialRow.demand_id, TrialRow.supplier_id, TrialRow.state, TrialRow.updated_at).where(
            TrialRow.demand_id.is_not(None), TrialRow.state.in_(list(TRIAL))
        )
    )
    found += [Label(int(d or 0), int(e), TRIAL[st], at, "先试首用") for d, e, st, at in trials]
    best: dict[tuple[int, int], Label] = {}
    for label in found:
        key = (label.query, label.enterprise_id)
        if key not in best or label.grade > best[key].grade:
            best[key] = label
    counts: dict[str, int] = {}
    for label in found:
        counts[label.source] = counts.get(label.source, 0) + 1
    counts["对接会结果（无关联需求，未用）"] = int(s.scalar(select(func.count()).select_from(MeetingOutcomeRow)) or 0)
    return sorted(best.values(), key=lambda x: (x.at, x.query, x.enterprise_id)), counts


def _from(s: Session, table: Any, status: Any, at: Any, grades: dict[str, float], source: str) -> list[Label]:
    rows = s.execute(select(table.demand_id, table.enterprise_id, status, at))
    return [Label(int(d), int(e), grades[str(v)], t, source) for d, e, v, t in rows if str(v) in grades]
