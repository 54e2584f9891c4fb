"""Who is calling and whether they may: the token routes, ``require`` and the start-up check.

Every API route declares its access rule with ``require(resource, action)``, which resolves the caller
and applies the role gate of ``matcher.auth.policy`` before the route body runs::

    @router.get("/demands/{demand_id}")
    def get_demand(who: Annotated[Principal, require(Resource.DEMAND, Action.READ)], ...) -> ...:
        return engine.registry.demand(demand_id, principal=who)   # the engine applies the record rules

or, when the route does not need the principal, ``dependencies=[require(...)]``. ``create_app`` refuses
to start while any /api route lacks a declaration (``check_declared``), and the authorization matrix test
walks the same route table.

Credentials: ``Authorization: Bearer <token>`` (session token or API key), ``X-API-Key: <key>``, or the
web app's session cookie (a log-in session only, never an API key); cookie-authenticated writes must
also carry ``X-Requested-With`` (no other site can send it), which stops cross-site request forgery.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from api.deps import EngineDep
from api.schemas import ErrorBody
from matcher.auth import accounts, manage
from matcher.auth.errors import (
    AuthenticationError,
    LoginThrottled,
    PermissionDenied,
    RoleForbidden,
    ServerBusy,
)
from matcher.auth.policy import Access, Action, Resource, check
from matcher.auth.principal import Principal

SESSION_COOKIE = "matcher_session"
CSRF_HEADER = "X-Requested-With"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="系统对接用 API 密钥")


def current_principal(
    request: Request,
    engine: EngineDep,
    bearer: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal | None:
    """The caller, or None when no credentials came; AuthenticationError when they are bad."""
    request.state.audit_store = engine.store
    token, from_cookie = bearer or api_key, False
    if token is None:
        token, from_cookie = request.cookies.get(SESSION_COOKIE), True
        if token and request.method not in SAFE_METHODS and not request.headers.get(CSRF_HEADER):
            raise AuthenticationError(f"网页会话的写操作须带 {CSRF_HEADER} 请求头")
    if not token:
        return None
    principal = accounts.principal_for_token(engine.store, token, sessions_only=from_cookie)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal | None, Depends(current_principal)]


def require(resource: Resource, action: Action) -> Any:
    """A dependency that declares and enforces a route's access rule; it yields the Principal."""
    access = Access(resource, action)

    def _allowed(request: Request, principal: CurrentPrincipal) -> Principal | None:
        request.state.access = access
        check(principal, access)
        return principal

    _allowed.__access__ = access  # type: ignore[attr-defined]
    _allowed.__name__ = f"require_{resource.value}_{action.value}"
    return Depends(_allowed)


def _find_access(dependant: Dependant) -> Access | None:
    call: Callable[..., Any] | None = dependant.call
    found = getattr(call, "__access__", None)
    if isinstance(found, Access):
        return found
    for sub in dependant.dependencies:
        found = _find_access(sub)
        if found is not None:
            return found
    return None


class RouteInfo(NamedTuple):
    path: str
    methods: frozenset[str]
    dependant: Dependant


def route_access(route: Any) -> Access | None:
    """The rule a route declared through ``require`` (in its parameters or ``dependencies``)."""
    dependant = getattr(route, "dependant", None)
    return _find_access(dependant) if isinstance(dependant, Dependant) else None


def all_routes(app: FastAPI) -> list[RouteInfo]:
    """Every API route and page with its effective dependencies (included routers flattened)."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x keeps included routers nested
    except ImportError:  # older FastAPI: app.routes is already flat
        candidates: list[Any] = list(app.routes)
    else:
        candidates = list(iter_route_contexts(app.routes))
    return [
        RouteInfo(str(c.path), frozenset(c.methods or ()), c.dependant)
        for c in candidates
        if isinstance(getattr(c, "dependant", None), Dependant) and getattr(c, "path", None)
    ]


def api_routes(app: FastAPI) -> list[RouteInfo]:
    return [r for r in all_routes(app) if r.path.startswith("/api/")]


def undeclared(app: FastAPI) -> list[str]:
    """The routes (API and pages) that declare no access rule, as "METHODS path"."""
    return [f"{','.join(sorted(r.methods))} {r.path}" for r in all_routes(app) if route_access(r) is None]


def fail_closed(request: Request) -> None:
    """App-wide dependency: a route that declared no rule answers 403 to everyone until it does."""
    route = request.scope.get("route")
    if route is not None and route_access(route) is None:
        raise RoleForbidden(f"接口 {request.url.path} 尚未声明访问规则，已拒绝（见 api/auth.py 的 require）")


def check_declared(app: FastAPI) -> None:
    """Raise when some route has no access rule (the matrix test calls this; the app itself fails closed)."""
    missing = undeclared(app)
    if missing:
        raise RuntimeError(
            "以下 API 路由未声明访问规则（在参数中加入 "
            "`who: Annotated[Principal, require(Resource.X, Action.Y)]` 或 dependencies=[require(...)]）："
            + "；".join(missing)
        )


# -- routes --------------------------------------------------------------------------------------------

router = APIRouter(prefix="/auth", tags=["账号与登录"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: str | None = Field(default=None, description="过期时间（UTC，ISO 8601）；API 密钥为空")


class Me(BaseModel):
    account_id: int
    username: str
    display_name: str
    role: str
    role_label: str
    enterprise_id: int | None
    park_ids: list[int]
    event_ids: list[int]

    @classmethod
    def of(cls, p: Principal) -> Me:
        return cls(
            account_id=p.account_id,
            username=p.username,
            display_name=p.display_name,
            role=p.role.value,
            role_label=p.role.label,
            enterprise_id=p.enterprise_id,
            park_ids=sorted(p.park_ids),
            event_ids=sorted(p.event_ids),
        )


@router.post("/token", summary="登录，换取访问令牌（OAuth2 密码模式表单）")
def issue_token(
    request: Request,
    engine: EngineDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    _: Annotated[None, require(Resource.SESSION, Action.CREATE)],
) -> TokenOut:
    request.state.audit_detail = {"username": form.username[:64]}
    address = request.client.host if request.client else ""
    token = accounts.login(engine.store, username=form.username, password=form.password, address=address)
    expires = token.expires_at.isoformat() if token.expires_at else None
    return TokenOut(access_token=token.plain, expires_at=expires)


@router.get("/me", summary="当前账号")
def me(who: Annotated[Principal, require(Resource.SESSION, Action.READ)]) -> Me:
    return Me.of(who)


@router.post("/logout", summary="注销当前令牌", status_code=204)
def logout(
    request: Request,
    engine: EngineDep,
    bearer: Annotated[str | None, Depends(_bearer)],
    _: Annotated[Principal, require(Resource.SESSION, Action.DELETE)],
) -> None:
    token = bearer or request.headers.get("X-API-Key") or request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.revoke(engine.store, token)


class PasswordChange(BaseModel):
    current: str = Field(max_length=256, description="当前密码")
    new: str = Field(max_length=256, description="新密码（至少 10 个字符，至少两类字符，不能是常见弱密码）")


@router.post("/password", summary="修改本人密码（其他会话随之结束）", status_code=204)
def change_password(
    request: Request,
    engine: EngineDep,
    body: PasswordChange,
    bearer: Annotated[str | None, Depends(_bearer)],
    who: Annotated[Principal, require(Resource.SESSION, Action.UPDATE)],
) -> None:
    keep = bearer or request.cookies.get(SESSION_COOKIE)
    manage.change_password(engine.store, username=who.username, current=body.current, new=body.new, keep=keep)


# -- errors --------------------------------------------------------------------------------------------


def _body(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, message=message).model_dump(), status, headers=headers)


def install(app: FastAPI) -> None:
    """401 and 403 as the same structured Chinese JSON as every other error."""

    @app.exception_handler(LoginThrottled)
    async def _throttled(_: Request, exc: LoginThrottled) -> JSONResponse:
        return _body(429, "too_many_attempts", str(exc), {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ServerBusy)
    async def _busy(_: Request, exc: ServerBusy) -> JSONResponse:
        return _body(503, "busy", str(exc), {"Retry-After": "5"})

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        return _body(401, "unauthenticated", str(exc), {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(RoleForbidden)
    async def _role(_: Request, exc: RoleForbidden) -> JSONResponse:
        return _body(403, "role_forbidden", str(exc))

    @app.exception_handler(PermissionDenied)
    async def _denied(_: Request, exc: PermissionDenied) -> JSONResponse:
        return _body(403, "forbidden", str(exc))
