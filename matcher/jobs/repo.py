"""The ``jobs`` table: create, read, move through the states. Keyword-only functions of a session.

Timestamps are written from Python in UTC (SQLite hands them back naive; ``_aware`` restores the zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher.errors import NotFoundError
from matcher.jobs.model import CANCELLED, Job, JobState
from matcher.store.tables import JobRow

ACTIVE = (JobState.QUEUED.value, JobState.RUNNING.value)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def job_from_row(row: JobRow) -> Job:
    state = JobState(row.state)
    result = row.result
    problems = list((result or {}).get("problems", [])) if state is JobState.FAILED else []
    return Job(
        id=row.id,
        kind=row.kind,
        state=state,
        progress=row.progress,
        message=row.message,
        params=dict(row.params or {}),
        result=result,
        error=row.error,
        owner_id=row.owner_id,
        created_at=_aware(row.created_at) or utcnow(),
        started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at),
        problems=problems,
    )


def create_job(
    session: Session, *, kind: str, params: dict[str, Any], owner_id: int | None, worker: str, message: str
) -> Job:
    now = utcnow()
    row = JobRow(
        kind=kind,
        state=JobState.QUEUED.value,
        progress=0.0,
        message=message,
        params=params,
        owner_id=owner_id,
        worker=worker,
        created_at=now,
        heartbeat_at=now,
    )
    session.add(row)
    session.flush()
    return job_from_row(row)


def get_job(session: Session, *, id: int) -> Job:
    row = session.get(JobRow, id)
    if row is None:
        raise NotFoundError(f"后台任务不存在（编号 {id}）")
    return job_from_row(row)


def list_jobs(
    session: Session, *, owner_id: int | None = None, kind: str | None = None, limit: int = 50
) -> list[Job]:
    """Newest first; ``owner_id`` None lists everyone's."""
    query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
    if owner_id is not None:
        query = query.where(JobRow.owner_id == owner_id)
    if kind is not None:
        query = query.where(JobRow.kind == kind)
    return [job_from_row(r) for r in session.scalars(query)]


def start_job(session: Session, *, id: int, worker: str, message: str) -> bool:
    """queued -> running; False when the job is no longer queued (failed meanwhile)."""
    now = utcnow()
    done = session.execute(
        update(JobRow)
        .where(JobRow.id == id, JobRow.state == JobState.QUEUED.value)
        .values(
            state=JobState.RUNNING.value, worker=worker, message=message, started_at=now, heartbeat_at=now
        )
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def report_progress(session: Session, *, id: int, progress: float, message: str) -> None:
    session.execute(
        update(JobRow)
        .where(JobRow.id == id, JobRow.state == JobState.RUNNING.value)
        .values(progress=progress, message=message, heartbeat_at=utcnow())
    )


def touch(session: Session, *, ids: Iterable[int]) -> None:
    """The heartbeat of jobs a live process holds."""
    wanted = list(ids)
    if wanted:
        query = update(JobRow).where(JobRow.id.in_(wanted), JobRow.state.in_(ACTIVE))
        session.execute(query.values(heartbeat_at=utcnow()))


def finish_job(
    session: Session,
    *,
    id: int,
    state: JobState,
    progress: float,
    message: str,
    result: dict[str, Any] | None,
    error: str | None = None,
) -> None:
    session.execute(
        update(JobRow)
        .where(JobRow.id == id)
        .values(
            state=state.value,
            progress=progress,
            message=message,
            result=result,
            error=error,
            finished_at=utcnow(),
        )
    )


def request_cancel(session: Session, *, id: int) -> None:
    """A queued job is cancelled at once; a running one is flagged for the process running it."""
    session.execute(
        update(JobRow)
        .where(JobRow.id == id, JobRow.state == JobState.QUEUED.value)
        .values(state=JobState.CANCELLED.value, message=CANCELLED, finished_at=utcnow(), cancel_requested=True)
    )
    session.execute(
        update(JobRow)
        .where(JobRow.id == id, JobRow.state == JobState.RUNNING.value)
        .values(cancel_requested=True)
    )


def cancel_requested(session: Session, *, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` their owners asked to cancel."""
    wanted = list(ids)
    if not wanted:
        return set()
    query = select(JobRow.id).where(JobRow.id.in_(wanted), JobRow.cancel_requested.is_(True))
    return set(session.scalars(query))


class ActiveJob(NamedTuple):
    id: int
    worker: str
    created_at: dt.datetime
    heartbeat_at: dt.datetime


def active_jobs(session: Session) -> list[ActiveJob]:
    """Queued and running jobs with the process holding them and its last sign of life."""
    query = select(JobRow.id, JobRow.worker, JobRow.created_at, JobRow.heartbeat_at).where(
        JobRow.state.in_(ACTIVE)
    )
    jobs = []
    for i, worker, created, beat in session.execute(query):
        born = _aware(created) or utcnow()
        jobs.append(ActiveJob(i, worker or "", born, _aware(beat) or born))
    return jobs


def fail_jobs(session: Session, *, ids: Iterable[int], error: str) -> int:
    """Mark still-active jobs failed with ``error``; returns how many changed."""
    wanted = list(ids)
    if not wanted:
        return 0
    done = session.execute(
        update(JobRow)
        .where(JobRow.id.in_(wanted), JobRow.state.in_(ACTIVE))
        .values(state=JobState.FAILED.value, error=error, message=error, finished_at=utcnow())
    )
    return int(done.rowcount)  # type: ignore[attr-defined]
