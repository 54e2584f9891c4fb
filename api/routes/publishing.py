"""Publishing over HTTP: leading firms publish and change demands and decide on their candidate suppliers;
enterprises keep their own profile. The engine checks every write against the policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.audit import audit_candidates
from api.auth import require
from api.deps import DemandId, EngineDep, EnterpriseId, IfMatch, expected_version, tag
from api.routes.matching import _suppliers
from api.schemas import (
    CandidateDecisionIn,
    CandidateDecisionPublic,
    CandidatesPublic,
    DemandCreate,
    DemandPatch,
    DemandPublic,
    EnterprisePublic,
    ProfilePatch,
)
from matcher.auth import Action, Principal, Resource
from matcher.engine.publishing import CandidateDecision

router = APIRouter(tags=["需求发布与候选处理"])
Top = Annotated[int, Query(ge=1, le=200, description="返回条数")]


def _decision(d: CandidateDecision) -> CandidateDecisionPublic:
    return CandidateDecisionPublic(
        enterprise_id=d.enterprise_id,
        name=d.name,
        decision=d.decision.value,
        decision_label=d.decision.label,
        note=d.note,
        score=d.score,
    )


@router.post(
    "/demands", summary="发布需求（龙头企业为本企业发布；管理员代所辖园区企业发布）", status_code=201
)
def publish_demand(
    engine: EngineDep, who: Annotated[Principal, require(Resource.DEMAND, Action.CREATE)], body: DemandCreate
) -> DemandPublic:
    d = engine.publishing.publish_demand(body.model_dump(), principal=who)
    return DemandPublic.of(d)


@router.patch("/demands/{demand_id}", summary="修改需求（如关闭、调整可见范围）；只改提交的字段")
def update_demand(
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.DEMAND, Action.UPDATE)],
    demand_id: DemandId,
    body: DemandPatch,
    response: Response,
    expected: IfMatch = None,
) -> DemandPublic:
    changes = body.model_dump(exclude_unset=True)
    version = expected_version(expected, changes.pop("version", None))
    d = engine.publishing.update_demand(demand_id, changes, principal=who, version=version)
    tag(response, d.version)
    return DemandPublic.of(d)


@router.get("/demands/{demand_id}/candidates", summary="候选供应商（含推荐理由）与入围、淘汰记录")
def demand_candidates(
    request: Request,
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.MATCH, Action.READ)],
    demand_id: DemandId,
    top: Top = 20,
) -> CandidatesPublic:
    search, decisions = engine.publishing.candidates(demand_id, k=top, principal=who)
    audit_candidates(request, who)
    return CandidatesPublic(suppliers=_suppliers(search), decisions=[_decision(d) for d in decisions])


@router.put(
    "/demands/{demand_id}/candidates/{enterprise_id}",
    summary="入围或淘汰一家候选供应商（再次提交即更改；clear 撤销）",
)
def decide_candidate(
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.MATCH, Action.UPDATE)],
    demand_id: DemandId,
    enterprise_id: EnterpriseId,
    body: CandidateDecisionIn,
) -> CandidateDecisionPublic | None:
    found = engine.publishing.decide_candidate(demand_id, enterprise_id, body.decision, note=body.note, principal=who)
    return None if found is None else _decision(found)


@router.patch("/enterprises/{enterprise_id}", summary="修改企业档案：产品、能力、资质、产能、联系方式")
def update_profile(
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.ENTERPRISE, Action.UPDATE)],
    enterprise_id: EnterpriseId,
    body: ProfilePatch,
    response: Response,
    expected: IfMatch = None,
) -> EnterprisePublic:
    changes = body.model_dump(exclude_unset=True)
    version = expected_version(expected, changes.pop("version", None))
    found = engine.publishing.update_profile(enterprise_id, changes, principal=who, version=version)
    tag(response, found.version)
    return EnterprisePublic.of(found.id, found.record, private=True, version=found.version)
