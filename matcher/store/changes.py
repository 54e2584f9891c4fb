"""The registry change log: which enterprises were written or deleted, in order, for every worker to follow.

Each worker process fits its own matching pool; to update it by enterprise id it must learn which
enterprises changed since it last looked, including those deleted (a row that is gone says nothing). Every
flush that inserts, updates or deletes an ``EnterpriseRow`` appends their ids here, in the same transaction,
whatever service wrote them; ``delete_enterprise`` (a bulk delete the flush does not see) logs its own.
A worker asks for the rows after the last sequence number it applied: one index range read.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, event, func, insert, select, text
from sqlalchemy.orm import Session

from matcher.store.tables import EnterpriseRow, RegistryChangeRow


class Changes(NamedTuple):
    """The enterprises changed after some sequence number, and the newest sequence number read."""

    cursor: int
    enterprise_ids: frozenset[int]


def log_changes(session: Session, enterprise_ids: set[int]) -> None:
    """Record that these enterprises were written or deleted (part of the session's transaction).

    On PostgreSQL the log is locked against other writers until the transaction ends, so sequence numbers
    become visible in order: a reader that has seen number 11 can never later find a 10 committed behind
    it (SQLite lets one writer in at a time anyway). Plain reads are not blocked.
    """
    if not enterprise_ids:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE registry_changes IN SHARE ROW EXCLUSIVE MODE"))
    conn.execute(insert(RegistryChangeRow), [{"enterprise_id": i} for i in sorted(enterprise_ids)])


def _log_flushed(session: Session, _context: Any) -> None:
    """After a flush (new/dirty/deleted still list what it wrote): log the enterprises among them."""
    written = (*session.new, *session.dirty, *session.deleted)
    log_changes(session, {o.id for o in written if isinstance(o, EnterpriseRow) and o.id is not None})


event.listen(Session, "after_flush", _log_flushed)


def changes_since(conn: Connection, cursor: int) -> Changes:
    """The enterprises logged after ``cursor`` and the newest sequence number (``cursor`` if none)."""
    rows = conn.execute(
        select(RegistryChangeRow.seq, RegistryChangeRow.enterprise_id).where(RegistryChangeRow.seq > cursor)
    ).all()
    return Changes(max((r[0] for r in rows), default=cursor), frozenset(r[1] for r in rows))


def newest_change(conn: Connection) -> int:
    """The newest sequence number of the log (0 when empty)."""
    return int(conn.execute(select(func.max(RegistryChangeRow.seq))).scalar() or 0)
