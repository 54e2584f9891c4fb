"""The shell of the web app: log in and out, and a home page per role.

Pages declare their access like API routes (``page(resource, action)``), so the start-up check covers
them; an anonymous visitor is sent to the log-in page, a refused role gets a Chinese 403 page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import SAFE_METHODS, SESSION_COOKIE
from api.deps import EngineDep, get_engine
from api.web.home import home_context
from api.web.nav import journeys_for
from matcher.auth import accounts
from matcher.auth.errors import (
    AuthenticationError,
    LoginThrottled,
    PermissionDenied,
    RoleForbidden,
    ServerBusy,
)
from matcher.auth.policy import Access, Action, Resource, check
from matcher.auth.principal import Principal
from matcher.auth.tokens import SESSION_TTL
from matcher.engine import Engine
from matcher.errors import ConflictError, NotFoundError, ValidationError
from matcher.io.validate import problem_text

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
router = APIRouter(include_in_schema=False)


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbidden(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class PageNotFound(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class PageInvalid(Exception):
    def __init__(self, problems: list[str], status: int = 422) -> None:
        self.message = "；".join(problems)
        self.status = status


@contextmanager
def engine_errors() -> Iterator[None]:
    """Inside a page: the engine's refusals become the Chinese 403 page, missing records the 404 page
    (outside pages the same exceptions answer in API JSON)."""
    try:
        yield
    except PermissionDenied as exc:
        raise PageForbidden(str(exc)) from exc
    except NotFoundError as exc:
        raise PageNotFound(str(exc)) from exc
    except ValidationError as exc:
        raise PageInvalid(exc.problems) from exc
    except ConflictError as exc:  # the record changed since the form was loaded
        raise PageInvalid([str(exc)], status=409) from exc


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    who = context.get("who")
    base = {
        "who": who,
        "nav": journeys_for(who.role) if who else [],
        "unread": getattr(request.state, "unread", 0),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status, headers=HEADERS)


def _cookie_principal(request: Request, engine: Engine) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = accounts.principal_for_token(engine.store, token, sessions_only=True)
    except AuthenticationError:
        return None
    request.state.principal = principal
    return principal


def _same_origin(request: Request) -> bool:
    """A form post must come from our own pages (the session cookie is also SameSite=Lax)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


def page(resource: Resource, action: Action) -> Any:
    """Like ``api.auth.require`` for pages: declares the rule, resolves the cookie session, checks the gate."""
    access = Access(resource, action)

    def _page(request: Request, engine: EngineDep) -> Principal | None:
        request.state.access = access
        request.state.audit_store = engine.store
        if request.method not in SAFE_METHODS and not _same_origin(request):
            raise PageForbidden("跨站提交已拒绝：请从本平台页面操作")
        principal = _cookie_principal(request, engine)
        if principal is None and not access.is_public:
            raise LoginRequired(request.url.path)
        try:
            check(principal, access)
        except RoleForbidden as exc:
            raise PageForbidden(str(exc)) from exc
        if principal is not None:  # the navigation's 消息 count
            request.state.unread = engine.notifications.unread(principal.account_id)
        return principal

    _page.__access__ = access  # type: ignore[attr-defined]
    return Depends(_page)


Visitor = Annotated[Principal | None, page(Resource.SESSION, Action.CREATE)]
Member = Annotated[Principal, page(Resource.SESSION, Action.READ)]


def _safe_next(value: str | None) -> str:
    """Only same-site paths, so the log-in form cannot be used to redirect elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, who: Visitor, next: str | None = None) -> Response:
    if who is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": ""})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    engine: EngineDep,
    _: Visitor,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    request.state.audit_detail = {"username": username[:64]}
    address = request.client.host if request.client else ""
    try:
        token = accounts.login(engine.store, username=username.strip(), password=password, address=address)
    except (AuthenticationError, ServerBusy) as exc:
        ctx = {"next": _safe_next(next), "error": str(exc), "username": username}
        status = 429 if isinstance(exc, LoginThrottled) else 503 if isinstance(exc, ServerBusy) else 401
        return render(request, "login.html", ctx, status=status)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token.plain,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(
    request: Request, engine: EngineDep, _: Annotated[Principal, page(Resource.SESSION, Action.DELETE)]
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.revoke(engine.store, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, engine: EngineDep, who: Member) -> Response:
    return render(request, "home.html", {"who": who, **home_context(engine, who)})


# The parts of the app that answer machines (JSON); every other path is a page and errs in Chinese HTML.
MACHINE_PATHS = ("/api/", "/api", "/docs", "/redoc", "/openapi.json")
PARAM_LABELS = {
    "demand_id": "需求编号",
    "enterprise_id": "企业编号",
    "code": "对接会编号",
    "park": "园区",
    "industry": "产业链",
    "limit": "条数",
    "offset": "起始位置",
}
_WHERE = {"path": "链接中的", "query": "链接参数中的", "body": "提交内容中的"}


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PATHS)


def request_problems(exc: RequestValidationError) -> list[str]:
    """A request's invalid parts in Chinese: where (link, parameters, form) and which value."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        where = _WHERE.get(loc[0], "") if loc else ""
        name = loc[-1] if loc else ""
        out.append(where + problem_text(err, f"“{PARAM_LABELS.get(name, name)}”"))
    return out


def _error_page(request: Request, status: int, heading: str, message: str) -> Response:
    """An error page in the signed-in shell when there is a session (no page dependency ran to find it)."""
    who = getattr(request.state, "principal", None)
    if who is None and request.cookies.get(SESSION_COOKIE):
        engine = request.app.dependency_overrides.get(get_engine, get_engine)()
        who = _cookie_principal(request, engine)
    return render(request, "error.html", {"who": who, "heading": heading, "message": message}, status=status)


_HTTP_PAGES = {
    404: ("页面不存在", "没有这个页面：请检查链接，或从导航进入。"),
    405: ("无法这样打开", "该页面不支持这种访问方式：请从页面上的按钮或链接操作。"),
    413: ("提交的内容过大", "提交的内容超过上限，请拆分或压缩后重试。"),
}


def install(app: FastAPI) -> None:
    """Mount the static files and turn the page exceptions into a redirect or an HTML page; the framework's
    own answers (unknown path, invalid link parameters) are Chinese HTML pages too, the API keeps JSON."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    api_http = app.exception_handlers[StarletteHTTPException]
    api_invalid = app.exception_handlers[RequestValidationError]

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page(request) or exc.status_code not in _HTTP_PAGES:
            return await api_http(request, exc)  # type: ignore[misc,no-any-return]
        heading, message = _HTTP_PAGES[exc.status_code]
        return _error_page(request, exc.status_code, heading, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if not is_page(request):
            return await api_invalid(request, exc)  # type: ignore[misc,no-any-return]
        return _error_page(request, 422, "链接或提交内容有误", "；".join(request_problems(exc)))

    @app.exception_handler(LoginRequired)
    async def _login(_: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, exc: PageNotFound) -> Response:
        who = getattr(request.state, "principal", None)
        ctx = {"who": who, "message": exc.message, "heading": "未找到"}
        return render(request, "error.html", ctx, status=404)

    @app.exception_handler(PageInvalid)
    async def _invalid(request: Request, exc: PageInvalid) -> Response:
        who = getattr(request.state, "principal", None)
        ctx = {"who": who, "message": exc.message, "heading": "提交有误，未保存"}
        return render(request, "error.html", ctx, status=exc.status)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        who = getattr(request.state, "principal", None)
        return render(request, "error.html", {"who": who, "message": exc.message}, status=403)
