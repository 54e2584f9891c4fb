"""Profile edits while queries run: how soon another worker shows an edit, and what the edits cost queries.

Two engines on one store stand for two workers: the writer saves one SME profile per ``--every`` seconds
(one new product name each, through ``Publishing.update_profile``), the reader answers supplier queries in
a closed loop (fresh demand texts from ``bench_load.demand_texts``, one thread) and, after each, asks for
the newest edited product until the edited firm is listed: time to visible = from the writer's commit to
the first reader answer that lists it. Two runs of ``--seconds`` each (three with ``--former``), on the
same fitted reader:

- ``baseline``: no edits;
- ``by id``: edits applied to the pool by enterprise id (the change log, ``matcher.ranking.layered``);
- ``full refit`` (with ``--former``): the former behaviour, every change refitting the pool
  (``pool_delta_limit=0``; below ``pool_background_refit`` enterprises the refit runs on the query's path,
  as it did). Without it, the reader's first fit, printed above the runs, is what one edit cost then.

Run from the repository root (the store is built on first use by ``bench_load.prepare_store``)::

    nice -n 10 python benchmarks/bench_updates.py --n 10000 --encoder fake
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import database_url, demand_texts, prepare_store  # noqa: E402

from matcher.engine import Engine  # noqa: E402
from matcher.settings import Settings  # noqa: E402
from matcher.store import Store  # noqa: E402

NEW_PRODUCT = "钛酸锶钡介质陶瓷电容器"


def _uptime() -> str:
    return os.popen("uptime").read().strip()


class Run:
    """One measured run: query latencies, and per edit the seconds until the reader listed it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.latencies: list[float] = []
        self.visible: list[float] = []
        self.applied: list[float] = []  # seconds each pool update took (by id; in the last run, refits)
        self.refits = 0

    def line(self) -> str:
        ms = np.asarray(self.latencies) * 1000
        q = f"{len(ms):5d} queries  p50 {np.percentile(ms, 50):7.1f}  p95 {np.percentile(ms, 95):7.1f}  max {ms.max():7.1f} ms"
        if not self.visible:
            return f"{self.name:<11} {q}"
        v = np.asarray(self.visible)
        shown = f"{len(v)} edits visible after p50 {np.median(v):.2f}  max {v.max():.2f} s"
        a = np.asarray(self.applied or [0.0])
        applied = f"{len(self.applied)} pool updates, p50 {np.median(a):.2f}  max {a.max():.2f} s each"
        return f"{self.name:<11} {q}   {shown}; {applied}; full refits {self.refits}"


def run(
    name: str, reader: Engine, writer: Engine | None, texts: Sequence[str], seconds: float, every: float
) -> Run:
    """Queries for ``seconds``; with a ``writer``, one profile edit every ``every`` seconds meanwhile."""
    out, pending, lock = Run(name), [], threading.Lock()
    stop = threading.Event()
    refits = reader.matching.refits

    def edits() -> None:
        assert writer is not None
        rng = random.Random(7)
        smes = [e for e in writer.registry.enterprises(role="sme", limit=2000) if e.record.products]
        n = 0
        while not stop.wait(every):
            firm, n = rng.choice(smes), n + 1
            product = f"{NEW_PRODUCT}{name[0]}{n:04d}型"
            products = [{"name": p.name, "share": None} for p in firm.record.products[:5]]
            writer.publishing.update_profile(
                firm.id, {"products": [*products, {"name": product, "share": None}]}
            )
            with lock:
                pending.append((firm.id, product, time.monotonic()))

    def listed(firm_id: int, product: str) -> bool:
        found = reader.matching.suppliers_for(text=f"采购{product}", k=10).matches
        return any(m.enterprise_id == firm_id and m.product == product for m in found)

    catch_up = reader.matching._catch_up

    def timed_catch_up() -> object:  # how long each update by id takes (the reader's own thread)
        t0 = time.perf_counter()
        pool = catch_up()
        out.applied.append(time.perf_counter() - t0)
        return pool

    reader.matching._catch_up = timed_catch_up  # type: ignore[method-assign]
    thread = threading.Thread(target=edits, daemon=True) if writer is not None else None
    if thread is not None:
        thread.start()
    started = time.monotonic()
    for text in texts:
        if time.monotonic() - started > seconds:
            break
        t0 = time.perf_counter()
        reader.matching.suppliers_for(text=text, k=10)
        out.latencies.append(time.perf_counter() - t0)
        with lock:
            waiting = list(pending)
        for firm_id, product, at in waiting:
            if listed(firm_id, product):
                out.visible.append(time.monotonic() - at)
                with lock:
                    pending.remove((firm_id, product, at))
    stop.set()
    if thread is not None:
        thread.join()
    reader.matching._catch_up = catch_up  # type: ignore[method-assign]
    out.refits = reader.matching.refits - refits
    print(out.line(), flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="企业数（真实词表）")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/matcher-bench-updates"))
    parser.add_argument("--encoder", default="fake", help="编码器（默认 fake：只测匹配池的更新机制）")
    parser.add_argument("--seconds", type=float, default=30.0, help="每轮秒数")
    parser.add_argument("--every", type=float, default=1.0, help="每隔多少秒修改一家企业档案")
    parser.add_argument("--former", action="store_true", help="另测旧行为：每次修改都重建整个匹配池")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    url = database_url(args.dir)
    print(f"load at start: {_uptime()}")
    prepare_store(url, args.n, args.seed)
    settings = Settings(home=args.dir, encoder=args.encoder)
    reader, writer = Engine(Store(url), settings), Engine(Store(url), settings)
    t0 = time.perf_counter()
    pool = reader.matching.match_pool()
    fitted = time.perf_counter() - t0
    vocabulary = len(pool.core.main.supplier_.table.distinct_names)
    print(
        f"registry: {pool.size:,} enterprises, {vocabulary:,} distinct product names (realistic vocabulary), "
        f"encoder {args.encoder}, store {Store(url).safe_url}; reader pool fitted in {fitted:.1f} s"
    )
    print(
        f"settings: pool_poll_seconds {settings.pool_poll_seconds}, pool_delta_limit {settings.pool_delta_limit}, "
        f"pool_background_refit {settings.pool_background_refit}; one edit every {args.every} s, {args.seconds} s per run"
    )
    texts = demand_texts(args.seed + 11, 20_000)
    runs = [run("baseline", reader, None, texts[:6_000], args.seconds, args.every)]
    runs.append(run("by id", reader, writer, texts[6_000:12_000], args.seconds, args.every))
    if args.former:
        reader.settings.pool_delta_limit = 0  # the former behaviour: any change refits the pool
        runs.append(run("full refit", reader, writer, texts[12_000:], args.seconds, args.every))
    else:
        print(f"full refit (former behaviour, not run): each edit refitted the pool, {fitted:.1f} s above")
    print("\nsummary (same reader, same registry, one run after the other):")
    for r in runs:
        print(r.line())
    print(f"load at end: {_uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
