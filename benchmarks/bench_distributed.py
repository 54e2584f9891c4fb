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

``--cli-build`` measures the whole registry through the command users run instead (issue 15's done-when): the
registry is written as JSON Lines, ``matcher index build --engine ray --input FILE`` encodes and indexes all of
it (a fresh ``MATCHER_HOME``, so nothing is cached; the run fills that home's embedding cache, as a user's run
does), and its encoding throughput is printed beside the single-process encoder's on a proportional sample of
the same texts (every ``--sample-every``-th name and profile), timed just before and just after the Ray run so
that a change in the machine's load shows. Then the Ray vectors of the sampled rows are compared with the
single-process ones (smallest cosine), ``matcher index build --engine local`` builds the single-process index
from the same home (its encoder reads the cache), and both indexes answer the dev demand texts
(``eval/dev_*_queries.jsonl``): the share whose top-10 names and profiles are identical.

    python benchmarks/bench_distributed.py --companies 100000 --cli-build
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.registry import SHARED, realistic_sample, vocabulary  # noqa: E402
from matcher.cli.shards import read_docs  # noqa: E402
from matcher.distributed.base import ShardSearch  # noqa: E402
from matcher.distributed.build import build_shards  # noqa: E402
from matcher.distributed.local import LocalEngine, LocalShards  # noqa: E402
from matcher.distributed.shards import merge, read_shard_manifest, role_texts  # noqa: E402
from matcher.distributed.vectors import read_vectors  # noqa: E402
from matcher.encoders.factory import get_encoder  # noqa: E402
from matcher.retrieval.base import top_k  # noqa: E402
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
    print(
        f"\n== 编码吞吐（{n:,} 条：产品名称 {len(texts['names'].texts):,}，企业简介 {len(texts['profiles'].texts):,}）"
    )
    model = get_encoder(encoder)
    model.encode(["预热"])  # the baseline excludes loading the model; the engines' figures include it
    base = timed(lambda: [model.encode(everything[i : i + 4096]) for i in range(0, n, 4096)])
    print(f"{'single process encoder (baseline)':38s} {base:8.1f} s {n / base:8.0f} texts/s   1.00")
    out: dict[str, Path] = {}
    local = LocalEngine(
        encoder, cache_dir=root / "cache"
    )  # the cache lets the one-index build below reuse it
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
        manifest = build_shards(
            docs, root / f"ray{workers}", engine, n_shards=shards, model_id=model.model_id
        )
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
    print(
        f"\n== 检索（{len(queries)} 个需求文本，每次 1 个查询，k={DEPTH}，IVF-Flat nprobe={one.manifest.nprobe}）"
    )
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
                set(remote.search(role, q[None, :], 10).ids[0])
                == set(one.search(role, q[None, :], 10).ids[0])
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
    print(
        f"\n== 合成规模：{n:,} 个名称向量（真实向量加噪声），{shards} 个分片，IVF-Flat nlist={nlist} nprobe=16"
    )
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


def cli_build_section(docs: list[ProfileDoc], encoder: str, shards: int, every: int, root: Path) -> None:
    """The registry through ``matcher index build`` (module doc, ``--cli-build``)."""
    registry = root / "registry.jsonl"
    with registry.open("w", encoding="utf-8") as handle:
        for d in docs:
            products = [{"name": name, "weight": weight} for name, weight in d.products]
            handle.write(
                json.dumps({"id": d.id, "name": d.name, "products": products}, ensure_ascii=False) + "\n"
            )
    texts = role_texts(read_docs(registry))  # as the command will read them
    n = sum(len(part.texts) for part in texts.values())
    sample = {role: (part.ids[::every], part.texts[::every]) for role, part in texts.items()}
    m = sum(len(t) for _, t in sample.values())
    print(f"\n== matcher index build（{n:,} 条：产品名称 {len(texts['names'].texts):,}，企业简介 "
          f"{len(texts['profiles'].texts):,}；单进程基线取每 {every} 条 1 条，共 {m:,} 条）")  # fmt: skip
    model = get_encoder(encoder)
    model.encode(["预热"])

    def baseline() -> tuple[float, dict[str, np.ndarray]]:
        start, out = time.perf_counter(), {}
        for role, (_, part) in sample.items():
            out[role] = np.concatenate([model.encode(part[i : i + 4096]) for i in range(0, len(part), 4096)])
        return m / (time.perf_counter() - start), out

    before, vectors = baseline()
    print(f"单进程编码器（基线，Ray 之前）：{before:8.0f} 条/秒   {uptime()}")
    # Ray starts its workers 15 steps nicer than the driver; on a shared machine that, not the engine,
    # would decide the comparison with the baseline (which runs at this process's priority)
    env = {
        **os.environ,
        "MATCHER_HOME": str(root / "home"),
        "MATCHER_ENCODER": encoder,
        "RAY_worker_niceness": "0",
    }
    matcher = str(Path(sys.executable).with_name("matcher"))  # the entry point users run
    command = [matcher, "index", "build", "--input", str(registry), "--shards", str(shards)]
    for engine in ("ray", "local"):
        start = time.perf_counter()
        subprocess.run([*command, "--engine", engine, "--out", str(root / engine)], env=env, check=True)
        wall = time.perf_counter() - start
        manifest = read_shard_manifest(root / engine)
        rate = n / manifest.seconds["encode"]
        print(f"matcher index build --engine {engine}：整条命令 {wall:8.1f} 秒，编码 {manifest.seconds['encode']:8.1f} 秒 "
              f"= {rate:8.0f} 条/秒   {uptime()}")  # fmt: skip
        if engine == "ray":
            after, _ = baseline()
            print(f"单进程编码器（基线，Ray 之后）：{after:8.0f} 条/秒")
            base = (before + after) / 2
            print(f"Ray 编码吞吐 / 单进程基线（前后平均 {base:.0f} 条/秒）= {rate / base:.2f}")
            for role, (ids, _) in sample.items():
                got_ids, got = read_vectors(root / "ray" / f"vectors/role={role}", ids=ids)
                order = np.argsort(ids, kind="stable")
                assert np.array_equal(got_ids, ids[order]), f"{role}: Ray 向量缺少抽样行"
                cosine = (got * vectors[role][order]).sum(axis=1)
                print(f"{role}：Ray 与单进程向量的最小余弦 {float(cosine.min()):.6f}（抽样 {len(ids):,} 行）")
    queries = dev_demand_texts()
    q = model.encode(queries)
    top = {}
    for engine in ("ray", "local"):  # one build's shards in memory at a time
        shards = LocalShards(root / engine)
        top[engine] = {role: shards.search(role, q, 10).ids for role in ("names", "profiles")}
        nlist, nprobe = shards.manifest.roles["names"].nlist, shards.manifest.nprobe
        del shards
    for role in ("names", "profiles"):
        same = sum(list(x) == list(y) for x, y in zip(top["ray"][role], top["local"][role], strict=True))
        print(
            f"{role}：{len(queries)} 条开发集需求文本，Ray 建的索引与单进程索引前 10 名完全相同 {same}/{len(queries)}"
        )
    _, names = read_vectors(root / "ray" / "vectors/role=names")
    quantization_section(names, q, nlist, nprobe)


def exact_top10(vectors: np.ndarray, queries: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """Rows of the 10 best inner products per query, by brute force a chunk of vectors at a time (each chunk
    a "shard" whose top 10 the shards' own ``merge`` combines)."""
    parts = [
        top_k(np.arange(start, start + len(part)), queries @ part.T, 10)
        for start in range(0, len(vectors), chunk)
        if len(part := vectors[start : start + chunk])
    ]
    return merge(parts, 10).ids


def quantization_section(
    vectors: np.ndarray, queries: np.ndarray, nlist: int, nprobe: int, sweep: Sequence[int] = ()
) -> None:
    """Recall@10 against exact search, bytes per vector and latency of IVF with full, 8-bit scalar and
    product-quantized (64 x 8 bits) codes over the same real vectors, one quantizer trained per kind on the
    same sample, at the shards' ``nprobe`` and each of ``sweep``: what ``docs/scale.md`` projects memory with."""
    import faiss

    n, dim = vectors.shape
    truth = exact_top10(vectors, queries)
    sample = vectors[np.sort(np.random.default_rng(0).choice(n, min(n, nlist * 64), replace=False))]
    print(f"\n== 量化（{n:,} 个真实名称向量，{dim} 维，IVF nlist={nlist}，{len(queries)} 个查询，"
          f"对照精确检索的前 10 名）")  # fmt: skip
    for kind in ("Flat", "SQ8", "PQ64"):
        start = time.perf_counter()
        index = faiss.index_factory(dim, f"IVF{nlist},{kind}", faiss.METRIC_INNER_PRODUCT)
        index.train(sample)
        index.add(vectors)
        size = faiss.serialize_index(index).nbytes
        print(
            f"IVF-{kind:5s} 建 {time.perf_counter() - start:7.1f} s  {size / 2**20:9.1f} MB  {size / n:7.1f} B/向量"
        )
        for probes in dict.fromkeys([nprobe, *sweep]):
            index.nprobe = probes
            times = latencies(lambda q, index=index: index.search(q, DEPTH), queries)
            _, found = index.search(queries, 10)
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
            print(f"    nprobe={probes:<4d} 召回@10 {recall:.3f}  {percentiles(times)}")
        del index


def dev_demand_texts() -> list[str]:
    """The demand texts of every dev query file in ``eval/`` (supplier, semantic, document)."""
    texts = []
    for name in ("dev_supplier_queries", "dev_semantic_queries", "dev_document_queries"):
        path = SHARED / "eval" / f"{name}.jsonl"
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--encoder", default="use-m3")
    parser.add_argument("--serve", action="store_true", help="also deploy 2 shards x 2 replicas on Ray Serve")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="then per-shard memory and latency at this many name vectors (synthetic)",
    )
    parser.add_argument("--scale-nlist", type=int, default=1024)
    parser.add_argument(
        "--cli-build", action="store_true", help="the whole registry through matcher index build (module doc)"
    )
    parser.add_argument("--sample-every", type=int, default=50, help="--cli-build: the baseline's sample")
    parser.add_argument("--keep", type=Path, help="--cli-build: write the builds here and keep them")
    parser.add_argument(
        "--quantization",
        type=Path,
        help="only the quantization table, on the names of a build kept with --keep",
    )
    parser.add_argument(
        "--nprobes", default="32,64,128", help="--quantization: nprobe values beside the shards'"
    )
    args = parser.parse_args()
    print(f"机器：{os.cpu_count()} 核；{uptime()}")
    if args.quantization:
        _, names = read_vectors(args.quantization / "ray" / "vectors/role=names")
        manifest = read_shard_manifest(args.quantization / "ray")
        queries = get_encoder(args.encoder).encode(dev_demand_texts())
        sweep = [int(x) for x in args.nprobes.split(",") if x]
        quantization_section(names, queries, manifest.roles["names"].nlist, manifest.nprobe, sweep)
        print(f"\n{uptime()}")
        return
    sample = realistic_sample(args.companies)
    docs = [ProfileDoc.from_enterprise(e) for e in sample.enterprises]
    print(f"数据：realistic_sample({args.companies:,})，{vocabulary(sample.enterprises):,} 个不同产品名称；"
          f"编码器 {args.encoder}；{args.shards} 个分片")  # fmt: skip
    if args.cli_build:
        with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
            root = args.keep or Path(tmp)
            root.mkdir(parents=True, exist_ok=True)
            cli_build_section(docs, args.encoder, args.shards, args.sample_every, root)
        print(f"\n{uptime()}")
        return
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        root = Path(tmp)
        builds = encode_section(docs, args.encoder, root, args.shards)
        queries = get_encoder(args.encoder).encode([demand_profile(d) for d in sample.demands][:200])
        if args.serve:
            from matcher.distributed.ray_serve import deploy

            start = time.perf_counter()
            deploy(builds["ray2"], replicas=2)
            print(
                f"\nRay Serve 部署 {args.shards} 个分片 x 2 个副本 + 路由：{time.perf_counter() - start:.1f} s"
            )
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
