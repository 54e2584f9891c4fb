"""``matcher serve``: the REST API and the web app in one uvicorn server."""

from __future__ import annotations

from typing import Annotated

import typer

from matcher.cli.common import console, open_store, reporting_errors

HEALTHCHECK_SECONDS = 180


def serve(
    host: Annotated[str, typer.Option(help="监听地址；对外服务请置于反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="端口")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="工作进程数（多进程请使用 PostgreSQL）")] = 1,
    log_level: Annotated[str, typer.Option(help="日志级别：info / warning / error")] = "info",
) -> None:
    """启动 API 与网页（默认 SQLite；MATCHER_DATABASE_URL 指向 PostgreSQL 时可多进程）。"""
    import uvicorn

    with reporting_errors():
        store = open_store()  # migrate once here, not racing in every worker
        console.print(
            f"数据库：{store.safe_url}；网页 http://{host}:{port}/ ，API 文档 http://{host}:{port}/docs"
        )
        store.dispose()
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        # a worker fitting a large matching pool (100k enterprises: ~35 s of CPU) answers the supervisor's
        # health check late; the 5 s default had uvicorn kill and restart busy workers in a loop
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
    )
