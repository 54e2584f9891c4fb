"""先试首用 over HTTP: register innovation products, request or offer trials, move them through their
states, and the park dashboard. The engine's ``trials`` service applies the record rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import require
from api.deps import MAX_ID, EngineDep
from api.trial_schemas import (
    ProductIn,
    ProductPublic,
    TrialDashboardPublic,
    TrialOfferIn,
    TrialPublic,
    TrialRequestIn,
    TrialStateIn,
)
from matcher.auth import Action, Principal, Resource

router = APIRouter(tags=["先试首用"])
ProductId = Annotated[int, Path(ge=1, le=MAX_ID, description="新产品编号")]
TrialId = Annotated[int, Path(ge=1, le=MAX_ID, description="试用编号")]
Starter = Annotated[Principal, require(Resource.TRIAL, Action.CREATE)]
TrialReader = Annotated[Principal, require(Resource.TRIAL, Action.READ)]


@router.get("/innovations", summary="创新产品目录（首台套/首批次/首版次）")
def innovations(
    engine: EngineDep,
    _: Annotated[Principal, require(Resource.INNOVATION, Action.READ)],
    enterprise_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ProductPublic]:
    return [ProductPublic.of(p) for p in engine.trials.products(enterprise_id=enterprise_id)]


@router.post("/innovations", summary="登记新产品（本企业；管理员代所辖园区企业）", status_code=201)
def register_innovation(
    engine: EngineDep, who: Annotated[Principal, require(Resource.INNOVATION, Action.CREATE)], body: ProductIn
) -> ProductPublic:
    spec = body.model_dump(exclude={"enterprise_id"})
    return ProductPublic.of(engine.trials.register(spec, enterprise_id=body.enterprise_id, principal=who))


@router.post("/innovations/{product_id}/trial-requests", summary="龙头企业申请试用", status_code=201)
def request_trial(
    engine: EngineDep, who: Starter, product_id: ProductId, body: TrialRequestIn
) -> TrialPublic:
    found = engine.trials.request(
        product_id, body.plan, buyer_id=body.buyer_id, demand_id=body.demand_id, principal=who
    )
    return TrialPublic.of(found)


@router.post("/innovations/{product_id}/trial-offers", summary="企业向龙头企业提供试用", status_code=201)
def offer_trial(engine: EngineDep, who: Starter, product_id: ProductId, body: TrialOfferIn) -> TrialPublic:
    found = engine.trials.offer(product_id, body.buyer_id, body.plan, demand_id=body.demand_id, principal=who)
    return TrialPublic.of(found)


@router.get("/trials", summary="本企业（或所辖园区企业）参与的试用")
def trials(engine: EngineDep, who: TrialReader) -> list[TrialPublic]:
    return [TrialPublic.of(t) for t in engine.trials.visible(principal=who)]


@router.get("/trials/{trial_id}", summary="一项试用：方案、状态、结果")
def trial(engine: EngineDep, who: TrialReader, trial_id: TrialId) -> TrialPublic:
    return TrialPublic.of(engine.trials.get(trial_id, principal=who))


@router.put("/trials/{trial_id}/state", summary="推进试用：开始试用、通过/未通过（附结果）、采用")
def advance_trial(
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.TRIAL, Action.UPDATE)],
    trial_id: TrialId,
    body: TrialStateIn,
) -> TrialPublic:
    return TrialPublic.of(engine.trials.advance(trial_id, body.state, result=body.result, principal=who))


@router.get("/parks/{park}/trials", summary="园区先试首用统计：按主导产业、按龙头企业的试用与采用数")
def park_trials(
    engine: EngineDep, who: Annotated[Principal, require(Resource.CHAIN, Action.READ)], park: str
) -> TrialDashboardPublic:
    return TrialDashboardPublic.of(engine.chain.trial_dashboard(park, principal=who))
