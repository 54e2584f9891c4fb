"""The leading firm's journey: publish a demand, see its candidate suppliers with reasons, shortlist or
reject them, close the demand. Plain HTML forms (they work without JavaScript); every write goes through
the engine with the caller's Principal, so the policy decides exactly as it does for the API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.audit import audit_candidates
from api.deps import DemandId, EngineDep, EnterpriseId
from api.web.forms import DEMAND_OPTIONAL, demand_fields, demand_form_values
from api.web.pages import engine_errors, page, render
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import AccountRole, Principal
from matcher.domain import DemandKind, DemandStatus, Visibility
from matcher.engine.publishing import Decision
from matcher.errors import ValidationError

router = APIRouter(include_in_schema=False)
DemandReader = Annotated[Principal, page(Resource.DEMAND, Action.READ)]
Publisher = Annotated[Principal, page(Resource.DEMAND, Action.CREATE)]
DemandEditor = Annotated[Principal, page(Resource.DEMAND, Action.UPDATE)]
CandidateReader = Annotated[Principal, page(Resource.MATCH, Action.READ)]
Decider = Annotated[Principal, page(Resource.MATCH, Action.UPDATE)]
CANDIDATES = 20
OVERVIEW_TOP = 3
MAX_RELAXED = 10  # conditions one view may relax (a demand has a handful; the rest is refused input)


def _relax_link(demand_id: int, keys: tuple[str, ...]) -> str:
    """The demand page re-run without the constraints ``keys`` (a plain link: works without JavaScript)."""
    return f"/demands/{demand_id}?" + urlencode([("relax", k) for k in keys])


def _choices(*, editing: bool = False) -> dict[str, Any]:
    statuses = (DemandStatus.OPEN, DemandStatus.DRAFT) + ((DemandStatus.CLOSED,) if editing else ())
    return {
        "kinds": [(k.value, k.label) for k in DemandKind],
        "statuses": [(s.value, s.label) for s in statuses],
        "visibilities": [(v.value, v.label) for v in Visibility],
    }


@router.get("/demands", response_class=HTMLResponse)
def demands_page(request: Request, engine: EngineDep, who: DemandReader) -> Response:
    """需求发布: the demands this user manages, with how many candidates were shortlisted or rejected."""
    mine = engine.publishing.managed_demands(principal=who)
    counts = engine.publishing.decision_counts([d.id for d in mine])
    ctx = {"who": who, "demands": mine, "counts": counts, "saved": request.query_params.get("saved")}
    return render(request, "demands.html", ctx)


@router.get("/demands/new", response_class=HTMLResponse)
def new_demand_page(request: Request, who: Publisher) -> Response:
    ctx = {"who": who, "values": demand_form_values(None), "problems": [], **_choices()}
    return render(request, "demand_form.html", ctx)


@router.post("/demands/new", response_class=HTMLResponse)
async def publish_demand(request: Request, engine: EngineDep, who: Publisher) -> Response:
    form = await request.form()
    fields = demand_fields(form)
    if who.role is AccountRole.LEADING_USER:
        fields.pop("publisher_uscc", None)
    with engine_errors():
        try:
            created = await run_in_threadpool(engine.publishing.publish_demand, fields, principal=who)
        except ValidationError as exc:
            values = {k: str(v) for k, v in form.items()}
            ctx = {"who": who, "values": values, "problems": exc.problems, **_choices()}
            return render(request, "demand_form.html", ctx, status=422)
    return RedirectResponse(f"/demands/{created.id}?published=1", status_code=303)


@router.get("/demands/{demand_id}", response_class=HTMLResponse)
def demand_page(request: Request, engine: EngineDep, who: DemandReader, demand_id: DemandId) -> Response:
    """One demand for everyone who may see it: its publisher's side sees the candidate suppliers with
    reasons (``?relax=`` drops a constraint for this view), the responses and invitations; any other
    enterprise sees the demand and may respond."""
    with engine_errors():
        deal = engine.deals.view(demand_id, principal=who)
    if not deal.manages:
        ctx = {"who": who, "demand": deal.demand, "deal": deal, "sent": request.query_params.get("sent")}
        own = who.enterprise_id is not None and deal.may_respond
        ctx["offerable"] = engine.trials.products(enterprise_id=who.enterprise_id) if own else []
        return render(request, "demand_public.html", ctx)
    relax = request.query_params.getlist("relax")[:MAX_RELAXED]
    with engine_errors():
        search, decisions = engine.publishing.candidates(demand_id, k=CANDIDATES, principal=who, relax=relax)
    audit_candidates(request, who)
    decided = {d.enterprise_id: d for d in decisions}
    shown = {m.enterprise_id for m in search.matches}
    relaxed = tuple(p.key for p in search.relaxed)
    ctx = {
        "who": who,
        "demand": deal.demand,
        "deal": deal,
        "search": search,
        "relax_links": {r.key: _relax_link(demand_id, (*relaxed, r.key)) for r in search.removed},
        "decided": decided,
        "shortlist": [d for d in decisions if d.decision is Decision.SHORTLIST],
        "rejected": [d for d in decisions if d.decision is Decision.REJECT],
        "off_list": [d for d in decisions if d.enterprise_id not in shown],
        "published": request.query_params.get("published"),
        "saved": request.query_params.get("saved"),
    }
    return render(request, "demand.html", ctx)


@router.post("/demands/{demand_id}/candidates/{enterprise_id}")
def decide(
    engine: EngineDep,
    who: Decider,
    demand_id: DemandId,
    enterprise_id: EnterpriseId,
    decision: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    with engine_errors():
        engine.publishing.decide_candidate(demand_id, enterprise_id, decision, note=note, principal=who)
    return RedirectResponse(f"/demands/{demand_id}#c{enterprise_id}", status_code=303)


@router.get("/demands/{demand_id}/edit", response_class=HTMLResponse)
def edit_demand_page(request: Request, engine: EngineDep, who: DemandEditor, demand_id: DemandId) -> Response:
    """修改需求: the publish form filled with the demand (its code and publisher stay)."""
    with engine_errors():
        demand = engine.registry.demand(demand_id, principal=who)
    ctx = {"who": who, "values": demand_form_values(demand.record), "problems": [], "edit_id": demand_id}
    return render(request, "demand_form.html", {**ctx, **_choices(editing=True)})


@router.post("/demands/{demand_id}/edit", response_class=HTMLResponse)
async def edit_demand(
    request: Request, engine: EngineDep, who: DemandEditor, demand_id: DemandId
) -> Response:
    form = await request.form()
    changes = demand_fields(form)
    for key in ("code", "publisher_uscc"):
        changes.pop(key, None)
    for key in DEMAND_OPTIONAL:  # a field emptied on the form is cleared, not kept
        changes.setdefault(key, None)
    with engine_errors():
        try:
            engine.publishing.update_demand(demand_id, changes, principal=who)
        except ValidationError as exc:
            values = {k: str(v) for k, v in form.items()}
            values["code"] = engine.registry.demand(demand_id, principal=who).record.code
            ctx = {"who": who, "values": values, "problems": exc.problems, "edit_id": demand_id}
            return render(request, "demand_form.html", {**ctx, **_choices(editing=True)}, status=422)
    return RedirectResponse(f"/demands/{demand_id}?saved=1", status_code=303)


@router.post("/demands/{demand_id}/status")
def change_status(
    engine: EngineDep,
    who: DemandEditor,
    demand_id: DemandId,
    status: Annotated[str, Form(max_length=16)],
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Response:
    with engine_errors():
        engine.publishing.update_demand(demand_id, {"status": status}, principal=who, version=version)
    return RedirectResponse(f"/demands/{demand_id}", status_code=303)


@router.get("/candidates", response_class=HTMLResponse)
def candidates_overview(request: Request, engine: EngineDep, who: CandidateReader) -> Response:
    """候选供应商: every open demand this user manages with its best few candidates at a glance."""
    rows = []
    for d in engine.publishing.managed_demands(principal=who):
        if d.record.status is not DemandStatus.OPEN:
            continue
        with engine_errors():
            search = engine.matching.suppliers_for(demand_id=d.id, k=OVERVIEW_TOP, principal=who)
        rows.append((d, search))
    counts = engine.publishing.decision_counts([d.id for d, _ in rows])
    if rows:
        audit_candidates(request, who, demands=len(rows))
    return render(request, "candidates.html", {"who": who, "rows": rows, "counts": counts})
