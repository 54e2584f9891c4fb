"""``matcher index build`` and ``matcher index serve``: index shards, built and served on one machine or on Ray.

matcher index build                                   # this process, 2 shards (the reference)
matcher index build --engine ray --shards 4           # a local Ray (2 CPUs), 2 encoder processes
matcher index build --engine ray --address HOST:6379  # join a cluster (the output on shared storage)
matcher index serve --replicas 2                      # Ray Serve: a deployment per shard, and a router

Heavy imports (encoders, Ray) happen inside the commands so that ``matcher --help`` stays fast.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from matcher.cli.common import console, open_store, reporting_errors
from matcher.settings import get_settings
from matcher.text.profiles import ProfileDoc

PAGE = 5000  # enterprises read from the store per query


def build(
    engine: Annotated[
        str, typer.Option("--engine", help="local（本进程）或 ray（Ray Data 与编码进程池）")
    ] = "local",
    address: Annotated[
        str | None, typer.Option("--address", help="加入的 Ray 集群地址；不填则在本机启动")
    ] = None,
    shards: Annotated[int, typer.Option("--shards", min=1, max=256, help="索引分片数")] = 2,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Ray 编码进程数")] = 2,
    input: Annotated[
        Path | None, typer.Option("--input", help="JSON Lines 企业文件（id、name、products）；不填则读登记库")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="分片索引目录；默认 MATCHER_HOME/shards")] = None,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="先查嵌入缓存，新算的向量写回缓存")
    ] = True,
) -> None:
    """构建分片索引：编码产品名称与企业简介，训练量化器，写出向量分片、索引分片与清单（原子替换）。"""
    with reporting_errors():
        from matcher.distributed import ENGINES, make_engine
        from matcher.distributed.build import build_shards
        from matcher.encoders.factory import get_encoder

        if engine not in ENGINES:
            raise typer.BadParameter(f"--engine 应为 {' / '.join(ENGINES)}，实为 {engine!r}")
        settings = get_settings()
        docs = read_docs(input) if input is not None else registry_docs()
        if not docs:
            raise typer.BadParameter("没有企业可建索引：先导入企业（matcher import）或用 --input 指定文件")
        model_id = get_encoder(settings.encoder).model_id
        runner = make_engine(
            engine, settings.encoder, workers=workers, address=address,
            cache_dir=settings.cache_dir if cache else None,
        )  # fmt: skip
        start = time.perf_counter()
        try:
            manifest = build_shards(
                docs,
                out or settings.shards_dir,
                runner,
                n_shards=shards,
                model_id=model_id,
                report=console.print,
            )
        finally:
            runner.close()
        seconds = time.perf_counter() - start
        texts = sum(info.count for info in manifest.roles.values())
        console.print(
            f"[green]完成[/]：{len(docs)} 家企业，{texts} 条文本，{shards} 个分片，用时 {seconds:.1f} 秒"
            f"（编码 {texts / max(manifest.seconds['encode'], 1e-9):.0f} 条/秒）→ {out or settings.shards_dir}",
            highlight=False,
        )


def serve(
    address: Annotated[
        str | None, typer.Option("--address", help="Ray 集群地址；不填则在本机启动并保持运行")
    ] = None,
    replicas: Annotated[int, typer.Option("--replicas", min=1, max=16, help="每个分片的副本数")] = 2,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="分片索引目录；默认 MATCHER_HOME/shards")
    ] = None,
) -> None:
    """在 Ray Serve 上部署分片索引：每个分片一个部署（多副本），一个路由部署负责分发与合并。"""
    with reporting_errors():
        from matcher.distributed.ray_build import start_ray
        from matcher.distributed.ray_serve import APP, deploy

        started = start_ray(address or get_settings().ray_address or None)
        deploy(directory or get_settings().shards_dir, replicas=replicas)
        console.print(f"[green]分片服务 {APP} 已部署[/]（每个分片 {replicas} 个副本）", highlight=False)
        if not started:
            return  # the application lives on in the cluster
        console.print("本机 Ray 运行中：按 Ctrl-C 停止")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
        finally:
            import ray
            from ray import serve as ray_serve

            ray_serve.shutdown()
            ray.shutdown()


def registry_docs() -> list[ProfileDoc]:
    """Every enterprise of the store, read page by page."""
    from matcher.store import repository as repo

    store, docs = open_store(), list[ProfileDoc]()
    with store.session() as session:
        while page := repo.list_enterprises(session, limit=PAGE, offset=len(docs)):
            docs.extend(ProfileDoc.from_enterprise(e.record) for e in page)
    return docs


def read_docs(path: Path) -> list[ProfileDoc]:
    """Companies from a JSON Lines file ({id, name, products: [{name, weight}]}, as ``eval/corpus.jsonl``)."""
    docs = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                docs.append(ProfileDoc.from_corpus_record(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise typer.BadParameter(f"{path} 第 {number} 行不是有效的企业记录：{exc}") from exc
    return docs
