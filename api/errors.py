"""matcher's errors as structured JSON with Chinese messages; the only place HTTP status codes are chosen."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.schemas import ErrorBody
from matcher.errors import MatcherError, NotFoundError, ValidationError


def _body(status: int, code: str, message: str, problems: list[str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, message=message, problems=problems or []).model_dump(), status)


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

    @app.exception_handler(MatcherError)
    async def _matcher(_: Request, exc: MatcherError) -> JSONResponse:
        return _body(400, "bad_request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}：{e['msg']}" for e in exc.errors()]
        return _body(422, "request_invalid", "请求参数无效", problems)
