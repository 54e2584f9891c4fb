"""Build the FastAPI app: routes, error handlers, OpenAPI docs at /docs.

``uvicorn api.main:app`` or ``matcher serve`` runs it; tests call ``create_app()`` and override the engine.
"""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.routes import registry
from matcher import __version__


def create_app() -> FastAPI:
    app = FastAPI(
        title="matcher 产业园区供需对接 API",
        version=__version__,
        description="园区、企业、需求登记；供需双向匹配；产业链与梯度培育；对接会排程。",
    )
    errors.install(app)
    app.include_router(registry.router, prefix="/api")
    return app


app = create_app()
