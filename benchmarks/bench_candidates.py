"""Candidate search vs exhaustive scoring: dev-set quality, candidate recall and speed, both paths in one run.

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=1 python benchmarks/bench_candidates.py quality [--encoder use-m3] [--limit N]
    OMP_NUM_THREADS=1 python benchmarks/bench_candidates.py speed --n 10000 [--queries 200]

``quality``: one core per path (``MatchCore(search="exhaustive" | "candidates")``, the settings' depth) over
the real corpus; MRR / Recall@10 / nDCG@10 of every supplier-search dev file (supplier, semantic,
document), and the candidate recall: the share of the exhaustive top 10 that the candidate path also ranks
in its top 10, over the queries of all those files. (The buyer file does not go through supplier search.)

``speed``: ``registry.realistic_sample(n)`` (the sample's enterprises with the real corpus's products, about
10.5 distinct names each, renamed per copy), both cores fitted on it (encoding through the disk embedding
cache, so a re-run encodes nothing; the exhaustive core is fitted first and pays the encoding), then per
supplier query ``top_suppliers(text, 10)`` including the query encoding (the in-memory vector cache
cleared before each query) and again with the query vectors remembered: p50 / p95, the companies scored
and the recall of the exhaustive top 10, the process's resident memory, and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.factory import get_encoder
from matcher.evaluation.harness import core_ranker, evaluate_rankings, leave_pair_out_core, read_jsonl
from matcher.ranking.core import MatchCore
from matcher.ranking.knowledge import build_core
from matcher.settings import get_settings
from matcher.text.profiles import ProfileDoc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import realistic_sample, vocabulary  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = {
    "supplier": "dev_supplier_queries.jsonl",
    "semantic": "dev_semantic_queries.jsonl",
    "document": "dev_document_queries.jsonl",
}
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
    for side, name in FILES.items():
        queries = read_jsonl(EVAL / name)[: args.limit]
        texts += [q["text"] for q in queries]
        for path, core in cores.items():
            r = evaluate_rankings(ids, queries, core_ranker(core))
            print(
                f"| {side} | {path} | {r['mrr']:.3f} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | "
                f"{r['seconds']:.1f} |"
            )
    recall = top10_recall(cores["exhaustive"], cores["candidates"], texts)
    print(f"\ncandidate recall of the exhaustive top 10 over {len(texts)} dev queries: {recall:.4f}")


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _timed(core: MatchCore, texts: list[str], encode: bool) -> tuple[list[Any], np.ndarray]:
    """Each text's top 10 and milliseconds; ``encode``: the in-memory vector cache cleared before each query,
    so it pays its encoding as a new demand does (else the vectors are remembered from the previous pass)."""
    tops, times = [], []
    for text in texts:
        if encode:
            core._vectors.clear()
        t0 = time.perf_counter()
        tops.append(core.top_suppliers(text, 10))
        times.append((time.perf_counter() - t0) * 1000)
    return tops, np.asarray(times)


def speed(args: argparse.Namespace) -> None:
    settings = get_settings()
    sample = realistic_sample(args.n)
    enterprises = sample.enterprises
    encoder = get_encoder(args.encoder, cache_dir=settings.cache_dir)
    query_encoder = get_encoder(args.encoder)  # no disk cache: queries are encoded as the engine does
    texts = [q["text"] for name in FILES.values() for q in read_jsonl(EVAL / name)][: args.queries]
    print(
        f"realistic registry: {len(enterprises)} enterprises, {vocabulary(enterprises)} distinct product "
        f"names; encoder {args.encoder}; {len(texts)} dev supplier queries; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("building the cores (encoding new names through the cache) ...", flush=True)
    t0 = time.perf_counter()
    exhaustive = build_core(
        enterprises, settings, encoder=encoder, query_encoder=query_encoder, search="exhaustive"
    )
    fit_exhaustive = time.perf_counter() - t0
    rss_exhaustive = _rss_mb()
    t0 = time.perf_counter()
    candidates = build_core(
        enterprises, settings, encoder=encoder, query_encoder=query_encoder, search="candidates"
    )
    fit_candidates = time.perf_counter() - t0
    print(f"fitted: exhaustive {fit_exhaustive:.0f} s, candidates {fit_candidates:.0f} s", flush=True)
    rss_both = _rss_mb()
    for core in (exhaustive, candidates):  # load the query model, touch every array
        core.top_suppliers("采购样品", 1)
    ref, t_ref = _timed(exhaustive, texts, encode=True)
    got, t_got = _timed(candidates, texts, encode=True)
    _, w_ref = _timed(exhaustive, texts, encode=False)
    _, w_got = _timed(candidates, texts, encode=False)
    recall = np.mean(
        [
            len(set(a.order.tolist()) & set(b.order.tolist())) / max(len(a.order), 1)
            for a, b in zip(ref, got, strict=True)
        ]
    )
    scored = np.mean([t.scored for t in got])
    print(
        "| path | fit s | p50 ms | p95 ms | p50 ms, vectors cached | p95 ms, vectors cached "
        "| companies scored | top-10 recall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, fit, t, w, n_scored, rec in (
        ("exhaustive", fit_exhaustive, t_ref, w_ref, len(enterprises), 1.0),
        ("candidates", fit_candidates, t_got, w_got, scored, recall),
    ):
        print(
            f"| {name} | {fit:.1f} | {np.percentile(t, 50):.1f} | {np.percentile(t, 95):.1f} | "
            f"{np.percentile(w, 50):.1f} | {np.percentile(w, 95):.1f} | {n_scored:.0f} | {rec:.4f} |"
        )
    print(
        f"\nresident memory: {rss_exhaustive:.0f} MB after the exhaustive core, {rss_both:.0f} MB with both "
        f"(peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB); "
        f"load average now {os.getloadavg()[0]:.1f}"
    )


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
    args = parser.parse_args()
    if not EVAL.exists():
        raise SystemExit(f"评测数据不存在：{EVAL}")
    quality(args) if args.what == "quality" else speed(args)


if __name__ == "__main__":
    main()
