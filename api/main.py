"""Build the FastAPI app: routes, error handlers, OpenAPI docs at /docs.

``uvicorn api.main:app`` or ``matcher serve`` runs it; tests call ``create_app()`` and override the engine.
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import auth, errors, web
from api.audit import AuditMiddleware
from api.routes import (
    accounts,
    chain,
    deals,
    events,
    exports,
    jobs,
    matching,
    publishing,
    registry,
    tiers,
    trials,
)
from api.routes.registry import MAX_UPLOAD
from api.schemas import ErrorBody
from matcher import __version__

MAX_BODY = 1024 * 1024  # JSON and form bodies; file uploads (multipart) may reach MAX_UPLOAD


class BodyLimit:
    """Refuse an oversized body with 413: at once when its Content-Length says so, and while it streams
    in when it does not (chunked uploads), before the route sees any of it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = MAX_UPLOAD + 64 * 1024 if multipart else MAX_BODY
        message = f"请求体过大：上限 {limit // 1024} KB（大文件请用 /api/jobs/imports 上传）"
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await JSONResponse(ErrorBody(code="http_413", message=message).model_dump(), 413)(
                scope, receive, send
            )
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            item = await receive()
            if item["type"] == "http.request":
                received += len(item.get("body", b""))
                if received > limit:
                    raise HTTPException(413, message)
            return item

        await self.app(scope, counted, send)


class NoStore:
    """``Cache-Control: no-store`` on every answer but the static files: pages and API answers carry
    private data, and after log-out the browser's Back button must not show them again from its cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, _send)


def create_app() -> FastAPI:
    app = FastAPI(
        title="matcher 产业园区供需对接 API",
        version=__version__,
        description="园区、企业、需求登记；供需双向匹配；产业链与梯度培育；对接会排程。",
        dependencies=[Depends(auth.fail_closed)],
    )
    errors.install(app)
    auth.install(app)
    web.install(app)
    app.add_middleware(BodyLimit)  # inside the audit, so refusals are logged too
    app.add_middleware(AuditMiddleware)
    app.add_middleware(NoStore)
    app.include_router(auth.router, prefix="/api")
    for router in web.ROUTERS:
        app.include_router(router)
    app.include_router(registry.router, prefix="/api")
    app.include_router(tiers.router, prefix="/api")
    app.include_router(events.router, prefix="/api")
    app.include_router(chain.router, prefix="/api")
    app.include_router(matching.router, prefix="/api")
    app.include_router(publishing.router, prefix="/api")
    app.include_router(jobs.router, prefix="/api")
    app.include_router(exports.router, prefix="/api")
    app.include_router(deals.router, prefix="/api")
    app.include_router(trials.router, prefix="/api")
    app.include_router(accounts.router, prefix="/api")
    if missing := auth.undeclared(app):  # they answer 403 until declared; tests/test_auth_matrix.py fails
        logging.getLogger(__name__).warning("未声明访问规则的路由：%s", "；".join(missing))
    return app


app = create_app()
