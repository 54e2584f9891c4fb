"""``matcher index``: keep the search index (product and demand vectors) in step with the registry.

matcher index            # mend drift incrementally (the first run builds the index)
matcher index --check    # report drift only; exit status 1 when there is any (for cron / CI alerts)
matcher index --rebuild  # re-encode everything into fresh retrievers
matcher index build / serve  # index shards, on Ray past one machine (matcher.cli.shards)

The engine is imported inside the command so that ``matcher --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from matcher.cli.common import console, open_store, reporting_errors

if TYPE_CHECKING:
    from matcher.engine import Engine
    from matcher.engine.search import IndexStatus
    from matcher.search import Drift, ProgressFn

LABELS = {"products": "企业产品", "demands": "需求"}


app = typer.Typer(help="检索索引：同步、检查、重建；分片索引的构建与服务（build、serve）。")


@app.callback(invoke_without_command=True)
def index(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="只检查索引与登记库的差异；有差异时退出码为 1")
    ] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="丢弃现有索引，全部重新编码")] = False,
) -> None:
    """检索索引：检查并增量修复与登记库的差异（缺失、过期、多余），或全部重建。"""
    if ctx.invoked_subcommand is not None:
        return
    if check and rebuild:
        raise typer.BadParameter("--check 与 --rebuild 不能同时使用")
    with reporting_errors():
        from matcher.engine import Engine

        engine = Engine(open_store())
        drift = engine.search.index_check()
        if check:
            _print(drift, engine.search.index_status(), title="检索索引检查")
            if not drift.empty:
                console.print(f"[yellow]发现差异 {drift.total} 处[/]：运行 matcher index 增量修复")
                raise typer.Exit(1)
            console.print("[green]索引与登记库一致[/]")
            return
        _mend(engine, drift, rebuild=rebuild)


def _mend(engine: Engine, drift: Drift, *, rebuild: bool) -> None:
    with _progress() as on_progress:
        applied = (
            engine.search.index_rebuild(on_progress=on_progress)
            if rebuild
            else engine.search.index_sync(on_progress=on_progress)
        )
    title = "检索索引已重建" if rebuild else "检索索引已同步"
    _print(applied.drift, engine.search.index_status(), title=title)
    console.print(
        f"[green]完成[/]：处理文本 {applied.texts} 条（嵌入缓存中已有的不重新计算），"
        f"新增向量 {applied.added}，删除向量 {applied.removed}"
    )


def _print(drift: Drift, status: IndexStatus, *, title: str) -> None:
    table = Table(title=title)
    for column in ("类别", "登记库记录", "已索引记录", "缺失", "过期", "多余", "向量数"):
        table.add_column(column, justify="left" if column == "类别" else "right")
    for kd in drift.kinds():
        table.add_row(
            LABELS[kd.kind],
            str(kd.expected),
            str(kd.indexed),
            str(len(kd.missing)),
            str(len(kd.stale)),
            str(len(kd.orphaned)),
            str(status.vectors[kd.kind]),
        )
    console.print(table)
    backends = "，".join(f"{LABELS[k]} {v}" for k, v in status.backends.items())
    console.print(f"编码器 {status.model_id}；检索后端：{backends}", highlight=False)
    console.print(f"索引目录 {status.path}（版本 {status.version or '尚未建立'}）", highlight=False)
    if drift.reset:
        console.print("[yellow]现有索引由其他编码器生成，将全部重新编码[/]")


@contextmanager
def _progress() -> Iterator[ProgressFn]:
    """A progress bar for encoding, fed by ``on_progress(done, total)``."""
    columns = (TextColumn("编码"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("编码", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield on_progress
