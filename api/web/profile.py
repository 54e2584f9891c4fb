"""The SME's journey (and a leading firm's profile): keep the enterprise profile, then see the buyers and
open demands the matching engine recommends for it, with reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.web.forms import products_text, profile_fields
from api.web.pages import PageForbidden, engine_errors, page, render
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import Principal
from matcher.engine import Engine
from matcher.errors import ConflictError, ValidationError
from matcher.store.repository import StoredEnterprise

router = APIRouter(include_in_schema=False)
ProfileReader = Annotated[Principal, page(Resource.ENTERPRISE, Action.READ)]
ProfileEditor = Annotated[Principal, page(Resource.ENTERPRISE, Action.UPDATE)]
Recommended = Annotated[Principal, page(Resource.RECOMMENDATION, Action.READ)]
TOP = 10


def _own(engine: Engine, who: Principal) -> StoredEnterprise:
    if who.enterprise_id is None:
        raise PageForbidden("企业档案页面供企业用户使用：当前账号未绑定企业（管理员请通过导入维护企业信息）")
    with engine_errors():
        return engine.registry.enterprise(who.enterprise_id, principal=who)


def _version(form: Mapping[str, Any]) -> int | None:
    """The version the form was loaded with (absent from forms of older pages)."""
    text = str(form.get("version") or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


def _values(found: StoredEnterprise) -> dict[str, str]:
    r = found.record
    return {
        "products": products_text(r),
        "capabilities": r.capabilities,
        "certifications": "、".join(r.certifications),
        "capacity": r.capacity,
        "contact_person": r.contact.person,
        "contact_phone": r.contact.phone,
        "contact_email": r.contact.email,
    }


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, engine: EngineDep, who: ProfileReader) -> Response:
    found = _own(engine, who)
    ctx = {"who": who, "enterprise": found, "values": _values(found), "problems": []}
    return render(request, "profile.html", ctx)


@router.post("/profile", response_class=HTMLResponse)
async def save_profile(request: Request, engine: EngineDep, who: ProfileEditor) -> Response:
    form = await request.form()
    found = await run_in_threadpool(_own, engine, who)  # database work stays off the event loop
    with engine_errors():
        try:
            await run_in_threadpool(
                engine.publishing.update_profile, found.id, profile_fields(form), principal=who, version=_version(form)
            )
        except (ValidationError, ConflictError) as exc:
            # a conflict shows the newest version's number, so saving again is a deliberate overwrite
            values = {k: str(v) for k, v in form.items()}
            problems = exc.problems if isinstance(exc, ValidationError) else [f"{exc}（您填写的内容仍在下方）"]
            latest = await run_in_threadpool(_own, engine, who)
            ctx = {"who": who, "enterprise": latest, "values": values, "problems": problems}
            return render(request, "profile.html", ctx, status=422 if isinstance(exc, ValidationError) else 409)
    return RedirectResponse("/recommendations?saved=1", status_code=303)


@router.get("/recommendations", response_class=HTMLResponse)
def recommendations_page(request: Request, engine: EngineDep, who: Recommended) -> Response:
    """推荐采购方: for the user's own enterprise, or for what an admin/organizer types in."""
    offer = (request.query_params.get("q") or "").strip()[:2000]
    enterprise = None
    with engine_errors():
        if offer:
            rec = engine.matching.buyers_for(text=offer, k=TOP, principal=who)
        elif who.enterprise_id is not None:
            enterprise = engine.registry.enterprise(who.enterprise_id, principal=who)
            rec = engine.matching.buyers_for(enterprise_id=who.enterprise_id, k=TOP, principal=who)
        else:
            rec = None
    ctx = {
        "who": who,
        "enterprise": enterprise,
        "rec": rec,
        "offer": offer,
        "saved": request.query_params.get("saved"),
    }
    return render(request, "recommendations.html", ctx)
