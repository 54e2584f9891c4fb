"""What the two sides said before an event, as per-pair wishes (``matcher.events.wishes.seed_wishes``).

Buyer side: a 入围 candidate or a shortlisted response is 想见, an accepted response or invitation 必须见,
a 淘汰 candidate or a declined response 不见. SME side: responding is 想见 (whatever the publisher
decided), an agreement 必须见, declining an invitation 不见. Several signals on one pair keep the
strongest positive one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from matcher.deals.model import InvitationStatus, ResponseStatus
from matcher.events.model import Level
from matcher.events.wishes import Wishes, strongest
from matcher.store.tables import (
    CandidateDecisionRow,
    DemandResponseRow,
    DemandRow,
    EnterpriseRow,
    InvitationRow,
)

R, Inv = ResponseStatus, InvitationStatus
DECISION = {"shortlist": (Level.WANT, None), "reject": (Level.NO, None)}
RESPONSE = {
    R.SUBMITTED: (None, Level.WANT),
    R.SHORTLISTED: (Level.WANT, Level.WANT),
    R.ACCEPTED: (Level.MUST, Level.MUST),
    R.DECLINED: (Level.NO, Level.WANT),
}
INVITATION = {
    Inv.PENDING: (Level.WANT, None),
    Inv.ACCEPTED: (Level.MUST, Level.MUST),
    Inv.DECLINED: (None, Level.NO),
}


def event_wishes(s: Session, usccs: Collection[str]) -> Wishes:
    """The wishes between enterprises among ``usccs`` (an event's participants) from decisions,
    responses and invitations on the buyers' demands."""
    said: dict[tuple[str, str], tuple[list[Level], list[Level]]] = defaultdict(lambda: ([], []))
    for table, status, mapping in (
        (CandidateDecisionRow, CandidateDecisionRow.decision, DECISION),
        (DemandResponseRow, DemandResponseRow.status, RESPONSE),
        (InvitationRow, InvitationRow.status, INVITATION),
    ):
        for buyer, sme, value in _pairs(s, table, status, usccs):
            levels = mapping.get(value)  # type: ignore[call-overload]
            if levels is None:
                continue
            for side, level in zip(said[(buyer, sme)], levels, strict=True):
                if level is not None:
                    side.append(level)
    return {pair: (strongest(b), strongest(m)) for pair, (b, m) in said.items()}


def _pairs(s: Session, table: Any, status: Any, usccs: Collection[str]) -> list[tuple[str, str, str]]:
    buyer, sme = aliased(EnterpriseRow), aliased(EnterpriseRow)
    query = (
        select(buyer.uscc, sme.uscc, status)
        .select_from(table)
        .join(DemandRow, DemandRow.id == table.demand_id)
        .join(buyer, buyer.id == DemandRow.publisher_id)
        .join(sme, sme.id == table.enterprise_id)
        .where(buyer.uscc.in_(list(usccs)), sme.uscc.in_(list(usccs)))
    )
    return [(b, m, str(v)) for b, m, v in s.execute(query)]
