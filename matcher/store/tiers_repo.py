"""Keyword-only data access for dated 梯度培育 assessments: save in bulk, history, a park's records.

An assessment is kept per (enterprise, as-of date, criteria version): re-assessing the same date with the
same criteria overwrites the row, so history holds one answer per date. Like :mod:`repository`, functions
take an open session and the caller's ``store.session()`` block is the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from matcher.domain import Tier
from matcher.errors import NotFoundError
from matcher.store import repository as repo
from matcher.store.tables import EnterpriseRow, ParkRow, TierAssessmentRow
from matcher.tiers import Assessment, TierRecord
from matcher.tiers.summary import detail_of, points_of


@dataclass(frozen=True, slots=True)
class StoredTierAssessment:
    """One stored assessment with the enterprise it belongs to."""

    id: int
    enterprise_id: int
    uscc: str
    name: str
    as_of: dt.date
    tier: Tier
    points: float | None
    criteria_version: str
    detail: dict[str, Any]

    @property
    def record(self) -> TierRecord:
        return TierRecord(self.uscc, self.as_of, self.tier, self.points)


# -- writes --------------------------------------------------------------------------------------------


def save_assessments(
    session: Session, *, assessments: Sequence[Assessment], criteria_version: str
) -> repo.UpsertCounts:
    """Insert or overwrite by (enterprise, as-of date, criteria version); every enterprise must be stored."""
    ids = repo.enterprise_ids(session)
    unknown = [a.uscc for a in assessments if a.uscc not in ids]
    if unknown:
        raise NotFoundError(f"评估结果中的企业未登记：{'、'.join(unknown[:5])}（共 {len(unknown)} 家）")
    existing: dict[tuple[int, dt.date], int] = {}
    for day in {a.as_of for a in assessments}:
        query = select(TierAssessmentRow.id, TierAssessmentRow.enterprise_id).where(
            TierAssessmentRow.as_of == day, TierAssessmentRow.criteria_version == criteria_version
        )
        existing.update({(eid, day): rid for rid, eid in session.execute(query)})
    rows: dict[tuple[int, dt.date], dict[str, Any]] = {}  # the last of duplicates wins, as in a re-run
    for a in assessments:
        rows[(ids[a.uscc], a.as_of)] = {
            "enterprise_id": ids[a.uscc],
            "as_of": a.as_of,
            "tier": a.tier.value,
            "points": points_of(a)[1],
            "criteria_version": criteria_version,
            "detail": detail_of(a),
        }
    new = [row for key, row in rows.items() if key not in existing]
    changed = [{"id": existing[key], **row} for key, row in rows.items() if key in existing]
    if new:
        session.execute(insert(TierAssessmentRow), new)
    if changed:
        session.execute(update(TierAssessmentRow), changed)
    return repo.UpsertCounts(len(new), len(changed))


# -- reads ---------------------------------------------------------------------------------------------


def _stored(row: TierAssessmentRow, uscc: str, name: str) -> StoredTierAssessment:
    return StoredTierAssessment(
        row.id,
        row.enterprise_id,
        uscc,
        name,
        row.as_of,
        Tier(row.tier),
        row.points,
        row.criteria_version,
        dict(row.detail),
    )


def history(
    session: Session, *, enterprise_id: int | None = None, uscc: str | None = None
) -> list[StoredTierAssessment]:
    """Every stored assessment of one enterprise, oldest first (NotFoundError for an unknown enterprise)."""
    found = repo.get_enterprise(session, id=enterprise_id, uscc=uscc)
    query = (
        select(TierAssessmentRow)
        .where(TierAssessmentRow.enterprise_id == found.id)
        .order_by(TierAssessmentRow.as_of, TierAssessmentRow.id)
    )
    return [_stored(r, found.record.uscc, found.record.name) for r in session.scalars(query)]


def park_records(
    session: Session, *, park: str, years: Iterable[int] | None = None, criteria_version: str | None = None
) -> list[TierRecord]:
    """The stored assessments of a park's enterprises as :class:`TierRecord`, by date (optionally only
    some ``years`` or one criteria version); feed them to :func:`matcher.tiers.pyramid`."""
    repo.get_park(session, name=park)  # NotFoundError with the park's name
    query = (
        select(EnterpriseRow.uscc, TierAssessmentRow.as_of, TierAssessmentRow.tier, TierAssessmentRow.points)
        .join(EnterpriseRow, TierAssessmentRow.enterprise_id == EnterpriseRow.id)
        .join(ParkRow, EnterpriseRow.park_id == ParkRow.id)
        .where(ParkRow.name == park)
        .order_by(TierAssessmentRow.as_of, TierAssessmentRow.id)
    )
    if criteria_version is not None:
        query = query.where(TierAssessmentRow.criteria_version == criteria_version)
    wanted = set(years) if years is not None else None
    return [
        TierRecord(uscc, as_of, Tier(tier), points)
        for uscc, as_of, tier, points in session.execute(query)
        if wanted is None or as_of.year in wanted
    ]
