"""``matcher serve``: the REST API and the web app in one uvicorn server."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from matcher.cli.common import console, open_store, reporting_errors
from matcher.errors import MatcherError
from matcher.settings import get_settings
from matcher.store import Store
from matcher.store import repository as repo

HEALTHCHECK_SECONDS = 180


def serve_demo(host: str, port: int) -> Store:
    """The demo's store (the sample is loaded when missing), one fresh account per role, printed; the
    server started next serves this store (its workers read ``MATCHER_DATABASE_URL``)."""
    from matcher.cli import demo

    if host not in ("127.0.0.1", "localhost", "::1"):
        raise MatcherError(f"演示模式的账号密码会打印在屏幕上，只能监听本机（127.0.0.1），收到 --host {host}")
    settings = get_settings()
    store, _ = demo.demo_store(settings)
    with store.session() as session:
        if not (demo.sample_usccs() & set(repo.enterprise_ids(session))):
            store.dispose()
            store, _ = demo.load_demo(settings)
    os.environ["MATCHER_DATABASE_URL"] = store.url
    get_settings.cache_clear()
    console.print(demo.accounts_table(demo.demo_accounts(store)))
    console.print(f"用上面任一账号登录 http://{host}:{port}/ （仅供演示：请勿对外开放）", highlight=False)
    return store


def serve(
    host: Annotated[str, typer.Option(help="监听地址；对外服务请置于反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="端口")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="工作进程数（多进程请使用 PostgreSQL）")] = 1,
    log_level: Annotated[str, typer.Option(help="日志级别：info / warning / error")] = "info",
    demo: Annotated[
        bool, typer.Option("--demo", help="在演示数据上启动（没有时先导入），每个角色一个现成账号并打印")
    ] = False,
) -> None:
    """启动 API 与网页（默认 SQLite；MATCHER_DATABASE_URL 指向 PostgreSQL 时可多进程）。"""
    import uvicorn

    with reporting_errors():
        store = serve_demo(host, port) if demo else open_store()  # migrate once here, not in every worker
        console.print(
            f"数据库：{store.safe_url}；网页 http://{host}:{port}/ ，API 文档 http://{host}:{port}/docs"
        )
        store.dispose()
    # glibc gives each thread that allocates its own heap arena (up to 8 per core), and every request thread
    # of a worker then keeps what it freed of per-query arrays; two arenas per worker (read by the workers,
    # which start after this) bound that (matcher.engine.matching._trim_heap returns the rest)
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
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
