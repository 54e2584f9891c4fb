"""对接会 journey: an organizer builds an event, reviews shortlists and schedules, downloads exports.

Pages read through the engine with the caller's Principal: the list shows the events the caller may manage
(``policy.can_manage_event``), an event page refuses anyone else. Creating works without JavaScript (an
uploaded definition file, or the short form); shortlists and the background schedule job are started by
``static/events.js`` through the JSON API (``/api/events/{code}/shortlists``, ``/api/jobs/schedule``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.web import event_views as views
from api.web.pages import engine_errors, page, render
from matcher import clock
from matcher.auth.errors import AuthError
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import AccountRole, Principal
from matcher.engine import Engine
from matcher.errors import MatcherError, NotFoundError, ValidationError
from matcher.events.definition import parse_definition
from matcher.store.events_repo import StoredEvent

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, page(Resource.EVENT, Action.READ)]
Creator = Annotated[Principal, page(Resource.EVENT, Action.CREATE)]
MAX_DEFINITION = 2 * 1024 * 1024
STAFF = (AccountRole.ORGANIZER, AccountRole.PARK_ADMIN, AccountRole.PLATFORM_ADMIN)
FORM_LIMIT = 500  # firms listed per role in the short form


def _problems(exc: MatcherError) -> list[str]:
    return exc.problems if isinstance(exc, ValidationError) else [str(exc)]


def _status(exc: MatcherError) -> int:
    return 422 if isinstance(exc, ValidationError) else 403 if isinstance(exc, AuthError) else 400


def _list_context(engine: Engine, who: Principal) -> dict[str, Any]:
    lines = [views.event_line(e, engine.events.event_versions(e.code)) for e in engine.events.managed_events(who)]
    return {"who": who, "events": lines, "can_create": who.role in STAFF}


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, engine: EngineDep, who: Reader) -> Response:
    return render(request, "events.html", _list_context(engine, who))


@router.post("/events", response_class=HTMLResponse)
async def upload_event(
    request: Request,
    engine: EngineDep,
    who: Creator,
    file: Annotated[UploadFile, File()],
    replace: Annotated[bool, Form()] = False,
) -> Response:
    name = (file.filename or "").strip() or "未命名文件"
    request.state.audit_detail = {"file": name[:100]}
    content = await file.read(MAX_DEFINITION + 1)
    try:
        if len(content) > MAX_DEFINITION:
            raise ValidationError([f"{name}：文件过大（上限 {MAX_DEFINITION // 1024 // 1024} MB）"])
        # off the event loop: parsing, validating and storing a big definition must not stall other users
        definition = await run_in_threadpool(parse_definition, content, name)
        created = await run_in_threadpool(engine.events.create_event, definition, replace=replace, principal=who)
    except MatcherError as exc:  # validation, unknown park, duplicate code, another park's admin
        ctx = {**_list_context(engine, who), "problems": _problems(exc), "filename": name}
        return render(request, "events.html", ctx, status=_status(exc))
    return RedirectResponse(f"/events/{quote(created.code, safe='')}?created=1", status_code=303)


# -- the short form: one session, chosen firms of one park -------------------------------------------------


def _form_context(engine: Engine, who: Principal, values: dict[str, Any]) -> dict[str, Any]:
    parks = [p.name for p, _ in engine.registry.parks()]
    if not who.is_platform_admin:  # park admins and organizers create events in the parks they serve
        parks = [p for p in parks if p in who.park_names]
    park = values.get("park") if values.get("park") in parks else None
    firms = {
        role: engine.registry.enterprises(park=park, role=role, limit=FORM_LIMIT, principal=who) if park else []
        for role in ("leading", "sme")
    }
    return {"who": who, "parks": parks, "park": park, "firms": firms, "v": values}


@router.get("/events/new", response_class=HTMLResponse)
def new_event_page(request: Request, engine: EngineDep, who: Creator, park: str = "") -> Response:
    return render(request, "event_new.html", _form_context(engine, who, {"park": park}))


def _definition(v: dict[str, Any], leading: list[str], smes: list[str]) -> dict[str, Any]:
    people = [{"id": f"B{i:02d}", "enterprise_id": u} for i, u in enumerate(leading, 1)]
    people += [{"id": f"S{i:02d}", "enterprise_id": u} for i, u in enumerate(smes, 1)]
    tables = v["tables"].strip()
    return {
        "id": v["code"],
        "name": v["name"],
        "park": v["park"],
        "venue": v["venue"],
        "slot_minutes": v["slot_minutes"],
        "sessions": [{"day": v["day"], "start": v["start"], "slot_count": v["slot_count"], "label": "洽谈"}],
        "tables": int(tables) if tables.isdigit() else tables,
        "participants": people,
    }


def past_day(text: str, today: dt.date) -> list[str]:
    """The form's day refused when it is already past (a file upload may record an earlier event)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return []  # not a date: the event model says so, in Chinese
    if day < today:
        return [f"对接会日期不能早于今天（{today:%Y-%m-%d}，北京时间），实为 {day:%Y-%m-%d}"]
    return []


@router.post("/events/new", response_class=HTMLResponse)
def create_event_form(
    request: Request,
    engine: EngineDep,
    who: Creator,
    code: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=200)],
    park: Annotated[str, Form(max_length=100)],
    day: Annotated[str, Form(max_length=20)],
    start: Annotated[str, Form(max_length=10)] = "09:00",
    slot_count: Annotated[str, Form(max_length=4)] = "6",
    slot_minutes: Annotated[str, Form(max_length=4)] = "20",
    tables: Annotated[str, Form(max_length=4)] = "6",
    venue: Annotated[str, Form(max_length=200)] = "",
    leading: Annotated[list[str] | None, Form()] = None,
    smes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = dict(code=code.strip(), name=name, park=park, day=day, start=start, venue=venue)
    values |= dict(slot_count=slot_count, slot_minutes=slot_minutes, tables=tables)
    chosen = {"leading": leading or [], "smes": smes or []}
    request.state.audit_detail = {"event": values["code"][:64]}
    try:
        problems = past_day(values["day"], clock.today())
        if not chosen["leading"] or not chosen["smes"]:
            problems.append("请至少选择一家龙头企业和一家中小企业")
        if problems:
            raise ValidationError(problems)
        created = engine.events.create_event(_definition(values, **chosen), principal=who)
    except MatcherError as exc:
        ctx = {**_form_context(engine, who, values), "problems": _problems(exc), "chosen": chosen}
        return render(request, "event_new.html", ctx, status=_status(exc))
    return RedirectResponse(f"/events/{quote(created.code, safe='')}?created=1", status_code=303)


# -- one event ---------------------------------------------------------------------------------------------


def _schedule_context(engine: Engine, stored: StoredEvent, version: int | None) -> dict[str, Any]:
    try:
        current = engine.events.event_schedule(stored.code, version)
    except NotFoundError:
        if version is not None:
            raise
        return {"schedule": None, "versions": []}
    header, rows = views.grid(stored.event, current.schedule)
    return {
        "schedule": views.solver_report(current, stored.event),
        "grid_tables": header,
        "grid_rows": rows,
        "versions": engine.events.event_versions(stored.code),
        "latest": version is None,
        "current": current.schedule,
    }


@router.get("/events/{code}", response_class=HTMLResponse)
def event_page(
    request: Request,
    engine: EngineDep,
    who: Reader,
    code: str,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    created: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    with engine_errors():  # another organizer's event: the 403 page
        try:
            stored = engine.events.managed_event(code, who)
            ctx = _schedule_context(engine, stored, version)
        except NotFoundError as exc:
            return render(request, "event_error.html", {"who": who, "message": str(exc)}, status=404)
    event = stored.event
    lists = engine.events.event_shortlists(code) if event.candidates else None
    ctx |= {
        "who": who,
        "stored": stored,
        "event": event,
        "created": bool(created),
        "participants": views.participants(event, ctx.pop("current", None)),
        "shortlists": views.shortlists(event, lists) if lists else [],
        "exports": views.export_links(
            code, version, has_schedule=ctx["schedule"] is not None, has_shortlists=lists is not None
        ),
        "slot_count": event.slot_count,
    }
    return render(request, "event.html", ctx)


# -- the organizer's edits of the shortlists ---------------------------------------------------------------

Manager = Annotated[Principal, page(Resource.EVENT, Action.UPDATE)]


@router.post("/events/{code}/wishes")
def edit_wish(
    engine: EngineDep,
    who: Manager,
    code: str,
    buyer: Annotated[str, Form(max_length=200)],
    sme: Annotated[str, Form(max_length=200)],
    level: Annotated[str, Form(max_length=8)],
) -> Response:
    """必须见 / 想见 / 不见 (移出) / 撤销 for one pair, on the buyer's behalf; back to the shortlists."""
    with engine_errors():
        engine.events.set_event_wish(code, buyer=buyer, sme=sme, level=level, principal=who)
    return RedirectResponse(f"/events/{quote(code, safe='')}#b-{quote(buyer, safe='')}", status_code=303)


@router.post("/events/{code}/min-score")
def edit_min_score(
    engine: EngineDep, who: Manager, code: str, min_score: Annotated[float, Form(ge=0.0, le=100.0)]
) -> Response:
    """The threshold, on the 0-100 scale the page shows match scores on."""
    with engine_errors():
        engine.events.set_event_min_score(code, min_score, principal=who)
        if engine.events.event(code).event.candidates:
            engine.events.shortlist_event(code)  # the lists follow the new threshold at once
    return RedirectResponse(f"/events/{quote(code, safe='')}#shortlists", status_code=303)
