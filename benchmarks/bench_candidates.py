"""Candidate search vs exhaustive scoring: dev-set quality, candidate recall and speed, both paths in one run.

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=1 python benchmarks/bench_candidates.py quality [--encoder use-m3] [--limit N]
    OMP_NUM_THREADS=1 python benchmarks/bench_candidates.py speed --n 10000 [--queries 200] [--vectors derived]
    OMP_NUM_THREADS=1 python benchmarks/bench_candidates.py workers --n 100000 --vectors derived [--processes 2]
    OMP_NUM_THREADS=1 python benchmarks/bench_candidates.py nprobe --n 20000 --vectors derived [--nprobes 8,16,32,64]

``quality``: one core per path (``MatchCore(search="exhaustive" | "candidates")``, the settings' depth) over
the real corpus; MRR / Recall@10 / nDCG@10 of every dev file (supplier, semantic, document: supplier
search; buyer: SME recommendation), and the candidate recall: the share of the exhaustive top 10 that the
candidate path also ranks in its top 10, over the supplier-search queries and over the buyer queries. Then
the in-process latency of a new supplier-search text (``top_suppliers``, query vectors forgotten before each,
one thread) on each path, beside the exhaustive core with one encoder (``profile_encoder=None``: what
``MATCHER_PROFILE_ENCODER=same`` runs), so the profile encoder's cost is printed with its baseline.

``speed``: ``registry.realistic_sample(n)`` (the sample's enterprises with the real corpus's products, about
10 distinct names each, renamed per copy), both cores fitted on it in one process (vectors through the disk
embedding cache and its shared vector files; ``--vectors derived`` composes the vectors of renamed names
and profiles from real vectors of their parts, ``registry.DerivedEncoder``, and prints how close they come
to real ones), then per dev supplier query ``top_suppliers(text, 10)`` and per dev buyer query
``rank_buyers(text)`` + top 10, including the query encoding (what earlier queries left in memory, query
vectors and graph products' neighbours, dropped before each query) and again with them remembered from
the first pass ("remembered": a repeated text), after ``--warm`` other dev demands through each path (a
serving worker's mapped files are in memory; the first queries after a start read them from disk): p50 / p95 and the recall of the exhaustive top
10, the fit times, resident memory (private vs mapped from shared files) and the machine's load average.

``nprobe``: the product-name IVF index of the candidate core at each ``--nprobes`` (lists searched per query,
0: the default, one list in ``PROBE_SHARE``):
for every dev supplier query's search vectors (item names and the demand's focus), the share of the exact
``depth`` nearest names the index returns and its milliseconds per search, and the candidate path's top-10
recall against the exhaustive core's top 10 (the figure the candidate default has to hold), in one run.

``workers``: per-worker resident memory (``/proc/<pid>/smaps_rollup``: RSS, private, shared, PSS) of
``--processes`` serving processes with the candidate core alone on one pool, alive together and mapping the
vector files, indexes and pool files (``matcher.ranking.shared``) an earlier ``speed`` run left on disk,
beside one worker that builds the pool's lexical indexes and table in memory (``worker --private-pool``).
``worker`` is one such process.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.cache import CachedEncoder, EmbeddingCache
from matcher.encoders.factory import get_encoder
from matcher.evaluation.harness import core_ranker, evaluate_rankings, leave_pair_out_core, read_jsonl
from matcher.ranking.core import MatchCore
from matcher.ranking.knowledge import build_core
from matcher.ranking.scoring import top_k
from matcher.settings import get_settings
from matcher.text.demand import search_queries, understand_demand
from matcher.text.profiles import ProfileDoc, enterprise_profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procmem import rollup  # noqa: E402
from registry import DerivedEncoder, Parts, realistic_sample, vocabulary  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = {
    "supplier": "dev_supplier_queries.jsonl",
    "semantic": "dev_semantic_queries.jsonl",
    "document": "dev_document_queries.jsonl",
}
BUYER_FILE = "dev_buyer_queries.jsonl"
PATHS = ("exhaustive", "candidates")


def top10_recall(reference: MatchCore, candidate: MatchCore, texts: list[str], k: int = 10) -> float:
    """Mean share of the reference's top ``k`` that the candidate core also ranks in its top ``k``."""
    shares = []
    for text in texts:
        want = set(reference.top_suppliers(text, k).order.tolist())
        got = set(candidate.top_suppliers(text, k).order.tolist())
        shares.append(len(want & got) / max(len(want), 1))
    return float(np.mean(shares))


def quality(args: argparse.Namespace) -> None:
    settings = get_settings()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(EVAL / "corpus.jsonl")]
    ids = [d.id for d in docs]
    encoder = get_encoder(args.encoder, cache_dir=settings.cache_dir)
    cores = {p: leave_pair_out_core(docs, [], None, settings, encoder=encoder, search=p) for p in PATHS}
    print(f"corpus {len(docs)} companies, encoder {args.encoder}, candidate depth {settings.candidate_depth}")
    print("| file | path | MRR | R@10 | nDCG@10 | s |")
    print("|---|---|---|---|---|---|")
    texts: list[str] = []
    for side, name in {**FILES, "buyer": BUYER_FILE}.items():
        queries = read_jsonl(EVAL / name)[: args.limit]
        if side != "buyer":
            texts += [q["text"] for q in queries]
        for path, core in cores.items():
            r = evaluate_rankings(ids, queries, core_ranker(core))
            print(
                f"| {side} | {path} | {r['mrr']:.3f} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | "
                f"{r['seconds']:.1f} |"
            )
    recall = top10_recall(cores["exhaustive"], cores["candidates"], texts)
    print(f"\ncandidate recall of the exhaustive top 10 over {len(texts)} dev supplier queries: {recall:.4f}")
    offers = [q["text"] for q in read_jsonl(EVAL / BUYER_FILE)[: args.limit]]
    shares = []
    for text in offers:
        want = set(top_k(cores["exhaustive"].rank_buyers(text).scores, 10).tolist())
        got = set(top_k(cores["candidates"].rank_buyers(text).scores, 10).tolist())
        shares.append(len(want & got) / max(len(want), 1))
    print(
        f"candidate recall of the exhaustive top 10 over {len(offers)} dev buyer queries: {np.mean(shares):.4f}"
    )
    timed = {f"{p}, profiles {_profiles(core)}": core for p, core in cores.items()}
    one = leave_pair_out_core(docs, [], None, settings, encoder=encoder, profile_encoder=None)
    timed[f"exhaustive, profiles {_profiles(one)}"] = one
    sample = texts[:: max(len(texts) // 200, 1)][:200]
    print(f"\n| supplier search, new text, in process ({len(sample)} dev queries) | p50 ms | p95 ms |")
    print("|---|---|---|")
    for label, core in timed.items():
        _timed(core, sample[:20], encode=True)  # models loaded, files read
        _, ms = _timed(core, sample, encode=True)
        print(f"| {label} | {np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f} |")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _profiles(core: MatchCore) -> str:
    return core.profile_encoder.model_id if core.profile_encoder is not None else "same encoder"


def _memory() -> str:
    """This process's resident memory: private (anonymous) and mapped from files (shared between workers)."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(line.split()[1]) / 1024
    return (
        f"{fields.get('VmRSS', 0):.0f} MB resident ({fields.get('RssAnon', 0):.0f} MB private, "
        f"{fields.get('RssFile', 0):.0f} MB mapped from shared files)"
    )


def _timed(
    core: MatchCore, texts: list[str], encode: bool, buyers: bool = False
) -> tuple[list[np.ndarray], np.ndarray]:
    """Each text's top 10 and milliseconds; ``encode``: what earlier queries left in memory (query vectors,
    graph products' neighbours) dropped before each query, so it pays its encoding and searches as a new
    demand does (else they are remembered from the previous pass).
    ``buyers``: SME recommendations (``rank_buyers``, then the top 10), else supplier searches."""
    tops, times = [], []
    for text in texts:
        if encode:
            core.forget_queries()
        t0 = time.perf_counter()
        if buyers:
            tops.append(top_k(core.rank_buyers(text).scores, 10))
        else:
            tops.append(core.top_suppliers(text, 10).order)
        times.append((time.perf_counter() - t0) * 1000)
    return tops, np.asarray(times)


def _encoders(args: argparse.Namespace, n: int) -> tuple[Any, Any, list[Any], str]:
    """The pool encoder (through the disk cache and its vector files), the query encoder, the enterprises,
    and how the pool's vectors were obtained."""
    settings = get_settings()
    query_encoder = get_encoder(args.encoder)  # no disk cache: queries are encoded as the engine does
    if args.vectors == "real":
        sample = realistic_sample(n)
        encoder = get_encoder(args.encoder, cache_dir=settings.cache_dir)
        return encoder, query_encoder, sample.enterprises, f"every name and profile encoded by {args.encoder}"
    parts: dict[str, Parts] = {}
    saved = settings.cache_dir / f"realistic-{n}.pickle"  # generating 100k takes ~10 min on a loaded machine
    if saved.exists():
        with saved.open("rb") as f:
            enterprises, parts = pickle.load(f)
    else:
        enterprises = realistic_sample(n, parts=parts).enterprises
        saved.parent.mkdir(parents=True, exist_ok=True)  # a fresh machine has no cache folder yet
        with saved.open("wb") as f:
            pickle.dump((enterprises, parts), f)
    docs = [ProfileDoc.from_enterprise(e) for e in enterprises]
    profiles = {enterprise_profile(d): (list(d.products), d.industry) for d in docs}
    real = get_encoder(args.encoder, cache_dir=settings.cache_dir)
    derived = DerivedEncoder(real, parts, profiles)
    rng = np.random.default_rng(0)
    renamed = [name for name, (q, _, _) in parts.items() if q]
    fit = derived.calibrate(
        [renamed[i] for i in rng.choice(len(renamed), min(400, len(renamed)), replace=False)],
        [list(profiles)[i] for i in rng.choice(len(profiles), min(200, len(profiles)), replace=False)],
    )
    how = (
        f"derived vectors (benchmarks/registry.py DerivedEncoder: parts encoded by {args.encoder}; "
        f"a={fit['a']}, b={fit['b']}, c={fit['c']}; mean cosine to the real vectors on a sample of registry "
        f"texts: renamed names {fit['name_cos']:.3f} (corpus name alone {fit['name_cos_base_only']:.3f}), "
        f"profiles {fit['profile_cos']:.3f})"
    )
    cached = CachedEncoder(derived, EmbeddingCache(settings.cache_dir / "embeddings.sqlite"))
    return cached, query_encoder, enterprises, how


def speed(args: argparse.Namespace) -> None:
    settings = get_settings()
    encoder, query_encoder, enterprises, how = _encoders(args, args.n)
    texts = [q["text"] for name in FILES.values() for q in read_jsonl(EVAL / name)][: args.queries]
    offers = [q["text"] for q in read_jsonl(EVAL / "dev_buyer_queries.jsonl")][
        : args.sme_queries or args.queries
    ]
    print(
        f"realistic registry: {len(enterprises)} enterprises, {vocabulary(enterprises)} distinct product "
        f"names; vectors: {how}; {len(texts)} dev supplier queries, {len(offers)} dev buyer queries; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("building the cores (vectors through the cache and its shared vector files) ...", flush=True)
    cores, fits, memory = {}, {}, {}
    for path in PATHS:
        t0 = time.perf_counter()
        cores[path] = build_core(
            enterprises, settings, encoder=encoder, query_encoder=query_encoder, search=path
        )
        fits[path] = time.perf_counter() - t0
        memory[path] = _memory()
        print(f"fitted {path}: {fits[path]:.0f} s; {memory[path]}", flush=True)
    # load the query model and warm up as a serving worker is: the mapped indexes and vector files are read
    # from disk page by page on first touch (the first 200 queries after a build ran 2x slower at p95)
    warm = [
        q["text"]
        for name in ("dev_semantic_queries.jsonl", "dev_document_queries.jsonl")
        for q in read_jsonl(EVAL / name)
    ][: args.warm]
    started = time.perf_counter()
    for core in cores.values():
        for text in warm or ["采购样品"]:
            core.top_suppliers(text, 10)
        core.rank_buyers("样品")
        core.forget_queries()
    print(f"warm-up: {len(warm)} other dev demands through each path, {time.perf_counter() - started:.0f} s")
    results: dict[tuple[str, str], list[np.ndarray]] = {}
    print("\n| query | path | p50 ms | p95 ms | p50 ms, remembered | p95 ms, remembered | top-10 recall |")
    print("|---|---|---|---|---|---|---|", flush=True)
    profiler = cProfile.Profile() if args.profile else None
    for side, queries, buyers in (("supplier search", texts, False), ("SME recommendation", offers, True)):
        for path, core in cores.items():  # exhaustive first: each row is printed as soon as it is measured
            if profiler is not None and path == "candidates":
                profiler.enable()
            tops, t = _timed(core, queries, encode=True, buyers=buyers)
            if profiler is not None:
                profiler.disable()
            _, w = _timed(core, queries, encode=False, buyers=buyers)
            results[side, path] = tops
            ref = results[side, "exhaustive"]
            recall = np.mean(
                [
                    len(set(a.tolist()) & set(b.tolist())) / max(len(a), 1)
                    for a, b in zip(ref, tops, strict=True)
                ]
            )
            print(
                f"| {side} | {path} | {np.percentile(t, 50):.1f} | {np.percentile(t, 95):.1f} | "
                f"{np.percentile(w, 50):.1f} | {np.percentile(w, 95):.1f} | {recall:.4f} |",
                flush=True,
            )
    if profiler is not None:
        profiler.dump_stats(args.profile)
        print(f"profile of the candidate path's queries (with encoding) written to {args.profile}")
    scored = np.mean([cores["candidates"].top_suppliers(t, 10).scored for t in texts[:50]])
    print(
        f"\nfit: exhaustive {fits['exhaustive']:.0f} s, candidates {fits['candidates']:.0f} s (after the first, "
        f"indexes and vector files are mapped, not rebuilt); companies scored per supplier search "
        f"(candidates, first 50): {scored:.0f} of {len(enterprises)}"
    )
    print(
        f"memory after the exhaustive core: {memory['exhaustive']}; with both: {memory['candidates']}; "
        f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; load average now "
        f"{os.getloadavg()[0]:.1f}"
    )


def nprobe(args: argparse.Namespace) -> None:
    settings = get_settings()
    encoder, query_encoder, enterprises, how = _encoders(args, args.n)
    texts = [q["text"] for name in FILES.values() for q in read_jsonl(EVAL / name)][: args.queries]
    cores = {
        path: build_core(enterprises, settings, encoder=encoder, query_encoder=query_encoder, search=path)
        for path in PATHS
    }
    exhaustive, candidates = cores["exhaustive"], cores["candidates"]
    assert candidates.candidates_ is not None
    ann: Any = candidates.candidates_.names_ann  # an IVFRetriever at these sizes
    names = candidates.supplier_.names_vec
    assert ann is not None and names is not None
    vectors = []
    for text in texts:
        searches = search_queries(understand_demand(text))
        for query in searches:
            item = candidates._items_vectors(query.items)
            vectors += [] if item is None else list(item)
        focus = candidates._items_vectors([q.text for q in searches])
        vectors += [] if focus is None else list(focus)
    queries = np.stack(vectors).astype(np.float32)
    depth = candidates.candidate_depth
    exact = [set(top_k(names @ q, depth).tolist()) for q in queries]
    want = [set(exhaustive.top_suppliers(t, 10).order.tolist()) for t in texts]
    print(
        f"realistic registry: {len(enterprises)} enterprises, {len(names)} distinct product names "
        f"({type(ann).__name__}, {ann.params()}); vectors: {how}; {len(texts)} dev supplier "
        f"queries, {len(queries)} search vectors, depth {depth}; load average {os.getloadavg()[0]:.1f}"
    )
    print("\n| nprobe | recall of the exact nearest names | ms per search vector | candidate top-10 recall |")
    print("|---|---|---|---|", flush=True)
    for value in args.nprobes:
        ann.nprobe = value
        t0 = time.perf_counter()
        found = [ann.search(q[None, :], depth).ids[0] for q in queries]
        ms = (time.perf_counter() - t0) * 1000 / len(queries)
        share = np.mean([len(e & set(f.tolist())) / len(e) for e, f in zip(exact, found, strict=True)])
        got = [set(candidates.top_suppliers(t, 10).order.tolist()) for t in texts]
        top10 = np.mean([len(a & b) / max(len(a), 1) for a, b in zip(want, got, strict=True)])
        shown = f"{value} (auto: {ann.probes()})" if value == 0 else str(value)
        print(f"| {shown} | {share:.4f} | {ms:.2f} | {top10:.4f} |", flush=True)
    print(f"\nload average now {os.getloadavg()[0]:.1f}")


def worker(args: argparse.Namespace) -> None:
    """One serving worker: the candidate core alone over the vector files and indexes an earlier ``speed``
    run (or another worker) left on disk, and the pool files (``matcher.ranking.shared``) unless
    ``--private-pool``; after answering queries, one JSON line of its memory, then (``--hold``) it stays
    alive until its standard input closes, so that several workers are measured while all map the files."""
    settings = get_settings()
    encoder, query_encoder, enterprises, _ = _encoders(args, args.n)
    texts = [q["text"] for name in FILES.values() for q in read_jsonl(EVAL / name)][: args.queries]
    offers = [q["text"] for q in read_jsonl(EVAL / BUYER_FILE)][: args.queries]
    before = rollup()
    t0 = time.perf_counter()
    options: dict[str, Any] = {"pool_dir": None} if args.private_pool else {}
    core = build_core(
        enterprises, settings, encoder=encoder, query_encoder=query_encoder, search="candidates", **options
    )
    fit = time.perf_counter() - t0
    for text in texts:
        core.top_suppliers(text, 10)
    for text in offers:
        core.rank_buyers(text)
    report = {"fit": fit, "before": before, "after": rollup(), "names": vocabulary(enterprises)}
    print(json.dumps(report), flush=True)
    if args.hold:
        sys.stdin.read()


def _start_worker(args: argparse.Namespace, private: bool) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        __file__,
        "worker",
        "--hold",
        "--n",
        str(args.n),
        "--queries",
        str(args.queries),
    ]
    command += ["--encoder", args.encoder, "--vectors", args.vectors] + (
        ["--private-pool"] if private else []
    )
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _measure(
    args: argparse.Namespace, count: int, private: bool
) -> list[tuple[dict[str, Any], dict[str, float]]]:
    """``count`` workers started together; each one's report and its memory once all of them are up."""
    procs = [_start_worker(args, private) for _ in range(count)]
    reports = []
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"工作进程 {proc.pid} 异常退出（返回码 {proc.wait()}）")
        reports.append(json.loads(line))
    now = [rollup(proc.pid) for proc in procs]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    return list(zip(reports, now, strict=True))


def workers(args: argparse.Namespace) -> None:
    """Per-worker resident memory of ``--processes`` candidate workers on one pool, mapping the shared pool
    files, beside one worker that builds the pool's lexical indexes and table in memory (the baseline: what
    every worker held before the pool files; its private memory does not depend on how many run)."""
    print(
        f"{args.processes} workers mapping the pool files, then 1 building it; realistic registry of {args.n} enterprises, vectors {args.vectors}, "
        f"{args.queries} supplier + {args.queries} buyer queries each; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores",
        flush=True,
    )
    print(
        "\n| pool features | worker | fit s | RSS MB | private MB | shared MB | PSS MB | private MB before the core |"
    )
    print("|---|---|---|---|---|---|---|---|", flush=True)
    rows = (("mapped from the pool files", False, args.processes), ("built in memory (baseline)", True, 1))
    for label, private, count in rows:
        for i, (report, now) in enumerate(_measure(args, count, private)):
            print(
                f"| {label} | {i + 1} | {report['fit']:.0f} | {now['rss']:.0f} | {now['private']:.0f} | "
                f"{now['shared']:.0f} | {now['pss']:.0f} | {report['before']['private']:.0f} |",
                flush=True,
            )
    print(f"\ndistinct product names: {report['names']}; load average now {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--encoder", default=get_settings().encoder)
    q.add_argument("--limit", type=int, default=None, help="first N queries of each file")
    s = sub.add_parser("speed")
    s.add_argument("--encoder", default=get_settings().encoder)
    s.add_argument("--n", type=int, default=10_000, help="enterprises in the realistic registry")
    s.add_argument("--queries", type=int, default=200)
    s.add_argument(
        "--sme-queries",
        type=int,
        default=None,
        help="first N buyer queries for SME recommendations (default: --queries); exhaustive ones take "
        "seconds each at 100k",
    )
    s.add_argument("--profile", default=None, help="write a cProfile of the candidate path's queries here")
    s.add_argument(
        "--warm",
        type=int,
        default=100,
        help="other dev demands (semantic, document files) run through each path before timing",
    )
    s.add_argument(
        "--vectors",
        choices=("real", "derived"),
        default="real",
        help="real: encode every name and profile (resumable, benchmarks/encode_registry.py); derived: "
        "compose them from real vectors of their parts (registry.DerivedEncoder), for sizes whose "
        "encoding the machine cannot afford",
    )
    p = sub.add_parser("nprobe")
    p.add_argument("--encoder", default=get_settings().encoder)
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--vectors", choices=("real", "derived"), default="derived")
    p.add_argument("--nprobes", type=lambda s: [int(v) for v in s.split(",")], default=[0, 16, 32, 64])
    for name in ("worker", "workers"):
        m = sub.add_parser(name)
        m.add_argument("--encoder", default=get_settings().encoder)
        m.add_argument("--n", type=int, default=100_000)
        m.add_argument("--queries", type=int, default=50)
        m.add_argument("--vectors", choices=("real", "derived"), default="derived")
        if name == "worker":
            m.add_argument("--private-pool", action="store_true", help="build the pool features in memory")
            m.add_argument("--hold", action="store_true", help="stay alive until standard input closes")
        else:
            m.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    if not EVAL.exists():
        raise SystemExit(f"评测数据不存在：{EVAL}")
    {"quality": quality, "speed": speed, "nprobe": nprobe, "worker": worker, "workers": workers}[args.what](
        args
    )


if __name__ == "__main__":
    main()
