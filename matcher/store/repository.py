"""Keyword-only data access for parks, enterprises and demands, in domain records.

Writes are upserts keyed by natural keys (park name, 统一社会信用代码, 需求编号) so that importing the same
file twice changes nothing. Functions take an open session: the caller's ``store.session()`` block is the
transaction, so a batch either lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from matcher.domain import Demand, Enterprise, Park, Role
from matcher.domain.clean import STORED
from matcher.errors import NotFoundError, ValidationError
from matcher.store.changes import log_changes
from matcher.store.tables import DemandRow, EnterpriseRow, ParkRow


class UpsertCounts(NamedTuple):
    created: int
    updated: int


@dataclass(frozen=True, slots=True)
class StoredEnterprise:
    id: int
    record: Enterprise
    version: int = 1  # bumped by every change; a write naming an older one is refused (ConflictError)


@dataclass(frozen=True, slots=True)
class StoredDemand:
    id: int
    record: Demand
    publisher_id: int
    version: int = 1  # as StoredEnterprise's


# -- conversions -------------------------------------------------------------------------------------

_PARK_FIELDS = ("province", "city", "district", "leading_industries")
_ENTERPRISE_SCALARS = ("name", "province", "city", "district", "industry_code", "capabilities", "capacity")
_ENTERPRISE_JSON = ("products", "certifications", "indicators", "contact")
_DEMAND_FIELDS = tuple(f for f in Demand.model_fields if f not in ("code", "publisher_uscc"))


def park_from_row(row: ParkRow) -> Park:
    return Park.model_validate(
        {"name": row.name, **{f: getattr(row, f) for f in _PARK_FIELDS}}, context=STORED
    )


def enterprise_from_row(row: EnterpriseRow) -> Enterprise:
    data: dict[str, Any] = {f: getattr(row, f) for f in (*_ENTERPRISE_SCALARS, *_ENTERPRISE_JSON)}
    data |= {"uscc": row.uscc, "park": row.park.name if row.park else "", "role": row.role, "tier": row.tier}
    return Enterprise.model_validate(data, context=STORED)


def demand_from_row(row: DemandRow) -> Demand:
    data = {f: getattr(row, f) for f in _DEMAND_FIELDS}
    return Demand.model_validate(
        {"code": row.code, "publisher_uscc": row.publisher.uscc, **data}, context=STORED
    )


def _fill_enterprise(row: EnterpriseRow, record: Enterprise, park_id: int | None) -> None:
    dumped = record.model_dump(mode="json")
    for f in (*_ENTERPRISE_SCALARS, *_ENTERPRISE_JSON):
        setattr(row, f, dumped[f])
    row.park_id = park_id
    row.role = record.role.value
    row.tier = record.tier.value
    row.size_class = record.size_class


def _fill_demand(row: DemandRow, record: Demand, publisher_id: int) -> None:
    for f in _DEMAND_FIELDS:
        value = getattr(record, f)
        setattr(row, f, value.value if hasattr(value, "value") else value)
    row.publisher_id = publisher_id


# -- parks ---------------------------------------------------------------------------------------------


def upsert_parks(session: Session, *, parks: Iterable[Park]) -> UpsertCounts:
    created = updated = 0
    existing = {r.name: r for r in session.scalars(select(ParkRow))}
    for park in parks:
        row = existing.get(park.name)
        if row is None:
            row = ParkRow(name=park.name)
            session.add(row)
            existing[park.name] = row
            created += 1
        else:
            updated += 1
        for f in _PARK_FIELDS:
            setattr(row, f, getattr(park, f))
    session.flush()
    return UpsertCounts(created, updated)


def list_parks(session: Session) -> list[Park]:
    return [park_from_row(r) for r in session.scalars(select(ParkRow).order_by(ParkRow.id))]


def park_ids(session: Session) -> dict[str, int]:
    return {name: pid for pid, name in session.execute(select(ParkRow.id, ParkRow.name))}


def get_park(session: Session, *, name: str) -> Park:
    row = session.scalar(select(ParkRow).where(ParkRow.name == name))
    if row is None:
        raise NotFoundError(f"园区“{name}”不存在")
    return park_from_row(row)


# -- enterprises ---------------------------------------------------------------------------------------


def upsert_enterprises(session: Session, *, enterprises: Sequence[Enterprise]) -> UpsertCounts:
    """Insert or update by 统一社会信用代码; every named park must already exist."""
    parks = park_ids(session)
    usccs = [e.uscc for e in enterprises]
    existing = {
        r.uscc: r for r in session.scalars(select(EnterpriseRow).where(EnterpriseRow.uscc.in_(usccs)))
    }
    created = updated = 0
    for record in enterprises:
        if record.park and record.park not in parks:
            raise NotFoundError(f"企业“{record.name}”所属园区“{record.park}”不存在，请先导入园区")
        row = existing.get(record.uscc)
        if row is None:
            row = EnterpriseRow(uscc=record.uscc)
            session.add(row)
            existing[record.uscc] = row
            created += 1
        else:
            updated += 1
        _fill_enterprise(row, record, parks.get(record.park) if record.park else None)
    session.flush()
    return UpsertCounts(created, updated)


def enterprise_ids(session: Session) -> dict[str, int]:
    """统一社会信用代码 -> id, for every enterprise."""
    return {u: i for i, u in session.execute(select(EnterpriseRow.id, EnterpriseRow.uscc))}


def get_enterprise(session: Session, *, id: int | None = None, uscc: str | None = None) -> StoredEnterprise:
    query = select(EnterpriseRow)
    query = query.where(EnterpriseRow.id == id) if id is not None else query.where(EnterpriseRow.uscc == uscc)
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(
            f"企业不存在（{'编号 ' + str(id) if id is not None else '统一社会信用代码 ' + str(uscc)}）"
        )
    return StoredEnterprise(row.id, enterprise_from_row(row), row.version)


def list_enterprises(
    session: Session,
    *,
    park: str | None = None,
    role: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[StoredEnterprise]:
    query = select(EnterpriseRow).order_by(EnterpriseRow.id).offset(offset).limit(limit)
    if park is not None:
        query = query.join(ParkRow).where(ParkRow.name == park)
    if role is not None:
        query = query.where(EnterpriseRow.role == role)
    return [
        StoredEnterprise(r.id, enterprise_from_row(r), r.version) for r in session.scalars(query).unique()
    ]


def iter_enterprises(session: Session, *, batch: int = 1000) -> Iterator[StoredEnterprise]:
    """Every enterprise in id order, read ``batch`` rows at a time: a caller that keeps only what it
    derives from each never holds the whole registry's objects at once (100k enterprises: ~1.4 GB)."""
    query = select(EnterpriseRow).order_by(EnterpriseRow.id).execution_options(yield_per=batch)
    for r in session.scalars(query):
        yield StoredEnterprise(r.id, enterprise_from_row(r), r.version)


def delete_enterprise(session: Session, *, id: int) -> None:
    result = session.execute(delete(EnterpriseRow).where(EnterpriseRow.id == id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFoundError(f"企业不存在（编号 {id}）")
    log_changes(session, {id})  # a bulk delete: the flush hook does not see it


def enterprises_by_id(session: Session, *, ids: Iterable[int]) -> list[StoredEnterprise]:
    """The enterprises of ``ids`` that exist, in id order (a deleted id is simply absent)."""
    query = select(EnterpriseRow).where(EnterpriseRow.id.in_(sorted(set(ids)))).order_by(EnterpriseRow.id)
    return [
        StoredEnterprise(r.id, enterprise_from_row(r), r.version) for r in session.scalars(query).unique()
    ]


def count_enterprises_by(session: Session, *columns: str) -> list[tuple[Any, ...]]:
    """Counts grouped by park name and/or enterprise columns (e.g. ``"park", "role"``)."""
    cols = [ParkRow.name if c == "park" else getattr(EnterpriseRow, c) for c in columns]
    query = select(*cols, func.count()).select_from(EnterpriseRow).outerjoin(ParkRow).group_by(*cols)
    return [tuple(r) for r in session.execute(query.order_by(*cols))]


# -- demands -------------------------------------------------------------------------------------------


def upsert_demands(session: Session, *, demands: Sequence[Demand]) -> UpsertCounts:
    """Insert or update by 需求编号; the publisher must be a registered leading firm."""
    rows = session.execute(select(EnterpriseRow.uscc, EnterpriseRow.id, EnterpriseRow.role)).all()
    publishers = {u: (i, r) for u, i, r in rows}
    codes = [d.code for d in demands]
    existing = {r.code: r for r in session.scalars(select(DemandRow).where(DemandRow.code.in_(codes)))}
    created = updated = 0
    for record in demands:
        found = publishers.get(record.publisher_uscc)
        if found is None:
            raise NotFoundError(f"需求 {record.code} 的发布企业 {record.publisher_uscc} 未登记")
        if found[1] != Role.LEADING.value:  # every writer (import, API, web, CLI) comes through here
            raise ValidationError(
                [
                    f"需求 {record.code} 的发布企业 {record.publisher_uscc} 不是龙头企业，只有龙头企业可发布需求"
                ]
            )
        row = existing.get(record.code)
        if row is None:
            row = DemandRow(code=record.code)
            session.add(row)
            existing[record.code] = row
            created += 1
        else:
            updated += 1
        _fill_demand(row, record, found[0])
    session.flush()
    return UpsertCounts(created, updated)


def get_demand(session: Session, *, id: int | None = None, code: str | None = None) -> StoredDemand:
    query = select(DemandRow)
    query = query.where(DemandRow.id == id) if id is not None else query.where(DemandRow.code == code)
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"需求不存在（{'编号 ' + str(id) if id is not None else code}）")
    return StoredDemand(row.id, demand_from_row(row), row.publisher_id, row.version)


def list_demands(
    session: Session, *, status: str | None = None, publisher_id: int | None = None, limit: int | None = None
) -> list[StoredDemand]:
    query = select(DemandRow).order_by(DemandRow.id).limit(limit)
    if status is not None:
        query = query.where(DemandRow.status == status)
    if publisher_id is not None:
        query = query.where(DemandRow.publisher_id == publisher_id)
    rows = session.scalars(query).unique()
    return [StoredDemand(r.id, demand_from_row(r), r.publisher_id, r.version) for r in rows]
