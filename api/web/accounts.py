"""账号与审计 for platform admins: create accounts, assign roles and parks or enterprises, disable and
enable, reset passwords, issue and revoke API keys, read the audit log; and for everyone, changing one's
own password. The same ``matcher.auth.manage`` functions serve the CLI and the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.audit import audit_read
from api.auth import SESSION_COOKIE
from api.deps import EngineDep
from api.web.pages import PageInvalid, engine_errors, page, render
from matcher.auth import accounts, manage
from matcher.auth.audit import AuditFilters, recent
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import ROLE_LABELS, AccountRole, Principal
from matcher.auth.tokens import API_KEY_TTL, KeyScope
from matcher.engine import Engine
from matcher.errors import ValidationError

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, page(Resource.ACCOUNT, Action.READ)]
Creator = Annotated[Principal, page(Resource.ACCOUNT, Action.CREATE)]
Updater = Annotated[Principal, page(Resource.ACCOUNT, Action.UPDATE)]
Revoker = Annotated[Principal, page(Resource.ACCOUNT, Action.DELETE)]
Username = Annotated[str, Path(min_length=1, max_length=64)]
Short = Annotated[str, Form(max_length=100)]
AUDIT_PAGE = 50


def _parks(text: str) -> list[str]:
    """Parks typed one a line or separated by 、 ， ,"""
    for sep in ("、", "，", ","):
        text = text.replace(sep, "\n")
    return [p.strip() for p in text.splitlines() if p.strip()]


def _role(value: str) -> AccountRole:
    try:
        return AccountRole(value)
    except ValueError:
        raise ValidationError([f"角色无效：{value}"]) from None


def _list_context(engine: Engine, who: Principal, **extra: Any) -> dict[str, Any]:
    parks = [p.name for p, _ in engine.registry.parks()]
    base = {"who": who, "accounts": accounts.list_accounts(engine.store), "roles": ROLE_LABELS, "parks": parks}
    return {**base, "values": {}, "problems": [], **extra}


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, engine: EngineDep, who: Reader) -> Response:
    return render(request, "accounts.html", _list_context(engine, who, done=request.query_params.get("done")))


@router.post("/accounts", response_class=HTMLResponse)
def create_account(
    request: Request,
    engine: EngineDep,
    who: Creator,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=256)] = "",
    display_name: Short = "",
    enterprise: Annotated[str, Form(max_length=18)] = "",
    parks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"username": username, "role": role, "display_name": display_name, "enterprise": enterprise}
    request.state.audit_detail = {"username": username[:64], "role": role}
    try:
        accounts.create_account(
            engine.store,
            username=username.strip(),
            role=_role(role),
            password=password or None,
            display_name=display_name,
            enterprise=enterprise or None,
            parks=_parks(parks),
        )
    except ValidationError as exc:
        ctx = _list_context(engine, who, values={**values, "parks": parks}, problems=exc.problems)
        return render(request, "accounts.html", ctx, status=422)
    return RedirectResponse(f"/accounts/{username.strip()}?done=created", status_code=303)


def _account_context(engine: Engine, who: Principal, username: str, **extra: Any) -> dict[str, Any]:
    with engine_errors():
        found = manage.account(engine.store, username)
    return {
        "who": who,
        "account": found,
        "keys": manage.list_keys(engine.store, username=username),
        "roles": ROLE_LABELS,
        "scopes": list(KeyScope),
        "key_days": API_KEY_TTL.days,
        "problems": [],
        "new_key": None,
        **extra,
    }


@router.get("/accounts/{username}", response_class=HTMLResponse)
def account_page(request: Request, engine: EngineDep, who: Reader, username: Username) -> Response:
    ctx = _account_context(engine, who, username, done=request.query_params.get("done"))
    return render(request, "account.html", ctx)


def _changed(username: str, what: str) -> Response:
    return RedirectResponse(f"/accounts/{username}?done={what}", status_code=303)


def _refused(request: Request, engine: Engine, who: Principal, username: str, exc: ValidationError) -> Response:
    ctx = _account_context(engine, who, username, problems=exc.problems)
    return render(request, "account.html", ctx, status=422)


@router.post("/accounts/{username}", response_class=HTMLResponse)
def update_account(
    request: Request,
    engine: EngineDep,
    who: Updater,
    username: Username,
    role: Annotated[str, Form(max_length=20)],
    display_name: Short = "",
    enterprise: Annotated[str, Form(max_length=18)] = "",
    parks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with engine_errors():
        manage.account(engine.store, username)
    new_role = _role(role)
    try:
        manage.update_account(
            engine.store,
            username=username,
            role=new_role,
            display_name=display_name,
            enterprise=(enterprise.strip() or None) if new_role.needs_enterprise else None,  # blank: keep
            parks=_parks(parks) if new_role.serves_parks else [],
        )
    except ValidationError as exc:
        return _refused(request, engine, who, username, exc)
    return _changed(username, "updated")


@router.post("/accounts/{username}/active")
def set_active(
    engine: EngineDep, who: Updater, username: Username, active: Annotated[str, Form(max_length=5)]
) -> Response:
    with engine_errors():
        manage.set_active(engine.store, username=username, active=active == "1")
    return _changed(username, "enabled" if active == "1" else "disabled")


@router.post("/accounts/{username}/password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    engine: EngineDep,
    who: Updater,
    username: Username,
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    with engine_errors():
        manage.account(engine.store, username)
    try:
        manage.reset_password(engine.store, username=username, password=password)
    except ValidationError as exc:
        return _refused(request, engine, who, username, exc)
    return _changed(username, "password")


@router.post("/accounts/{username}/keys", response_class=HTMLResponse)
def issue_key(
    request: Request,
    engine: EngineDep,
    who: Creator,
    username: Username,
    name: Short = "",
    scope: Annotated[str, Form(max_length=8)] = "read",
    days: Annotated[int, Form(ge=0, le=3650)] = API_KEY_TTL.days,
) -> Response:
    """The new key is shown on this answer only (not a redirect, so it is never in a URL or history)."""
    with engine_errors():
        key_scope = KeyScope.WRITE if scope == "write" else KeyScope.READ
        ttl = None if days == 0 else dt.timedelta(days=days)
        token = accounts.issue_api_key(engine.store, username=username, name=name, scope=key_scope, ttl=ttl)
    return render(request, "account.html", _account_context(engine, who, username, new_key=token))


@router.post("/keys/{key_id}/revoke")
def revoke_key(engine: EngineDep, who: Revoker, key_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Response:
    with engine_errors():
        found = manage.revoke_key(engine.store, key_id=key_id)
    return _changed(found.username, "revoked")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    engine: EngineDep,
    who: Annotated[Principal, page(Resource.AUDIT, Action.READ)],
    username: Annotated[str, Query(max_length=64)] = "",
    resource: Annotated[str, Query(max_length=32)] = "",
    path: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=3)] = "",
    day: Annotated[str, Query(max_length=10, description="YYYY-MM-DD；表单留空时为空串")] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """审计日志: newest first, filtered by account, kind of resource, path, status and day (UTC)."""
    try:
        since = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC) if day else None
    except ValueError:
        raise PageInvalid([f"日期格式应为 YYYY-MM-DD，实为“{day}”"]) from None
    code = int(status) if status.isdigit() else None
    filters = AuditFilters(username.strip(), resource, "", path.strip(), code, since, since and since + dt.timedelta(days=1))
    found = recent(engine.store, filters=filters, limit=AUDIT_PAGE, offset=offset)
    audit_read(request, what="audit")
    values = {"username": username, "resource": resource, "path": path, "status": status, "day": day or ""}

    def at(start: int) -> str:
        return "/audit?" + urlencode({**{k: v for k, v in values.items() if v}, "offset": start})

    links = {
        "prev": at(max(offset - AUDIT_PAGE, 0)) if offset > 0 else "",
        "next": at(offset + AUDIT_PAGE) if offset + AUDIT_PAGE < found.total else "",
    }
    return render(request, "audit.html", {"who": who, "page": found, "values": values, **links})


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, who: Annotated[Principal, page(Resource.SESSION, Action.READ)]) -> Response:
    return render(request, "password.html", {"who": who, "problems": [], "done": request.query_params.get("done")})


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    engine: EngineDep,
    who: Annotated[Principal, page(Resource.SESSION, Action.UPDATE)],
    current: Annotated[str, Form(max_length=256)],
    new: Annotated[str, Form(max_length=256)],
    again: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        if new != again:
            raise ValidationError(["两次输入的新密码不一致"])
        keep = request.cookies.get(SESSION_COOKIE)
        manage.change_password(engine.store, username=who.username, current=current, new=new, keep=keep)
    except ValidationError as exc:
        return render(request, "password.html", {"who": who, "problems": exc.problems}, status=422)
    return RedirectResponse("/password?done=1", status_code=303)
