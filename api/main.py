"""Build the FastAPI app: routes, error handlers, OpenAPI docs at /docs.

``uvicorn api.main:app`` or ``matcher serve`` runs it; tests call ``create_app()`` and override the engine.
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI

from api import auth, errors, web
from api.audit import AuditMiddleware
from api.routes import chain, events, matching, registry, tiers
from matcher import __version__


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
    app.add_middleware(AuditMiddleware)
    app.include_router(auth.router, prefix="/api")
    app.include_router(web.router)
    app.include_router(registry.router, prefix="/api")
    app.include_router(tiers.router, prefix="/api")
    app.include_router(events.router, prefix="/api")
    app.include_router(chain.router, prefix="/api")
    app.include_router(matching.router, prefix="/api")
    if missing := auth.undeclared(app):  # they answer 403 until declared; tests/test_auth_matrix.py fails
        logging.getLogger(__name__).warning("未声明访问规则的路由：%s", "；".join(missing))
    return app


app = create_app()
