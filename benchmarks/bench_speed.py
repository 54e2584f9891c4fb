"""Speed of the matching engine's dense layer: encoder throughput, index build, query latency, memory, recall.

Run from the repository root (2 threads by default; 1M is opt-in because it takes ~15 minutes)::

    python benchmarks/bench_speed.py                       # 10k and 100k
    python benchmarks/bench_speed.py --million --encode 20000

Vectors keep the structure of real embeddings: ``--encode`` synthetic Chinese enterprise profiles, built from
the product vocabulary of ``/work/shared/eval/corpus.jsonl`` (read at run time, never copied), are encoded
with the real default encoder. Larger sizes are filled with perturbed copies of those vectors: Gaussian
noise is added and rows renormalized, the noise scaled so that a copy's cosine to its source equals the
median nearest-neighbour cosine among the real vectors (so copies sit as close as real neighbours do).
Query latency is measured per single query, including encoding its text, over real demand texts.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matcher.encoders.base import Encoder  # noqa: E402
from matcher.retrieval import Retriever, make_retriever, resolve_kind  # noqa: E402
from matcher.retrieval.faiss import set_threads  # noqa: E402
from matcher.settings import get_settings  # noqa: E402
from matcher.text.profiles import enterprise_profile  # noqa: E402

EVAL_DIR = Path(os.environ.get("MATCHER_SHARED_DIR", "/work/shared")) / "eval"


@dataclass(frozen=True)
class Context:
    """What every measurement shares: the per-query encoder, the query texts and vectors, rates, threads."""

    encoder: Encoder
    queries: Sequence[str]
    query_vectors: np.ndarray
    enc_rate: float
    threads: int


@dataclass
class Row:
    """One measured (size, backend) combination."""

    size: int
    kind: str
    build_s: float
    add_per_s: float
    build_pct: float
    p50_ms: float
    p95_ms: float
    search_p50_ms: float
    search_p95_ms: float
    rss_mb: float
    recall: float | None


def rss_mb() -> float:
    """Resident memory of this process, after handing freed heap back to the OS (glibc)."""
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def synthetic_profiles(n: int, seed: int = 0) -> list[str]:
    """``n`` enterprise profile texts: each mixes products of one corpus company with others of its sector."""
    records = [json.loads(line) for line in (EVAL_DIR / "corpus.jsonl").open(encoding="utf-8")]
    by_sector: dict[str, list[str]] = {}
    for rec in records:
        by_sector.setdefault(rec.get("industry_l1") or "其他", []).extend(p["name"] for p in rec["products"])
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        rec = rng.choice(records)
        own = [p["name"] for p in rec["products"]]
        pool = by_sector[rec.get("industry_l1") or "其他"]
        names = rng.sample(own, min(len(own), rng.randint(1, 4))) + rng.sample(
            pool, min(len(pool), rng.randint(1, 5))
        )
        products = [{"name": name, "weight": rng.random()} for name in dict.fromkeys(names)]
        texts.append(
            enterprise_profile({"id": str(i), "name": f"企业{i}", "products": products, **_sector(rec)})
        )
    return texts


def _sector(rec: dict[str, object]) -> dict[str, object]:
    return {k: rec.get(k) for k in ("industry_l1", "industry_l3")}


def query_texts(n: int) -> list[str]:
    """Real demand / supply texts from the dev query sets, cycled to ``n``."""
    texts = []
    for name in ("dev_supplier_queries.jsonl", "dev_buyer_queries.jsonl"):
        texts += [json.loads(line)["text"] for line in (EVAL_DIR / name).open(encoding="utf-8")]
    return [texts[i % len(texts)] for i in range(n)]


def noise_scale(real: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """(sigma, target cosine): noise per dimension giving copies the median real nearest-neighbour cosine."""
    probe = real[rng.choice(len(real), size=min(1000, len(real)), replace=False)]
    sims = probe @ real.T
    sims[sims > 0.9999] = -1  # the probe itself (and exact duplicate texts)
    target = float(np.median(sims.max(axis=1)))
    # ||noise||^2 = sigma^2 * dim; cos(src, normalize(src + noise)) ~ 1 / sqrt(1 + sigma^2 * dim)
    sigma = float(np.sqrt((1 / target**2 - 1) / real.shape[1]))
    return sigma, target


def grow(real: np.ndarray, size: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """The real vectors, then perturbed copies of randomly chosen ones up to ``size`` rows (unit length)."""
    if size <= len(real):
        return real[:size]
    extra = real[rng.integers(0, len(real), size - len(real))]
    for start in range(0, len(extra), 100_000):
        block = extra[start : start + 100_000]
        block += rng.standard_normal(block.shape, dtype=np.float32) * np.float32(sigma)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
    return np.concatenate([real, extra])


def with_threads(encoder: Encoder, threads: int) -> Encoder:
    """Set the thread count of encoders that have one (USE reads it when its model first loads)."""
    if hasattr(encoder, "threads"):
        encoder.threads = threads
    return encoder


def latencies(
    encoder: Encoder, retriever: Retriever, queries: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per single query: milliseconds for encode + search, and for search alone."""
    total, search = [], []
    for text in queries:
        t0 = time.perf_counter()
        vector = encoder.encode([text])
        t1 = time.perf_counter()
        retriever.search(vector, 10)
        t2 = time.perf_counter()
        total.append((t2 - t0) * 1000)
        search.append((t2 - t1) * 1000)
    return np.array(total), np.array(search)


def measure(
    size: int, kind: str, vectors: np.ndarray, ctx: Context, truth: np.ndarray | None
) -> tuple[Row, np.ndarray]:
    """Build ``kind`` over ``vectors`` and time it; returns the row and the top-10 ids of the queries."""
    settings = get_settings()
    before = rss_mb()
    retriever = make_retriever(kind, vectors.shape[1], settings, expected_size=size)
    start = time.perf_counter()
    retriever.index(np.arange(size, dtype=np.int64), vectors)
    build = time.perf_counter() - start
    memory = rss_mb() - before
    set_threads(1)  # a serving process answers one query at a time: OpenMP threads only add waits
    total, search = latencies(ctx.encoder, retriever, ctx.queries)
    set_threads(ctx.threads)
    top = retriever.search(ctx.query_vectors, 10).ids
    recall = (
        None
        if truth is None
        else float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, top, strict=True)]))
    )
    concrete = resolve_kind(kind, expected_size=size, settings=settings)
    name = f"{kind} ({concrete})" if kind != concrete else kind
    if kind == "exact" and resolve_kind("auto", expected_size=size, settings=settings) == concrete:
        name = f"exact = auto ({concrete})"
    p50, p95 = np.percentile(total, [50, 95])
    s50, s95 = np.percentile(search, [50, 95])
    row = Row(
        size=size,
        kind=name,
        build_s=build,
        add_per_s=size / build,
        build_pct=100 / (1 + build * ctx.enc_rate / size),  # encode at the measured raw rate, then add
        p50_ms=p50,
        p95_ms=p95,
        search_p50_ms=s50,
        search_p95_ms=s95,
        rss_mb=memory,
        recall=recall,
    )
    return row, top


def print_table(rows: list[Row], enc_rate: float) -> None:
    print(f"\nraw encoder throughput (batch encode): {enc_rate:,.0f} texts/s\n")
    print(
        "| vectors | index | build s | add vec/s | build thr. % of raw | p50 ms | p95 ms | search p50 | search p95 | RSS Δ MB | recall@10 |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        recall = "exact" if r.recall is None else f"{r.recall:.3f}"
        print(
            f"| {r.size:,} | {r.kind} | {r.build_s:.1f} | {r.add_per_s:,.0f} | {r.build_pct:.1f} | {r.p50_ms:.1f} | "
            f"{r.p95_ms:.1f} | {r.search_p50_ms:.2f} | {r.search_p95_ms:.2f} | {r.rss_mb:,.0f} | {recall} |"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="matcher 检索速度基准")
    parser.add_argument("--sizes", default="10000,100000", help="逗号分隔的索引规模")
    parser.add_argument("--million", action="store_true", help="另测 1,000,000（约 15 分钟）")
    parser.add_argument("--encode", type=int, default=20_000, help="真实编码的合成企业画像条数")
    parser.add_argument("--queries", type=int, default=300, help="单条查询次数（含编码）")
    parser.add_argument("--kinds", default="auto,faiss-hnsw", help="除精确基准外要测的后端")
    parser.add_argument("--encoder", default=None, help="编码器名称（默认取设置，即 use-m3）")
    parser.add_argument("--threads", type=int, default=2, help="FAISS 线程数")
    parser.add_argument("--encoder-threads", type=int, default=1, help="批量编码线程数（共享机器上 1 更快）")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # rows appear as measured
    if not (EVAL_DIR / "corpus.jsonl").exists():
        print(f"跳过：找不到 {EVAL_DIR / 'corpus.jsonl'}（需要它的产品词表来合成企业画像）")
        return
    from matcher.encoders.factory import get_encoder

    set_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([1_000_000] if args.million else [])
    encoder = with_threads(get_encoder(args.encoder or get_settings().encoder), args.encoder_threads)
    query_encoder = with_threads(get_encoder(args.encoder or get_settings().encoder), 1)
    texts, queries = synthetic_profiles(args.encode), query_texts(args.queries)
    encoder.encode(texts[:64]), query_encoder.encode(queries[:8])  # load the models before timing
    start = time.perf_counter()
    real = encoder.encode(texts)
    enc_time = time.perf_counter() - start
    enc_rate = len(texts) / enc_time
    ctx = Context(query_encoder, queries, query_encoder.encode(queries), enc_rate, args.threads)
    rng = np.random.default_rng(0)
    sigma, target = noise_scale(real, rng)
    print(
        f"encoder {encoder.model_id} ({args.encoder_threads} thread(s) in batch, 1 per query): {len(texts):,} "
        f"profiles in {enc_time:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"copies beyond {len(real):,}: + N(0, {sigma:.4f}²) per dim, renormalized (cos to source ≈ {target:.3f})"
    )
    rows = []
    for size in sizes:
        vectors = grow(real, size, sigma, rng)
        exact_row, truth = measure(size, "exact", vectors, ctx, None)
        rows.append(exact_row)
        for kind in [k for k in args.kinds.split(",") if k]:
            if resolve_kind(kind, expected_size=size) in ("faiss-flat", "numpy"):
                continue  # already measured as the exact row
            rows.append(measure(size, kind, vectors, ctx, truth)[0])
            print_table(rows[-1:], enc_rate)
        del vectors
    print_table(rows, enc_rate)


if __name__ == "__main__":
    main()
