"""The audit log: every write through the API (and every refused one), who made it and how it ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

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


def recent(store: Store, *, limit: int = 100, offset: int = 0) -> list[AuditRecord]:
    """The newest entries first."""
    with store.session() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.id.desc()).offset(offset).limit(limit))
        return [
            AuditRecord(
                r.id, r.at, r.username, r.role, r.method, r.path, r.resource, r.action, r.status, r.detail
            )
            for r in rows
        ]
