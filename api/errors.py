"""matcher's errors as structured JSON with Chinese messages; the only place HTTP status codes are chosen."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorBody
from matcher.errors import ConflictError, MatcherError, NotFoundError, ValidationError
from matcher.io.validate import problem_text


def _body(status: int, code: str, message: str, problems: list[str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, message=message, problems=problems or []).model_dump(), status)


_HTTP_MESSAGES = {
    400: "请求体无法解析：须为 UTF-8 编码、结构完整且嵌套不过深的 JSON（或表单）",
    404: "接口不存在，请检查路径（接口文档见 /docs）",
    405: "该接口不支持此请求方法",
    413: "请求体过大",
    415: "不支持的请求内容类型",
}


def install(app: FastAPI) -> None:
    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return _body(404, "not_found", str(exc))

    @app.exception_handler(ValidationError)
    async def _invalid(_: Request, exc: ValidationError) -> JSONResponse:
        return _body(
            422,
            "validation_error",
            f"数据校验未通过（{len(exc.problems)} 个问题），未写入任何数据",
            exc.problems,
        )

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return _body(409, "conflict", str(exc))

    @app.exception_handler(MatcherError)
    async def _matcher(_: Request, exc: MatcherError) -> JSONResponse:
        return _body(400, "bad_request", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Framework answers (unknown path, wrong method…) in the same Chinese JSON shape."""
        if not request.url.path.startswith("/api"):
            from fastapi.exception_handlers import http_exception_handler

            return await http_exception_handler(request, exc)  # type: ignore[return-value]
        message = _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        if exc.status_code == 413 and exc.detail != HTTPStatus(413).phrase:
            message = str(exc.detail)  # the body limit says what the limit is
        return JSONResponse(
            ErrorBody(code=f"http_{exc.status_code}", message=message).model_dump(),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        """A number too large for the database (an id or count past 2^63) is the caller's error."""
        return _body(422, "request_invalid", "请求参数无效", ["数值超出允许范围"])

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}：{problem_text(e, '取值')}" for e in exc.errors()]
        return _body(422, "request_invalid", "请求参数无效", problems)
