"""Keyword-only data access for 对接会: events, schedule versions, meeting outcomes, ranker labels.

An event is kept whole as JSON (``event_to_json``) beside the columns people look it up by; each solve or
re-plan adds a schedule version. Outcomes are one row per event and pair, with both enterprises' ids and
统一社会信用代码, so :func:`ranker_labels` can hand the ranker graded pairs across events. Like
:mod:`repository`, functions take an open session; the caller's ``store.session()`` block is the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.errors import MatcherError, NotFoundError
from matcher.events import (
    Event,
    Outcome,
    OutcomeKind,
    RankerLabel,
    Schedule,
    event_from_json,
    event_to_json,
    ranker_labels,
    schedule_from_json,
    schedule_to_json,
)
from matcher.store import repository as repo
from matcher.store.tables import (
    AccountEventRow,
    EnterpriseRow,
    EventRow,
    EventScheduleRow,
    MeetingOutcomeRow,
    ParkRow,
)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    code: str
    park: str | None
    park_id: int | None
    event: Event


@dataclass(frozen=True, slots=True)
class StoredSchedule:
    event_code: str
    version: int
    kind: str  # "schedule" or "replan"
    created_at: dt.datetime | None
    schedule: Schedule


# -- events --------------------------------------------------------------------------------------------


def _event(row: EventRow) -> Event:
    return event_from_json(json.dumps(row.data, ensure_ascii=False))


def _row(session: Session, code: str) -> EventRow:
    row = session.scalar(select(EventRow).where(EventRow.code == code))
    if row is None:
        raise NotFoundError(f"对接会“{code}”不存在")
    return row


def _with_park(session: Session, row: EventRow) -> StoredEvent:
    park = session.get(ParkRow, row.park_id) if row.park_id is not None else None
    return StoredEvent(row.id, row.code, park.name if park else None, row.park_id, _event(row))


def save_event(
    session: Session, *, event: Event, park: str | None = None, replace: bool = False
) -> StoredEvent:
    """Create the event under its ``id`` (its code); an existing code is refused unless ``replace``."""
    park_id = repo.park_ids(session).get(park) if park else None
    if park and park_id is None:
        raise NotFoundError(f"对接会所属园区“{park}”不存在，请先导入园区")
    row = session.scalar(select(EventRow).where(EventRow.code == event.id))
    if row is not None and not replace:
        raise MatcherError(f"对接会“{event.id}”已存在；如需覆盖请使用 replace")
    if row is None:
        row = EventRow(code=event.id)
        session.add(row)
    row.name, row.park_id, row.data = event.name, park_id, json.loads(event_to_json(event))
    session.flush()
    return _with_park(session, row)


def update_event(session: Session, *, event: Event) -> StoredEvent:
    """Store a changed event (candidates, availability, k) under its existing code."""
    row = _row(session, event.id)
    row.name, row.data = event.name, json.loads(event_to_json(event))
    session.flush()
    return _with_park(session, row)


def get_event(session: Session, *, code: str) -> StoredEvent:
    return _with_park(session, _row(session, code))


def find_event(session: Session, *, code: str) -> StoredEvent | None:
    row = session.scalar(select(EventRow).where(EventRow.code == code))
    return _with_park(session, row) if row is not None else None


def assign_organizer(session: Session, *, account_id: int, event_id: int) -> None:
    """Bind an organizer account to an event (idempotent), as ``accounts.create_account(event_ids=…)`` does."""
    if session.get(AccountEventRow, (account_id, event_id)) is None:
        session.add(AccountEventRow(account_id=account_id, event_id=event_id))
        session.flush()


def list_events(session: Session) -> list[StoredEvent]:
    return [_with_park(session, r) for r in session.scalars(select(EventRow).order_by(EventRow.id))]


# -- schedules -----------------------------------------------------------------------------------------


def add_schedule(
    session: Session, *, code: str, schedule: Schedule, kind: str = "schedule"
) -> StoredSchedule:
    """Keep ``schedule`` as the event's next version (1, 2, ...)."""
    row = _row(session, code)
    last = session.scalar(
        select(func.max(EventScheduleRow.version)).where(EventScheduleRow.event_id == row.id)
    )
    st = schedule.stats
    new = EventScheduleRow(
        event_id=row.id,
        version=(last or 0) + 1,
        kind=kind,
        status=st.status,
        objective=st.objective,
        bound=st.bound,
        gap=st.gap,
        data=json.loads(schedule_to_json(schedule)),
    )
    session.add(new)
    session.flush()
    return StoredSchedule(code, new.version, kind, new.created_at, schedule)


def get_schedule(session: Session, *, code: str, version: int | None = None) -> StoredSchedule:
    """The given version of the event's schedule, or the newest (NotFoundError before the first solve)."""
    row = _row(session, code)
    query = select(EventScheduleRow).where(EventScheduleRow.event_id == row.id)
    query = query.where(EventScheduleRow.version == version) if version is not None else query
    found = session.scalar(query.order_by(EventScheduleRow.version.desc()).limit(1))
    if found is None:
        what = f"第 {version} 版排程" if version is not None else "排程"
        raise NotFoundError(f"对接会“{code}”尚无{what}；请先运行排程")
    schedule = schedule_from_json(json.dumps(found.data, ensure_ascii=False))
    return StoredSchedule(code, found.version, found.kind, found.created_at, schedule)


def schedule_versions(session: Session, *, code: str) -> list[tuple[int, str, str, int]]:
    """(version, kind, status, objective) of every stored schedule, oldest first."""
    row = _row(session, code)
    query = (
        select(
            EventScheduleRow.version,
            EventScheduleRow.kind,
            EventScheduleRow.status,
            EventScheduleRow.objective,
        )
        .where(EventScheduleRow.event_id == row.id)
        .order_by(EventScheduleRow.version)
    )
    return [tuple(r) for r in session.execute(query)]  # type: ignore[misc]


# -- outcomes and labels -------------------------------------------------------------------------------


def save_outcome(session: Session, *, outcome: Outcome) -> Outcome:
    """Insert or replace the outcome of (event, buyer, SME); keeps both enterprises' ids and codes."""
    row = _row(session, outcome.event_id)
    people = _event(row).by_id
    usccs = [people[p].enterprise_id if p in people else None for p in (outcome.buyer_id, outcome.sme_id)]
    ids = repo.enterprise_ids(session)
    found = session.scalar(
        select(MeetingOutcomeRow).where(
            MeetingOutcomeRow.event_id == row.id,
            MeetingOutcomeRow.buyer_participant == outcome.buyer_id,
            MeetingOutcomeRow.sme_participant == outcome.sme_id,
        )
    )
    if found is None:
        found = MeetingOutcomeRow(
            event_id=row.id, buyer_participant=outcome.buyer_id, sme_participant=outcome.sme_id
        )
        session.add(found)
    found.buyer_uscc, found.sme_uscc = usccs
    found.buyer_enterprise_id = ids.get(usccs[0]) if usccs[0] else None
    found.sme_enterprise_id = ids.get(usccs[1]) if usccs[1] else None
    found.slot, found.held, found.outcome, found.note = (
        outcome.slot,
        outcome.held,
        outcome.kind.value,
        outcome.note,
    )
    found.recorded_at = outcome.recorded_at or dt.datetime.now(dt.UTC)
    session.flush()
    return _outcome(outcome.event_id, found)


def _outcome(code: str, r: MeetingOutcomeRow) -> Outcome:
    return Outcome(
        event_id=code,
        buyer_id=r.buyer_participant,
        sme_id=r.sme_participant,
        slot=r.slot,
        held=r.held,
        kind=OutcomeKind(r.outcome),
        note=r.note,
        recorded_at=r.recorded_at,
    )


def list_outcomes(session: Session, *, code: str) -> list[Outcome]:
    row = _row(session, code)
    query = (
        select(MeetingOutcomeRow).where(MeetingOutcomeRow.event_id == row.id).order_by(MeetingOutcomeRow.id)
    )
    return [_outcome(code, r) for r in session.scalars(query)]


def enterprise_labels(session: Session) -> list[RankerLabel]:
    """Graded (buyer 统一社会信用代码, SME 统一社会信用代码) labels from every event's held meetings, the best
    outcome per pair (无 0, 意向 1, 试用 2, 签约 3); pairs with an unregistered side are left out."""
    query = select(MeetingOutcomeRow).where(
        MeetingOutcomeRow.buyer_uscc.is_not(None), MeetingOutcomeRow.sme_uscc.is_not(None)
    )
    outcomes = [
        Outcome(
            event_id=str(r.event_id),
            buyer_id=r.buyer_uscc or "",
            sme_id=r.sme_uscc or "",
            slot=r.slot,
            held=r.held,
            kind=OutcomeKind(r.outcome),
        )
        for r in session.scalars(query)
    ]
    return ranker_labels(outcomes)


# -- what the registry knows about the participants ----------------------------------------------------


def fill_participants(session: Session, *, participants: list[dict[str, object]]) -> list[str]:
    """Complete ``name`` and ``role`` of participants whose ``enterprise_id`` (统一社会信用代码) is registered,
    in place; returns one Chinese problem per unknown code that still lacks a name or role."""
    codes = [str(p["enterprise_id"]) for p in participants if p.get("enterprise_id")]
    rows = session.execute(
        select(EnterpriseRow.uscc, EnterpriseRow.name, EnterpriseRow.role).where(
            EnterpriseRow.uscc.in_(codes)
        )
    ).all()
    known = {u: (n, r) for u, n, r in rows}
    problems = []
    for p in participants:
        code = str(p.get("enterprise_id") or "")
        if code in known:
            p.setdefault("name", known[code][0])
            p.setdefault("role", known[code][1])
        elif code and not (p.get("name") and p.get("role")):
            problems.append(f"参会企业 {p.get('id')} 的统一社会信用代码 {code} 未登记，且未给出名称与角色")
    return problems
