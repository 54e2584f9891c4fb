"""The audit log: every write through the API and the web app (and every refused one), and every read of
sensitive data (exports, contact details, candidate lists): who, what, and how it ended.

>>> page = recent(store, filters=AuditFilters(username="park1", resource="export"), limit=50)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select

from matcher.auth.principal import Principal
from matcher.store import Store
from matcher.store.tables import AuditRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    method: str
    path: str
    status: int
    principal: Principal | None = None
    resource: str = ""
    action: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime
    username: str
    role: str
    method: str
    path: str
    resource: str
    action: str
    status: int
    detail: dict[str, Any]


def record(store: Store, entry: AuditEntry) -> None:
    p = entry.principal
    with store.session() as s:
        s.add(
            AuditRow(
                account_id=p.account_id if p else None,
                username=p.username if p else "",
                role=p.role.value if p else "",
                method=entry.method[:8],
                path=entry.path[:500],
                resource=entry.resource,
                action=entry.action,
                status=entry.status,
                detail=entry.detail,
            )
        )


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What to look for; every field left empty matches everything."""

    username: str = ""
    resource: str = ""
    action: str = ""
    path: str = ""  # a part of the path
    status: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        for column, value in ((AuditRow.username, self.username), (AuditRow.resource, self.resource)):
            if value:
                found.append(column == value)
        if self.action:
            found.append(AuditRow.action == self.action)
        if self.path:
            escaped = self.path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(AuditRow.path.like(f"%{escaped}%", escape="\\"))
        if self.status is not None:
            found.append(AuditRow.status == self.status)
        if self.since is not None:
            found.append(AuditRow.at >= self.since)
        if self.until is not None:
            found.append(AuditRow.at < self.until)
        return found


class AuditPage(NamedTuple):
    entries: list[AuditRecord]
    total: int


def recent(
    store: Store, *, filters: AuditFilters | None = None, limit: int = 100, offset: int = 0
) -> AuditPage:
    """The entries matching ``filters``, newest first, and how many match in all."""
    where = (filters or AuditFilters()).clauses()
    with store.session() as s:
        total = s.scalar(select(func.count()).select_from(AuditRow).where(*where)) or 0
        rows = s.scalars(select(AuditRow).where(*where).order_by(AuditRow.id.desc()).offset(offset).limit(limit))
        entries = [
            AuditRecord(
                r.id, r.at, r.username, r.role, r.method, r.path, r.resource, r.action, r.status, r.detail
            )
            for r in rows
        ]
        return AuditPage(entries, int(total))
