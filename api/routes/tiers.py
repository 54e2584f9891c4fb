"""梯度培育 over HTTP: assess one enterprise or a park, the park's pyramid per year, XLSX report and chart."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from api.audit import audit_read
from api.auth import require
from api.deps import EngineDep, EnterpriseId
from api.schemas import (
    Page,
    PyramidYearPublic,
    TierAssessmentPublic,
    TierConditionPublic,
    TierGapPublic,
    TierIndicatorPublic,
    TierMovePublic,
    TierResultPublic,
    TierRunPublic,
    TierSummaryPublic,
    TierSupportPublic,
    TierValuePublic,
)
from matcher.auth import Action, Principal, Resource
from matcher.engine import TierRun
from matcher.tiers import Assessment, PyramidYear, support_plan
from matcher.tiers.assess import TierResult, Value
from matcher.tiers.summary import main_gap, points_of

router = APIRouter(tags=["梯度培育"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DRAWING = threading.Lock()  # matplotlib's pyplot is not thread-safe; routes run in a thread pool
# The role gate; the engine applies the record rules (a park's admins, an enterprise's own users).
Reader = Annotated[Principal, require(Resource.TIER, Action.READ)]
Assessor = Annotated[Principal, require(Resource.TIER, Action.UPDATE)]


def _value(v: Value) -> TierValuePublic:
    return TierValuePublic(metric=v.metric, title=v.title, value=v.value, display=v.display)


def _result(r: TierResult) -> TierResultPublic:
    indicators = [
        TierIndicatorPublic(
            id=i.id,
            title=i.title,
            group=i.group,
            points=i.points,
            lo=i.lo,
            hi=i.hi,
            max=i.max,
            display=i.display,
            values=[_value(v) for v in i.values],
            article=i.article,
        )
        for i in r.indicators
    ]
    conditions = [
        TierConditionPublic(
            id=c.id,
            title=c.title,
            state=c.state.value,
            state_label=c.state.label,
            value=None if c.value is None else _value(c.value),
            requirement=c.requirement,
            article=c.article,
        )
        for c in r.conditions
    ]
    return TierResultPublic(
        tier=r.tier,
        label=r.tier.label,
        state=r.state.value,
        state_label=r.state.label,
        points=r.points,
        points_lo=r.points_lo,
        points_hi=r.points_hi,
        indicators=indicators,
        conditions=conditions,
    )


def assessment_public(enterprise_id: int, a: Assessment) -> TierAssessmentPublic:
    table, points, _, _ = points_of(a)
    gaps = [
        TierGapPublic(
            rule_id=g.rule_id,
            title=g.title,
            metric=g.metric,
            missing=g.missing,
            current=g.current,
            required=g.required,
            amount=g.amount,
            unit=g.unit,
            cost=g.cost,
            message=g.message,
            article=g.article,
        )
        for g in a.gaps_to_next
    ]
    return TierAssessmentPublic(
        enterprise_id=enterprise_id,
        uscc=a.uscc,
        name=a.name,
        as_of=a.as_of,
        tier=a.tier,
        tier_label=a.tier.label,
        possible_tier=a.possible_tier,
        next_tier=a.next_tier,
        points=points,
        points_tier=table,
        results=[_result(r) for r in a.results.values()],
        gaps=gaps,
        missing=list(a.missing),
        steps=list(support_plan(a).steps),
    )


def run_public(run: TierRun) -> TierRunPublic:
    rows = [
        TierSummaryPublic(
            enterprise_id=eid,
            uscc=a.uscc,
            name=a.name,
            declared_tier=declared,
            tier=a.tier,
            points=points_of(a)[1],
            main_gap=main_gap(a),
        )
        for eid, declared, a in zip(run.enterprise_ids, run.declared, run.assessments, strict=True)
    ]
    created, updated = run.saved if run.saved is not None else (0, 0)
    return TierRunPublic(
        park=run.park,
        as_of=run.as_of,
        criteria_version=run.criteria_version,
        counts=run.counts(),
        created=created,
        updated=updated,
        data=rows,
        count=len(rows),
    )


def year_public(y: PyramidYear) -> PyramidYearPublic:
    moves = [TierMovePublic(from_tier=a, to_tier=b, count=n) for (a, b), n in y.moves.items()]
    return PyramidYearPublic(
        year=y.year,
        counts=y.counts,
        up=y.up,
        down=y.down,
        same=y.same,
        entered=y.entered,
        left=y.left,
        moves=moves,
    )


def _download(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f"attachment; filename=\"tiers{Path(name).suffix}\"; filename*=UTF-8''{quote(name)}"
    }


@router.get("/tiers/assess/{enterprise_id}", summary="评估一家企业（不保存）：层级、各指标得分与中文差距")
def assess_enterprise(
    engine: EngineDep, who: Reader, enterprise_id: EnterpriseId, as_of: dt.date | None = None
) -> TierAssessmentPublic:
    return assessment_public(enterprise_id, engine.tiers.tier_assessment(enterprise_id, as_of=as_of, principal=who))


@router.post("/tiers/assess", summary="评估并按日期保存（一个园区或全部企业；同日重评覆盖）")
def assess_park(
    engine: EngineDep, who: Assessor, park: str | None = None, as_of: dt.date | None = None
) -> TierRunPublic:
    return run_public(engine.tiers.assess_tiers(park=park, as_of=as_of, save=True, principal=who))


@router.get("/parks/{park}/tiers/pyramid", summary="园区历年梯度金字塔（按已保存的评估）")
def park_pyramid(engine: EngineDep, who: Reader, park: str) -> Page[PyramidYearPublic]:
    years = [year_public(y) for y in engine.tiers.tier_pyramid(park, principal=who)]
    return Page(data=years, count=len(years))


@router.get(
    "/parks/{park}/tiers/report.xlsx",
    summary="园区梯度培育报告（XLSX，含金字塔图）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def park_report(
    request: Request, engine: EngineDep, who: Reader, park: str, as_of: dt.date | None = None
) -> Response:
    with tempfile.TemporaryDirectory() as tmp, _DRAWING:
        out, chart = Path(tmp) / "report.xlsx", Path(tmp) / "pyramid.png"
        data = engine.tiers.tier_report(park, out, chart=chart, as_of=as_of, principal=who).path.read_bytes()
    audit_read(request, what="export", kind="tier_report")
    return Response(data, media_type=XLSX, headers=_download(f"{park}梯度培育报告.xlsx"))


@router.get(
    "/parks/{park}/tiers/pyramid.png",
    summary="园区梯度金字塔图（PNG）",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def park_pyramid_png(engine: EngineDep, who: Reader, park: str) -> Response:
    with tempfile.TemporaryDirectory() as tmp, _DRAWING:
        data = engine.tiers.tier_pyramid_chart(park, Path(tmp) / "pyramid.png", principal=who).read_bytes()
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/tiers/support/{enterprise_id}", summary="精准培育：最便宜补齐的差距与可对接的龙头企业需求")
def tier_support(
    engine: EngineDep, who: Reader, enterprise_id: EnterpriseId, as_of: dt.date | None = None
) -> TierSupportPublic:
    plan = engine.tiers.tier_support(enterprise_id, as_of=as_of, principal=who)
    return TierSupportPublic(
        uscc=plan.uscc,
        name=plan.name,
        tier=plan.tier.label,
        next_tier=plan.next_tier.label if plan.next_tier else None,
        cheapest_gap=plan.cheapest.message if plan.cheapest else None,
        cost=plan.cost,
        steps=list(plan.steps),
        demands=[str(d) for d in plan.demands],
    )
