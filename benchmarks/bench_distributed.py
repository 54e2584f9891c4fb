"""Shard builds and shard serving, Ray beside the single process, on a realistic registry (issue 15).

Prints, in one run, on ``realistic_sample(--companies)`` (products of the real corpus, renamed per copy:
``benchmarks/registry.py``):

1. encoding throughput: the single-process encoder (the baseline: ``encoder.encode`` in chunks, nothing
   else), the local build engine, and the Ray engine with 1 and 2 encoder processes on a local Ray
   (``num_cpus=2``); no embedding cache, so every text is encoded; the smallest per-row cosine between the
   Ray vectors and the single-process ones;
2. search: per index shard its vectors, bytes on disk and p50/p95 of one query (k = candidate depth 300),
   the shards merged in process, one index over everything (the baseline), and with ``--serve`` the Ray
   Serve router over 2 shards x 2 replicas, with the share of queries whose top-10 equals one index's.

Queries are the sample's demand texts. The machine's load (``uptime``) is printed first and last.

    python benchmarks/bench_distributed.py --companies 2000 --serve
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.registry import realistic_sample, vocabulary  # noqa: E402
from matcher.distributed.base import ShardSearch  # noqa: E402
from matcher.distributed.build import build_shards  # noqa: E402
from matcher.distributed.local import LocalEngine, LocalShards  # noqa: E402
from matcher.distributed.shards import role_texts  # noqa: E402
from matcher.distributed.vectors import read_vectors  # noqa: E402
from matcher.encoders.factory import get_encoder  # noqa: E402
from matcher.text.profiles import ProfileDoc, demand_profile  # noqa: E402

DEPTH = 300  # candidate depth: what the engine asks each dense index for


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def percentiles(times: list[float]) -> str:
    ms = np.asarray(times) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms  p95 {np.percentile(ms, 95):7.2f} ms"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def latencies(search: Callable[[np.ndarray], object], queries: np.ndarray) -> list[float]:
    search(queries[:1])  # warm-up
    return [timed(lambda q=q: search(q[None, :])) for q in queries]


def encode_section(docs: list[ProfileDoc], encoder: str, root: Path, shards: int) -> dict[str, Path]:
    texts = role_texts(docs)
    everything = [t for part in texts.values() for t in part.texts]
    n = len(everything)
    print(f"\n== 编码吞吐（{n:,} 条：产品名称 {len(texts['names'].texts):,}，企业简介 {len(texts['profiles'].texts):,}）")
    model = get_encoder(encoder)
    model.encode(["预热"])  # the baseline excludes loading the model; the engines' figures include it
    base = timed(lambda: [model.encode(everything[i : i + 4096]) for i in range(0, n, 4096)])
    print(f"{'single process encoder (baseline)':38s} {base:8.1f} s {n / base:8.0f} texts/s   1.00")
    out: dict[str, Path] = {}
    local = LocalEngine(encoder, cache_dir=root / "cache")  # the cache lets the one-index build below reuse it
    manifest = build_shards(docs, root / "local", local, n_shards=shards, model_id=model.model_id)
    out["local"] = root / "local"
    row("local engine (encode, cache, Parquet)", manifest.seconds["encode"], n, base)
    one = LocalEngine(encoder, cache_dir=root / "cache")
    build_shards(docs, root / "one", one, n_shards=1, model_id=model.model_id)
    out["one"] = root / "one"
    from matcher.distributed.ray_build import RayEngine, start_ray

    print(f"Ray 启动（num_cpus=2，对象存储 500 MB）：{timed(lambda: start_ray(None)):.1f} s")
    for workers in (1, 2):
        engine = RayEngine(encoder, workers=workers)
        manifest = build_shards(docs, root / f"ray{workers}", engine, n_shards=shards, model_id=model.model_id)
        out[f"ray{workers}"] = root / f"ray{workers}"
        row(f"ray engine, {workers} encoder process(es)", manifest.seconds["encode"], n, base)
    for role in ("names", "profiles"):
        _, a = read_vectors(out["local"] / f"vectors/role={role}")
        _, b = read_vectors(out["ray2"] / f"vectors/role={role}")
        print(f"{role}: Ray 与单进程向量的最小余弦 {float((a * b).sum(axis=1).min()):.6f}（{len(a):,} 行）")
    return out


def row(label: str, seconds: float, n: int, base: float) -> None:
    print(f"{label:38s} {seconds:8.1f} s {n / seconds:8.0f} texts/s {base / seconds:6.2f}")


def search_section(builds: dict[str, Path], queries: np.ndarray, serve: bool) -> None:
    one, merged = LocalShards(builds["one"]), LocalShards(builds["local"])
    print(f"\n== 检索（{len(queries)} 个需求文本，每次 1 个查询，k={DEPTH}，IVF-Flat nprobe={one.manifest.nprobe}）")
    for role in ("names", "profiles"):
        info = merged.manifest.roles[role]
        for s, shard in enumerate(merged.shards[role]):
            size = sum(f.stat().st_size for f in (builds["local"] / info.shards[s]).glob("*.bin"))
            times = latencies(lambda q, shard=shard: shard.search(q, DEPTH), queries)
            print(f"{role} shard {s}: {len(shard):9,} vectors {size / 2**20:8.1f} MB  {percentiles(times)}")
        show(f"{role} {len(merged.shards[role])} shards merged in process", merged, role, queries)
        show(f"{role} one index (baseline)", one, role, queries)
        if serve:
            from matcher.distributed.ray_serve import RayShards

            remote = RayShards()
            show(f"{role} Ray Serve router, 2x2 replicas", remote, role, queries)
            same = [
                set(remote.search(role, q[None, :], 10).ids[0]) == set(one.search(role, q[None, :], 10).ids[0])
                for q in queries
            ]
            print(f"{role}: Ray Serve 前 10 名与单一索引相同的查询 {sum(same)}/{len(same)}")


def scale_section(build: Path, queries: np.ndarray, n: int, shards: int, nlist: int, root: Path) -> None:
    """Per-shard memory and latency at ``n`` name vectors made from the real ones (each a real vector plus
    Gaussian noise, renormalized: clustered as real names are). For memory and latency only, not recall."""
    from matcher.retrieval.factory import load_retriever
    from matcher.retrieval.faiss import IVFRetriever

    _, real = read_vectors(build / "vectors/role=names")
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    vectors = real[rng.integers(0, len(real), n)] + rng.normal(0, 0.03, (n, real.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(n, dtype=np.int64)
    sample = vectors[np.sort(rng.choice(n, min(n, nlist * 64), replace=False))]
    IVFRetriever(real.shape[1], nlist=nlist, nprobe=16).train(sample).save(root / "q", model_id="synthetic")
    print(f"\n== 合成规模：{n:,} 个名称向量（真实向量加噪声），{shards} 个分片，IVF-Flat nlist={nlist} nprobe=16")
    print(f"训练量化器（{len(sample):,} 个样本）：{time.perf_counter() - start:.1f} s")
    for s in range(shards):
        start = time.perf_counter()
        mine = ids % shards == s
        IVFRetriever.load(root / "q").add(ids[mine], vectors[mine]).save(root / f"s{s}", model_id="synthetic")
        built = time.perf_counter() - start
        shard = load_retriever(root / f"s{s}")  # IVF-Flat is read whole: its memory is its file size
        size = sum(f.stat().st_size for f in (root / f"s{s}").glob("*.bin")) / 2**20
        times = latencies(lambda q, shard=shard: shard.search(q, DEPTH), queries)
        print(f"shard {s}: {int(mine.sum()):9,} vectors  built {built:6.1f} s  {size:8.1f} MB  "
              f"{percentiles(times)}")  # fmt: skip
        del shard


def show(label: str, search: ShardSearch, role: str, queries: np.ndarray) -> None:
    print(f"{label:44s} {percentiles(latencies(lambda q: search.search(role, q, DEPTH), queries))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--encoder", default="use-m3")
    parser.add_argument("--serve", action="store_true", help="also deploy 2 shards x 2 replicas on Ray Serve")
    parser.add_argument(
        "--scale", type=int, default=0, help="then per-shard memory and latency at this many name vectors (synthetic)"
    )
    parser.add_argument("--scale-nlist", type=int, default=1024)
    args = parser.parse_args()
    print(f"机器：{os.cpu_count()} 核；{uptime()}")
    sample = realistic_sample(args.companies)
    docs = [ProfileDoc.from_enterprise(e) for e in sample.enterprises]
    print(f"数据：realistic_sample({args.companies:,})，{vocabulary(sample.enterprises):,} 个不同产品名称；"
          f"编码器 {args.encoder}；{args.shards} 个分片")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        root = Path(tmp)
        builds = encode_section(docs, args.encoder, root, args.shards)
        queries = get_encoder(args.encoder).encode([demand_profile(d) for d in sample.demands][:200])
        if args.serve:
            from matcher.distributed.ray_serve import deploy

            start = time.perf_counter()
            deploy(builds["ray2"], replicas=2)
            print(f"\nRay Serve 部署 {args.shards} 个分片 x 2 个副本 + 路由：{time.perf_counter() - start:.1f} s")
        search_section(builds, queries, args.serve)
        if args.scale:
            scale_section(builds["local"], queries, args.scale, args.shards, args.scale_nlist, root)
        import ray

        if ray.is_initialized():
            from ray import serve

            serve.shutdown()
            ray.shutdown()
    print(f"\n{uptime()}")


if __name__ == "__main__":
    main()
