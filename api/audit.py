"""The audit middleware: one row per write request that reached an access rule, whatever route it was
(a POST whose rule is a read, such as a matching query, is not a write), and one per read of sensitive
data that the route marked with ``audit_read`` (exports, contact details, candidate lists, the log itself).

Routes need do nothing for writes: ``require`` (and ``page``) leave the declared rule and the caller in the
request state, and this middleware writes the row once the response has gone out, with the final status
(refused writes too). A route may add ``request.state.audit_detail`` (a small dict) to say more.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.auth.audit import AuditEntry, record
from matcher.auth.policy import Access, Action
from matcher.auth.principal import Principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger(__name__)


def audit_read(request: Request, **detail: str | int) -> None:
    """Mark this read as sensitive: the middleware records it like a write (``detail`` says what)."""
    request.state.audit_read = True
    request.state.audit_detail = {**(getattr(request.state, "audit_detail", None) or {}), **detail}


def audit_candidates(request: Request, who: Principal, **detail: str | int) -> None:
    """A candidate list read by staff (admins, system accounts) is audited; the publisher's own users
    (the only enterprise users the policy lets read one) reading their own lists are not."""
    if who.enterprise_id is None:
        audit_read(request, what="candidates", **detail)


class AuditMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            _write(scope, status)


def _write(scope: Scope, status: int) -> None:
    state: dict[str, Any] = scope.get("state") or {}
    access = state.get("access")
    store = state.get("audit_store")
    if not isinstance(access, Access) or store is None:
        return
    sensitive = bool(state.get("audit_read"))
    if not sensitive and (scope["method"] in SAFE_METHODS or access.action is Action.READ):
        return  # plain reads, and queries sent as POST (matching, recommendations), are not audited
    params = {k: str(v)[:100] for k, v in (scope.get("path_params") or {}).items()}
    entry = AuditEntry(
        method=scope["method"],
        path=scope["path"],
        status=status,
        principal=state.get("principal"),
        resource=access.resource.value,
        action=access.action.value,
        detail={**params, **(state.get("audit_detail") or {})},
    )
    try:
        record(store, entry)
    except Exception:  # an audit failure must not turn a finished request into an error
        log.exception("审计日志写入失败：%s %s", entry.method, entry.path)
