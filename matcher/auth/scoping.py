"""The record rules of ``matcher.auth.policy`` as SQL filters, for lists that must page correctly.

Each clause here answers the same question as its twin in ``policy`` (``demand_clause`` ~
``can_see_demand``); a test evaluates both on every combination of role, park, status and visibility.
The engine applies them when it is given a principal, so a list is scoped before LIMIT/OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from matcher.auth.policy import DemandFacts, can_see_contact, can_see_financials
from matcher.auth.principal import Principal
from matcher.domain.models import FINANCIAL_FIELDS, Contact
from matcher.store import repository as repo
from matcher.store.tables import DemandRow, EnterpriseRow


def demand_clause(p: Principal, publisher: type[EnterpriseRow] = EnterpriseRow) -> ColumnElement[bool]:
    """Which demands ``p`` may see; ``publisher`` is the enterprises entity joined as the publisher."""
    if p.is_platform_admin:
        return true()
    own = DemandRow.publisher_id == p.enterprise_id if p.enterprise_id is not None else false()
    served = publisher.park_id.in_(p.park_ids) if p.is_park_admin and p.park_ids else false()
    same_park = publisher.park_id.in_(p.park_ids) if p.park_ids else false()
    published = and_(
        DemandRow.status != "draft",
        or_(DemandRow.visibility == "public", and_(DemandRow.visibility == "park", same_park)),
    )
    return or_(own, and_(DemandRow.visibility != "private", or_(served, published)))


def list_demands(
    session: Session,
    principal: Principal | None,
    *,
    status: str | None = None,
    publisher_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[repo.StoredDemand]:
    """The demands ``principal`` may see (all of them for None, a trusted caller), filtered and paged in SQL."""
    query = select(DemandRow).order_by(DemandRow.id).offset(offset).limit(limit)
    if principal is not None:
        publisher = aliased(EnterpriseRow)
        query = query.join(publisher, DemandRow.publisher_id == publisher.id)
        query = query.where(demand_clause(principal, publisher))
    if status is not None:
        query = query.where(DemandRow.status == status)
    if publisher_id is not None:
        query = query.where(DemandRow.publisher_id == publisher_id)
    rows = session.scalars(query).unique()
    return [repo.StoredDemand(r.id, repo.demand_from_row(r), r.publisher_id, r.version) for r in rows]


def enterprise_park(session: Session, enterprise_id: int) -> int | None:
    """The park of an enterprise (None when it has none or does not exist)."""
    return session.scalar(select(EnterpriseRow.park_id).where(EnterpriseRow.id == enterprise_id))


def demand_facts(session: Session, demand: repo.StoredDemand) -> DemandFacts:
    record = demand.record
    return DemandFacts(
        publisher_id=demand.publisher_id,
        publisher_park_id=enterprise_park(session, demand.publisher_id),
        status=record.status.value,
        visibility=record.visibility.value,
    )


def mask_private(
    session: Session, p: Principal, rows: Sequence[repo.StoredEnterprise]
) -> list[repo.StoredEnterprise]:
    """The rows with the contact and the financial figures blanked wherever ``p`` may not see them
    (``policy.can_see_contact``, ``policy.can_see_financials``): every read path for others goes here."""
    ids = [r.id for r in rows]
    query = select(EnterpriseRow.id, EnterpriseRow.park_id).where(EnterpriseRow.id.in_(ids))
    parks: dict[int, int | None] = {i: park for i, park in session.execute(query)}
    return [_masked(p, r, parks.get(r.id)) for r in rows]


_NO_FINANCIALS = dict.fromkeys(FINANCIAL_FIELDS)


def _masked(p: Principal, row: repo.StoredEnterprise, park_id: int | None) -> repo.StoredEnterprise:
    update: dict[str, Any] = {}
    if not can_see_contact(p, row.id, park_id):
        update["contact"] = Contact()
    if not can_see_financials(p, row.id, park_id):
        update["indicators"] = row.record.indicators.model_copy(update=_NO_FINANCIALS)
    return repo.StoredEnterprise(row.id, row.record.model_copy(update=update), row.version) if update else row
