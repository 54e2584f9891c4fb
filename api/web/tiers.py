"""梯度培育 pages: a park's tier pyramid (latest saved year and its movement against the previous one), the
cultivation pipeline (培育梯队) with quantified gaps, the (re)assessment button, and one enterprise's
assessment with its support plan.

The same Engine calls as ``/api/tiers`` and ``/api/parks/{park}/tiers/*``, with the caller's Principal: park
pages are for the platform and the park's admins; an enterprise user (who may read only its own
assessment) is sent to its enterprise's page. The assessment itself runs through ``POST /api/tiers/assess``
from ``static/park.js``.
"""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EngineDep, EnterpriseId
from api.web.chain import visible_parks
from api.web.pages import engine_errors, page, render
from matcher.auth.policy import Access, Action, Resource, allows
from matcher.auth.principal import Principal
from matcher.domain import Tier
from matcher.engine import Engine
from matcher.tiers import PyramidYear, awaiting_data, pipeline
from matcher.tiers.gaps import NOT_CLOSABLE, fmt
from matcher.tiers.summary import points_of
from matcher.tiers.support import PipelineEntry

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, page(Resource.TIER, Action.READ)]
ASSESS = Access(Resource.TIER, Action.UPDATE)
TOP_DOWN = tuple(reversed(Tier))  # the pyramid read from its top: 领航 … 未入库


class PyramidRow(NamedTuple):
    label: str
    now: int
    previous: int | None


class PipelineLine(NamedTuple):
    enterprise_id: int | None
    name: str
    tier: str
    cost: str
    open_gaps: int
    summary: str


def pyramid_rows(latest: dict[Tier, int], previous: PyramidYear | None) -> list[PyramidRow]:
    return [
        PyramidRow(t.label, latest.get(t, 0), None if previous is None else previous.counts.get(t, 0))
        for t in TOP_DOWN
    ]


def tiers_context(engine: Engine, who: Principal, park: str | None) -> dict[str, Any]:
    parks = visible_parks(engine, who)
    name = park or (parks[0].name if parks else None)
    if name is None:
        return {"parks": [], "park": None}
    years = engine.tiers.tier_pyramid(name, principal=who)  # saved assessments, per year
    run = engine.tiers.assess_tiers(park=name, save=False, principal=who)  # today's data, for the pipeline
    latest = years[-1] if years else None
    previous = years[-2] if len(years) > 1 else None
    ids = {a.uscc: eid for eid, a in zip(run.enterprise_ids, run.assessments, strict=True)}
    groups = [
        (target.label, [_line(e, ids.get(e.uscc)) for e in entries])
        for target, entries in pipeline(run.assessments).items()
    ]
    return {
        "parks": parks,
        "park": name,
        "latest": latest,
        "previous": previous,
        "rows": pyramid_rows(latest.counts if latest else run.counts(), previous),
        "moves": sorted(latest.moves.items(), key=lambda kv: -kv[1]) if latest else [],
        "run": run,
        "pipeline": groups,
        "awaiting": [(a.name, ids.get(a.uscc)) for a in awaiting_data(run.assessments)],
        "may_assess": allows(who, ASSESS),
    }


def _line(e: PipelineEntry, enterprise_id: int | None) -> PipelineLine:
    cost = "—" if e.cost is None else fmt(e.cost)  # None: some gap money cannot close (years, awards…)
    return PipelineLine(enterprise_id, e.name, e.tier.label, cost, e.open_gaps, e.summary)


def enterprise_context(engine: Engine, who: Principal, enterprise_id: int) -> dict[str, Any]:
    a = engine.tiers.tier_assessment(enterprise_id, principal=who)
    table, points, lo, hi = points_of(a)
    return {
        "enterprise_id": enterprise_id,
        "a": a,
        "points": {"table": table.label, "points": points, "lo": lo, "hi": hi},
        "scored": a.results.get(table),
        "plan": engine.tiers.tier_support(enterprise_id, principal=who),
        "history": engine.tiers.tier_history(enterprise_id, principal=who),
        "fmt": fmt,
        "not_closable": NOT_CLOSABLE,
        "park_page": who.is_platform_admin or who.is_park_admin,
    }


@router.get("/tiers", response_class=HTMLResponse)
def tiers_page(request: Request, engine: EngineDep, who: Reader, park: str | None = None) -> Response:
    if not (who.is_platform_admin or who.is_park_admin) and who.enterprise_id is not None:
        return RedirectResponse(f"/tiers/enterprise/{who.enterprise_id}", status_code=303)
    with engine_errors():
        ctx = tiers_context(engine, who, park)
    return render(request, "tiers.html", {"who": who, **ctx})


@router.get("/tiers/enterprise/{enterprise_id}", response_class=HTMLResponse)
def tier_enterprise_page(
    request: Request, engine: EngineDep, who: Reader, enterprise_id: EnterpriseId
) -> Response:
    with engine_errors():
        ctx = enterprise_context(engine, who, enterprise_id)
    return render(request, "tiers_enterprise.html", {"who": who, **ctx})
