"""Matching over HTTP: candidate suppliers of a demand (or free text), recommendations for an SME."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import require
from api.deps import DemandId, EngineDep, EnterpriseId
from api.schemas import (
    BuyerMatchPublic,
    DemandMatchPublic,
    MatchQuery,
    OfferQuery,
    RecommendationsPublic,
    RequirementPublic,
    SupplierMatchPublic,
    SupplierSearchPublic,
)
from matcher.auth import Action, Principal, Resource
from matcher.engine.matching import Recommendations, SupplierSearch
from matcher.errors import ValidationError
from matcher.ranking.constraints import Constraints

router = APIRouter(tags=["匹配"])
Matcher = Annotated[Principal, require(Resource.MATCH, Action.READ)]
Recommender = Annotated[Principal, require(Resource.RECOMMENDATION, Action.READ)]
Top = Annotated[int, Query(ge=1, le=200, description="返回条数")]


def _requirements(items: list[Any]) -> list[RequirementPublic]:
    return [RequirementPublic(label=r.label, status=r.status, detail=r.detail) for r in items]


def _suppliers(result: SupplierSearch) -> SupplierSearchPublic:
    data = [
        SupplierMatchPublic(**{**m._asdict(), "requirements": _requirements(m.requirements)})
        for m in result.matches
    ]
    return SupplierSearchPublic(
        data=data, count=len(data), items=list(result.items), eligible=result.eligible, pool=result.pool
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
def match_text(engine: EngineDep, who: Matcher, query: MatchQuery) -> SupplierSearchPublic:
    bad = [r for r in query.roles if r not in ("leading", "sme", "other")]
    if bad:
        raise ValidationError([f"roles 取值“{bad[0]}”无效，应为 leading / sme / other"])
    constraints = Constraints(
        tuple(query.certifications), tuple(query.regions), query.park, tuple(query.roles)
    )
    return _suppliers(
        engine.suppliers_for(text=query.text, k=query.top, constraints=constraints, principal=who)
    )


@router.get("/demands/{demand_id}/suppliers", summary="已登记需求的候选供应商")
def demand_suppliers(
    engine: EngineDep, who: Matcher, demand_id: DemandId, top: Top = 10
) -> SupplierSearchPublic:
    return _suppliers(engine.suppliers_for(demand_id=demand_id, k=top, principal=who))


@router.get("/enterprises/{enterprise_id}/recommendations", summary="为企业推荐买方与可响应需求")
def enterprise_recommendations(
    engine: EngineDep, who: Recommender, enterprise_id: EnterpriseId, top: Top = 10
) -> RecommendationsPublic:
    return _recommendations(engine.buyers_for(enterprise_id=enterprise_id, k=top, principal=who))


@router.post("/recommend", summary="按供应能力描述推荐买方与需求")
def recommend_text(engine: EngineDep, who: Recommender, query: OfferQuery) -> RecommendationsPublic:
    return _recommendations(engine.buyers_for(text=query.text, k=query.top, principal=who))
