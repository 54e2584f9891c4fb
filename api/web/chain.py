"""产业链图谱 pages: one park's chain for one industry — the map, per-link coverage (upstream first), gaps
and weak links with the leading firms they expose, 链式招商 candidates per missing link, 融入供应链.

Every block is an Engine result computed with the caller's Principal, the same calls as
``/api/parks/{park}/chain/*``: the platform picks any park; park admins, organizers and leading-firm users
(``Resource.CHAIN`` READ in the policy) see the park(s) they are bound to. Nothing is analysed here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import EngineDep
from api.web.pages import engine_errors, page, render
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import Principal
from matcher.domain import Park
from matcher.engine import Engine

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, page(Resource.CHAIN, Action.READ)]
CANDIDATES_PER_GAP = 5


def visible_parks(engine: Engine, who: Principal) -> list[Park]:
    """The parks the caller may pick, in the registry's order: every park for the platform, else its own."""
    parks = [p for p, _ in engine.registry.parks()]
    return parks if who.is_platform_admin else [p for p in parks if p.name in who.park_names]


def chain_context(engine: Engine, who: Principal, park: str | None, industry: str | None) -> dict[str, Any]:
    parks = visible_parks(engine, who)
    name = park or (parks[0].name if parks else None)
    if name is None:
        return {"parks": [], "park": None}
    view = engine.chain.chain_view(name, industry=industry, top=CANDIDATES_PER_GAP, principal=who)
    ctx: dict[str, Any] = {"parks": parks, "park": view.chains.park, "chains": view.chains, "cov": view.cov}
    ctx["candidates_per_gap"] = CANDIDATES_PER_GAP
    if view.cov is not None:
        ctx |= {"recruitment": view.recruitment, "integration": view.integration, "svg": view.svg}
        ctx["names"] = {lc.node: lc.name for lc in view.cov.links}
    return ctx


@router.get("/chain", response_class=HTMLResponse)
def chain_page(
    request: Request, engine: EngineDep, who: Reader, park: str | None = None, industry: str | None = None
) -> Response:
    with engine_errors():  # another park: the 403 page; an unknown park or industry: the 404 page
        ctx = chain_context(engine, who, park, industry)
    return render(request, "chain.html", {"who": who, **ctx})
