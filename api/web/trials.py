"""先试首用 in the web app: SMEs register innovation products, leading firms request trials (or SMEs offer
them against a demand), both sides move a trial from 申请 to 采用, and park admins see the dashboard.
Plain HTML forms; the engine's ``trials`` service applies the policy exactly as for the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import MAX_ID, DemandId, EngineDep
from api.web.chain import visible_parks
from api.web.forms import split_list
from api.web.pages import engine_errors, page, render
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import AccountRole, Principal
from matcher.trials import Category, FirstSale

router = APIRouter(include_in_schema=False)
ProductId = Annotated[int, Path(ge=1, le=MAX_ID)]
TrialId = Annotated[int, Path(ge=1, le=MAX_ID)]
Reader = Annotated[Principal, page(Resource.TRIAL, Action.READ)]
Starter = Annotated[Principal, page(Resource.TRIAL, Action.CREATE)]
Mover = Annotated[Principal, page(Resource.TRIAL, Action.UPDATE)]
Registrar = Annotated[Principal, page(Resource.INNOVATION, Action.CREATE)]
ADMINS = (AccountRole.PLATFORM_ADMIN, AccountRole.PARK_ADMIN)


def plan_fields(form: FormData) -> dict[str, Any]:
    """The plan part of a trial form (blank dates are "not set"; validation is the engine's)."""
    plan: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in ("scope", "criteria")}
    for key in ("start_date", "end_date"):
        if value := str(form.get(key, "")).strip():
            plan[key] = value
    return plan


@router.get("/trials", response_class=HTMLResponse)
def trials_page(request: Request, engine: EngineDep, who: Reader, park: str | None = None) -> Response:
    """先试首用: the trials this account takes part in, the innovation catalogue, and (admins) the dashboard."""
    ctx: dict[str, Any] = {
        "who": who,
        "trials": engine.trials.visible(principal=who),
        "products": engine.trials.products(),
        "categories": list(Category),
        "first_sales": list(FirstSale),
        "registered": request.query_params.get("registered"),
    }
    if who.role in ADMINS:
        parks = visible_parks(engine, who)
        chosen = park or (parks[0].name if parks else None)
        with engine_errors():
            ctx["dashboard"] = engine.chain.trial_dashboard(chosen, principal=who) if chosen else None
        ctx["parks"] = parks
    return render(request, "trials.html", ctx)


@router.post("/innovations/new")
async def register_product(request: Request, engine: EngineDep, who: Registrar) -> Response:
    form = await request.form()
    spec = {k: str(form.get(k, "")).strip() for k in ("name", "category", "specs", "first_sale")}
    with engine_errors():
        engine.trials.register({**spec, "reports": split_list(str(form.get("reports", "")))}, principal=who)
    return RedirectResponse("/trials?registered=1#products", status_code=303)


@router.post("/innovations/{product_id}/request")
async def request_trial(request: Request, engine: EngineDep, who: Starter, product_id: ProductId) -> Response:
    form = await request.form()
    with engine_errors():
        found = engine.trials.request(product_id, plan_fields(form), principal=who)
    return RedirectResponse(f"/trials/{found.id}", status_code=303)


@router.post("/demands/{demand_id}/offer-trial")
async def offer_trial(request: Request, engine: EngineDep, who: Starter, demand_id: DemandId) -> Response:
    """The SME offers a trial of one of its products to the demand's publisher."""
    form = await request.form()
    product = str(form.get("product_id", ""))
    with engine_errors():
        demand = engine.registry.demand(demand_id, principal=who)
        found = engine.trials.offer(
            int(product) if product.isdigit() else 0,
            demand.publisher_id,
            plan_fields(form),
            demand_id=demand_id,
            principal=who,
        )
    return RedirectResponse(f"/trials/{found.id}", status_code=303)


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
def trial_page(request: Request, engine: EngineDep, who: Reader, trial_id: TrialId) -> Response:
    with engine_errors():
        trial = engine.trials.get(trial_id, principal=who)
        steps = engine.trials.next_steps(trial_id, principal=who)
    return render(request, "trial.html", {"who": who, "trial": trial, "steps": steps})


@router.post("/trials/{trial_id}/state")
def advance(
    engine: EngineDep,
    who: Mover,
    trial_id: TrialId,
    state: Annotated[str, Form(max_length=16)],
    result: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with engine_errors():
        engine.trials.advance(trial_id, state, result=result, principal=who)
    return RedirectResponse(f"/trials/{trial_id}", status_code=303)
