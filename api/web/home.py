"""What each role's home page shows, read through the engine with the caller's Principal (so scoped)."""

from __future__ import annotations

from typing import Any, NamedTuple

from matcher.auth.principal import AccountRole, Principal
from matcher.engine import Engine
from matcher.store.repository import StoredDemand, StoredEnterprise

LIST_SIZE = 8


class DemandLine(NamedTuple):
    id: int
    code: str
    title: str
    kind: str
    status: str
    visibility: str
    own: bool


def _lines(rows: list[StoredDemand], who: Principal) -> list[DemandLine]:
    return [
        DemandLine(
            d.id,
            d.record.code,
            d.record.title,
            d.record.kind.label,
            d.record.status.label,
            d.record.visibility.label,
            who.acts_for(d.publisher_id),
        )
        for d in rows
    ]


def _own_enterprise(engine: Engine, who: Principal) -> StoredEnterprise | None:
    if who.enterprise_id is None:
        return None
    return engine.registry.enterprise(who.enterprise_id, principal=who)


def _parks(engine: Engine, who: Principal) -> list[tuple[str, int]]:
    rows = [(p.name, n) for p, n in engine.registry.parks()]
    if who.role is AccountRole.PLATFORM_ADMIN:
        return rows
    return [(name, n) for name, n in rows if name in who.park_names]


def home_context(engine: Engine, who: Principal) -> dict[str, Any]:
    """The data blocks of the home page; which blocks appear depends on the role."""
    visible = engine.registry.demands(status="open", limit=200, principal=who)
    admin = who.role in (AccountRole.PLATFORM_ADMIN, AccountRole.PARK_ADMIN)
    ctx: dict[str, Any] = {
        "enterprise": _own_enterprise(engine, who),
        "parks": _parks(engine, who) if admin else [],
        "open_demand_count": len(visible),
    }
    if who.role is AccountRole.LEADING_USER:
        own = engine.registry.demands(limit=200, principal=who)
        ctx["demands"] = _lines([d for d in own if who.acts_for(d.publisher_id)], who)[:LIST_SIZE]
        ctx["demands_title"] = "本企业发布的需求"
    else:
        others = [d for d in visible if not who.acts_for(d.publisher_id)]
        ctx["demands"] = _lines(others, who)[:LIST_SIZE]
        ctx["demands_title"] = "可对接的开放需求" if who.role is AccountRole.SME_USER else "开放需求"
    return ctx
