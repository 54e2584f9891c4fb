"""供需对接会 over HTTP: create and read events, shortlists, schedule (synchronous for now), exports,
outcomes and the report.

Access: the role gate of ``matcher.auth.policy`` (reads: anyone signed in; writes: staff), and for writes
to an existing event the record rule ``can_manage_event`` (its park's admins, its assigned organizers).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field

from api.audit import audit_read
from api.auth import require
from api.deps import EngineDep
from api.schemas import (
    EventPublic,
    EventReportPublic,
    EventSummaryPublic,
    OutcomeCreate,
    OutcomePublic,
    Page,
    SchedulePublic,
    ScheduleRequest,
    ShortlistEntryPublic,
    ShortlistsPublic,
)
from matcher.auth import Action, Principal, Resource, policy
from matcher.domain import Role
from matcher.domain.clean import Line
from matcher.engine import OUTCOME_RESULTS, Engine
from matcher.errors import MatcherError
from matcher.events import Event, Outcome, OutcomeKind, ShortlistEntry, Shortlists
from matcher.events.model import MAX_PARTICIPANTS
from matcher.ranking.relevance import points
from matcher.store.events_repo import StoredEvent, StoredSchedule

router = APIRouter(tags=["对接会"])
Reader = Annotated[Principal, require(Resource.EVENT, Action.READ)]


class WishIn(BaseModel):
    buyer: Line = Field(min_length=1, max_length=200, description="龙头企业：参会编号、统一社会信用代码或名称")
    sme: Line = Field(min_length=1, max_length=200, description="中小企业：参会编号、统一社会信用代码或名称")
    level: Literal["must", "want", "no", "clear"] = Field(description="必须见 / 想见 / 不见（移出名单）/ 撤销")


class MinScoreIn(BaseModel):
    min_score: float = Field(ge=0.0, le=100.0, description="最低匹配分（0-100，与推荐名单中的匹配度同一刻度）")
Creator = Annotated[Principal, require(Resource.EVENT, Action.CREATE)]
Manager = Annotated[Principal, require(Resource.EVENT, Action.UPDATE)]
PerBuyer = Annotated[int, Query(ge=1, le=MAX_PARTICIPANTS, description="每家龙头企业推荐的中小企业数")]
PerSme = Annotated[int, Query(ge=1, le=MAX_PARTICIPANTS, description="每家中小企业推荐的龙头企业数")]
Version = Annotated[int | None, Query(ge=1, le=100_000, description="排程版本（默认最新）")]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
SUFFIX = {
    "master": "xlsx",
    "agendas": "xlsx",
    "shortlists": "xlsx",
    "html": "html",
    "cards": "html",
    "ics": "ics",
}


def who_uscc(engine: Engine, who: Principal) -> str | None:
    return None if who.enterprise_id is None else engine.registry.enterprise(who.enterprise_id).record.uscc


def _summary(s: StoredEvent) -> EventSummaryPublic:
    ev: Event = s.event
    return EventSummaryPublic(
        id=s.id,
        code=s.code,
        name=ev.name,
        park=s.park,
        days=sorted({x.day for x in ev.sessions}),
        slot_count=ev.slot_count,
        table_count=len(ev.tables),
        leading_count=len(ev.of_role(Role.LEADING)),
        sme_count=len(ev.of_role(Role.SME)),
        candidate_count=len(ev.candidates),
    )


def _schedule(s: StoredSchedule) -> SchedulePublic:
    sch = s.schedule
    return SchedulePublic(
        event_code=s.event_code,
        version=s.version,
        kind=s.kind,
        stats=sch.stats,
        unmet_musts=sch.unmet_musts,
        sme_shortfall=sch.sme_shortfall,
        meetings=sch.meetings,
    )


def _entries(event: Event, lists: dict[str, list[ShortlistEntry]]) -> dict[str, list[ShortlistEntryPublic]]:
    names = {p.id: p.name for p in event.participants}
    return {
        owner: [
            ShortlistEntryPublic(
                counterpart_id=e.counterpart_id,
                counterpart_name=names[e.counterpart_id],
                rank=e.rank,
                score=points(e.score),
                must=e.must,
                buyer_level=e.buyer_level,
                sme_level=e.sme_level,
                reasons=e.reasons,
            )
            for e in entries
        ]
        for owner, entries in lists.items()
    }


def _lists(event: Event, lists: Shortlists) -> ShortlistsPublic:
    return ShortlistsPublic(by_buyer=_entries(event, lists.by_buyer), by_sme=_entries(event, lists.by_sme))


def _outcome(o: Outcome) -> OutcomePublic:
    return OutcomePublic(
        buyer_id=o.buyer_id,
        sme_id=o.sme_id,
        slot=o.slot,
        held=o.held,
        kind=o.kind.value,
        label=o.kind.label if o.held else "未举行",
        note=o.note,
        recorded_at=o.recorded_at,
    )


@router.post("/events", summary="创建对接会（定义格式见 docs/events.md）", status_code=201)
def create_event(
    engine: EngineDep, who: Creator, definition: Annotated[dict[str, Any], Body()], replace: bool = False
) -> EventPublic:
    if replace:
        engine.events.managed_event(str(definition.get("id", "")), who)
    s = engine.events.create_event(definition, replace=replace, principal=who)
    return EventPublic(id=s.id, code=s.code, park=s.park, event=s.event)


@router.get("/events", summary="对接会列表")
def list_events(engine: EngineDep, who: Reader) -> Page[EventSummaryPublic]:
    rows = [_summary(s) for s in engine.events.visible_events(who)]
    return Page(data=rows, count=len(rows))


@router.get("/events/{code}", summary="对接会详情（含参会企业、意愿与候选组合）")
def get_event(engine: EngineDep, who: Reader, code: str) -> EventPublic:
    s = engine.events.readable_event(code, who)
    return EventPublic(id=s.id, code=s.code, park=s.park, event=s.event)


@router.post("/events/{code}/shortlists", summary="评分并生成双方推荐名单（保存为排程候选）")
def make_shortlists(
    engine: EngineDep, who: Manager, code: str, per_buyer: PerBuyer = 20, per_sme: PerSme = 5
) -> ShortlistsPublic:
    event = engine.events.managed_event(code, who).event
    return _lists(event, engine.events.shortlist_event(code, per_buyer=per_buyer, per_sme=per_sme))


@router.get("/events/{code}/shortlists", summary="双方推荐名单")
def get_shortlists(
    engine: EngineDep, who: Reader, code: str, per_buyer: PerBuyer = 20, per_sme: PerSme = 5
) -> ShortlistsPublic:
    event = engine.events.readable_event(code, who).event
    return _lists(event, engine.events.event_shortlists(code, per_buyer=per_buyer, per_sme=per_sme))


@router.put("/events/{code}/wishes", summary="组织方编辑推荐名单：必须见、想见、不见（移出）或撤销（代龙头企业）")
def set_wish(engine: EngineDep, who: Manager, code: str, body: WishIn) -> ShortlistsPublic:
    lists = engine.events.set_event_wish(code, buyer=body.buyer, sme=body.sme, level=body.level, principal=who)
    return _lists(engine.events.event(code).event, lists)


@router.put("/events/{code}/min-score", summary="最低匹配分：低于该分的组合不安排洽谈（必须见除外）")
def set_min_score(engine: EngineDep, who: Manager, code: str, body: MinScoreIn) -> EventPublic:
    engine.events.set_event_min_score(code, body.min_score, principal=who)
    s = engine.events.event(code)
    return EventPublic(id=s.id, code=s.code, park=s.park, event=s.event)


@router.post("/events/{code}/schedule", summary="CP-SAT 排程（同步执行），保存为新版本并返回求解信息")
def schedule_event(
    engine: EngineDep, who: Manager, code: str, request: ScheduleRequest | None = None
) -> SchedulePublic:
    engine.events.managed_event(code, who)
    req = request or ScheduleRequest()
    return _schedule(engine.events.schedule_event(code, time_limit=req.time_limit, min_meetings=req.min_meetings))


@router.get("/events/{code}/schedule", summary="排程（默认最新版本）")
def get_schedule(engine: EngineDep, who: Reader, code: str, version: Version = None) -> SchedulePublic:
    engine.events.readable_event(code, who)
    return _schedule(engine.events.event_schedule(code, version))


@router.get(
    "/events/{code}/exports/{what}",
    summary="下载：master / agendas / shortlists（XLSX）、html / cards（可打印 HTML）、ics（需 participant）",
    response_class=Response,
)
def export_event(
    request: Request,
    engine: EngineDep,
    who: Reader,
    code: str,
    what: str,
    participant: Annotated[str | None, Query(max_length=200)] = None,
    version: Version = None,
) -> Response:
    if what not in SUFFIX:
        raise MatcherError(f"导出内容应为 {'/'.join(SUFFIX)}，实为“{what}”")
    if what == "ics" and not participant:
        raise MatcherError("导出 ics 须指定 participant（企业编号、统一社会信用代码或名称）")
    stored = engine.events.readable_event(code, who, full=False)
    if engine.events.event_access(stored, who) is not policy.EventAccess.FULL:
        own = engine.events.own_participant(stored, who)
        policy.ensure(
            what == "ics" and participant in (own, who_uscc(engine, who)),
            "参会企业只能下载本企业的日程（ics，participant 为本企业的参会编号）",
        )
    suffix = SUFFIX[what]
    with tempfile.TemporaryDirectory() as tmp:
        path = engine.events.export_event(
            code, what, Path(tmp) / f"out.{suffix}", participant=participant, version=version
        )
        data = path[0].read_bytes()
    audit_read(request, what="event_export", kind=what)
    name = f"{code}-{participant + '-' if participant else ''}{what}.{suffix}"
    disposition = f"attachment; filename=\"{what}.{suffix}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=MEDIA[suffix], headers={"Content-Disposition": disposition})


@router.post("/events/{code}/outcomes", summary="记录洽谈结果（同一组合再次提交即更正）", status_code=201)
def record_outcome(engine: EngineDep, who: Manager, code: str, body: OutcomeCreate) -> OutcomePublic:
    engine.events.managed_event(code, who)
    kind = OUTCOME_RESULTS[body.result]
    saved = engine.events.record_event_outcome(
        code,
        buyer=body.buyer,
        sme=body.sme,
        kind=kind or OutcomeKind.NONE,
        held=kind is not None,
        note=body.note,
    )
    return _outcome(saved)


@router.get("/events/{code}/outcomes", summary="已记录的洽谈结果")
def list_outcomes(engine: EngineDep, who: Reader, code: str) -> Page[OutcomePublic]:
    engine.events.readable_event(code, who)
    rows = [_outcome(o) for o in engine.events.event_outcomes(code)]
    return Page(data=rows, count=len(rows))


@router.get("/events/{code}/report", summary="对接会总结：计划与实际洽谈、意向、试用、签约")
def event_report(engine: EngineDep, who: Reader, code: str) -> EventReportPublic:
    engine.events.readable_event(code, who)
    r = engine.events.event_report(code)
    return EventReportPublic(
        planned=r.planned,
        held=r.held,
        not_held=r.not_held,
        intentions=r.intentions,
        trials=r.trials,
        signed=r.signed,
        smes_met=r.smes_met,
        unmet_musts=r.unmet_musts,
        by_buyer={b: dict(c) for b, c in r.by_buyer.items()},
        lines=r.lines(),
    )
