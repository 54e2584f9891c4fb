"""Matching over HTTP: candidate suppliers of a demand (or free text), recommendations for an SME.

Supplier searches answer with ``X-Matcher-Cache: hit`` when the engine answered from its memory of recent
searches (``miss`` otherwise), so a load test can tell how much of its mix the cache served.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, FastAPI, Query, Request, Response

from api.audit import audit_candidates
from api.auth import require
from api.deps import DemandId, EngineDep, EnterpriseId, get_engine
from api.schemas import (
    BuyerMatchPublic,
    DemandMatchPublic,
    MatchQuery,
    OfferQuery,
    RecommendationsPublic,
    RemovedPublic,
    RequirementPublic,
    SupplierMatchPublic,
    SupplierSearchPublic,
)
from matcher.auth import Action, Principal, Resource
from matcher.engine.matching import Recommendations, SupplierSearch
from matcher.errors import ValidationError
from matcher.ranking.constraints import Constraints

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Fit the matching pool before this worker takes requests when the registry is large.

    At 100k enterprises a fit takes ~40 s; left to the first query, a second server worker fitted its
    pool in the middle of the traffic (its share of the requests waited, and the load test collapsed).
    Small registries (tests, demos) fit on first use as before.
    """
    engine = app.dependency_overrides.get(get_engine, get_engine)()
    try:
        await anyio.to_thread.run_sync(engine.matching.warm_pool)  # from settings.warm_pool_at enterprises
    except Exception:  # the first query reports a registry problem; do not block the start
        log.warning("无法预先建立匹配索引", exc_info=True)
    yield


router = APIRouter(tags=["匹配"], lifespan=lifespan)
Matcher = Annotated[Principal, require(Resource.MATCH, Action.READ)]
Recommender = Annotated[Principal, require(Resource.RECOMMENDATION, Action.READ)]
Top = Annotated[int, Query(ge=1, le=200, description="返回条数")]
CACHE_HEADER = "X-Matcher-Cache"


def _requirements(items: list[Any]) -> list[RequirementPublic]:
    return [RequirementPublic(label=r.label, status=r.status, detail=r.detail) for r in items]


def _suppliers(result: SupplierSearch, response: Response | None = None) -> SupplierSearchPublic:
    if response is not None:
        response.headers[CACHE_HEADER] = "hit" if result.cached else "miss"
    data = [
        SupplierMatchPublic(**{**m._asdict(), "requirements": _requirements(m.requirements)})
        for m in result.matches
    ]
    removed = [
        RemovedPublic(constraint=r.key, label=r.label, count=r.firms, message=r.message)
        for r in result.removed
    ]
    return SupplierSearchPublic(
        data=data,
        count=len(data),
        items=list(result.items),
        eligible=result.eligible,
        pool=result.pool,
        floor=result.floor,
        hidden=result.hidden,
        removed=removed,
        relaxed=[p.key for p in result.relaxed],
        notice=result.notice,
    )


def _recommendations(rec: Recommendations) -> RecommendationsPublic:
    return RecommendationsPublic(
        buyers=[BuyerMatchPublic(**b._asdict()) for b in rec.buyers],
        demands=[
            DemandMatchPublic(**{**d._asdict(), "requirements": _requirements(d.requirements)})
            for d in rec.demands
        ],
        items=list(rec.items),
    )


@router.post("/match", summary="按需求文本推荐供应商")
def match_text(
    engine: EngineDep, who: Matcher, query: MatchQuery, response: Response
) -> SupplierSearchPublic:
    bad = [r for r in query.roles if r not in ("leading", "sme", "other")]
    if bad:
        raise ValidationError([f"roles 取值“{bad[0]}”无效，应为 leading / sme / other"])
    constraints = Constraints(
        tuple(query.certifications), tuple(query.regions), query.park, tuple(query.roles)
    )
    return _suppliers(
        engine.matching.suppliers_for(text=query.text, k=query.top, constraints=constraints, principal=who), response
    )


Relax = Annotated[
    list[str] | None,
    Query(max_length=20, description="放宽的条件键（见响应的 removed[].constraint），如 cert:IATF 16949"),
]


@router.get("/demands/{demand_id}/suppliers", summary="已登记需求的候选供应商")
def demand_suppliers(
    request: Request,
    engine: EngineDep,
    who: Matcher,
    demand_id: DemandId,
    response: Response,
    top: Top = 10,
    relax: Relax = None,
) -> SupplierSearchPublic:
    found = engine.matching.suppliers_for(demand_id=demand_id, k=top, principal=who, relax=tuple(relax or ()))
    audit_candidates(request, who)
    return _suppliers(found, response)


@router.get("/enterprises/{enterprise_id}/recommendations", summary="为企业推荐买方与可响应需求")
def enterprise_recommendations(
    engine: EngineDep, who: Recommender, enterprise_id: EnterpriseId, top: Top = 10
) -> RecommendationsPublic:
    return _recommendations(engine.matching.buyers_for(enterprise_id=enterprise_id, k=top, principal=who))


@router.post("/recommend", summary="按供应能力描述推荐买方与需求")
def recommend_text(engine: EngineDep, who: Recommender, query: OfferQuery) -> RecommendationsPublic:
    return _recommendations(engine.matching.buyers_for(text=query.text, k=query.top, principal=who))
