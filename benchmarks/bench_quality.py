"""Quality benchmark: every dev file × (char TF-IDF baseline, dense only per encoder, the full pipeline).

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=2 python benchmarks/bench_quality.py [--encoders use-m3 e5-small DIR] [--limit N]
        [--configs dense pipeline graph]

Prints, in one run, MRR / Recall@10 / nDCG@10 of ``dev_supplier_queries`` (364), ``dev_buyer_queries`` (201),
``dev_semantic_queries`` (100, and per kind) and ``dev_document_queries`` (40, and per kind), then the
item-extraction recall on the plan queries' line items. Every pipeline row states its configuration: the
core is built by ``matcher.ranking.knowledge.build_core`` from the settings the engine uses, with the chain
knowledge it names (the built-in templates by default; rows marked "graph" set ``chain_graph_dir`` to
ChainKnowledgeGraph). Buyer rows withhold every chain pair a query is about (leave-pair-out). Embeddings
are cached under ``settings.cache_dir``, so re-runs only encode new texts. Each encoder's row also states
its load time and the latency of encoding one query (a product name, a whole demand; p50 / p95, no cache):
the cost a live search pays per new demand text.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.encoders.factory import get_encoder, profile_model
from matcher.evaluation.baseline import run_baseline
from matcher.evaluation.harness import core_ranker, evaluate_rankings, leave_pair_out_core, read_jsonl
from matcher.ranking.core import Weights
from matcher.settings import get_settings
from matcher.text.demand import understand_demand
from matcher.text.profiles import ProfileDoc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procmem import rollup  # noqa: E402  (sibling module of the benchmarks)

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL = SHARED / "eval"
GRAPH = SHARED / "data" / "ChainKnowledgeGraph"
FILES = {
    "supplier": "dev_supplier_queries.jsonl",
    "buyer": "dev_buyer_queries.jsonl",
    "semantic": "dev_semantic_queries.jsonl",
    "document": "dev_document_queries.jsonl",
}
# dense channels only: supplier search without item names, words and char TF-IDF; buyer channels dense
DENSE_ONLY = Weights(
    item=0.0, words=0.0, text=0.0, named=0.0, exact=0.0, lexical=0.0, dense=1.0, mix=1.0, feedback=0.0
)
Row = tuple[str, str, dict[str, float]]
# dense only; the pipeline (templates); the pipeline with the graph; the pipeline with one encoder for names and
# profiles (``MATCHER_PROFILE_ENCODER=same``: the configuration before the profile encoder, beside it)
CONFIGS = ("dense", "pipeline", "graph", "same")
LATENCY_TEXTS = 40


def latency(encoder: Encoder, texts: list[str]) -> tuple[float, float]:
    """(p50, p95) milliseconds of encoding one query text at a time, after three warm-up calls."""
    for text in texts[:3]:
        encode_queries(encoder, [text])
    times = []
    for text in texts:
        started = time.perf_counter()
        encode_queries(encoder, [text])
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def latency_line(name: str, docs: list[ProfileDoc], queries: dict[str, list[dict[str, Any]]]) -> str:
    """One encoder's load time and one-query encoding latency (40 product names, 40 demands; no cache)."""
    rng = random.Random(0)
    items = rng.sample(sorted({n for d in docs for n in d.product_names}), LATENCY_TEXTS)
    texts = [q["text"] for side in ("semantic", "document", "supplier") for q in queries.get(side, [])]
    demands = rng.sample(texts, min(LATENCY_TEXTS, len(texts))) if texts else items
    started = time.perf_counter()
    raw = get_encoder(name)
    encode_queries(raw, ["预热"])
    loaded = time.perf_counter() - started
    (i50, i95), (d50, d95) = latency(raw, items), latency(raw, demands)
    grown = loaded_memory(name) - loaded_memory(None)
    return (
        f"encoder {name}: load {loaded:.1f} s, private memory +{grown:.0f} MB in a fresh process beside the "
        f"matching core (torch for sentence-transformers models included); one query encoded: product name "
        f"p50 {i50:.1f} / p95 {i95:.1f} ms, whole demand p50 {d50:.1f} / p95 {d95:.1f} ms "
        f"(load {os.getloadavg()[0]:.1f}, {torch_threads()} torch threads)"
    )


HOLD_ONE = """
import sys
import faiss, matcher.ranking.core  # what a matching process imports anyway (numpy, scipy, scikit-learn)
from matcher.encoders.base import encode_queries
from matcher.encoders.factory import get_encoder
name = {name!r}
if name is not None:
    encode_queries(get_encoder(name), ["预热"])
print("ready", flush=True)
sys.stdin.read()  # alive until measured
"""


def workers_memory(name: str | None, processes: int = 2) -> tuple[float, float]:
    """(private, PSS) MB of each of ``processes`` fresh processes alive at once that imported the matching
    core, loaded the encoder ``name`` (None: none) and encoded one query, averaged. With several, pages they
    map from the same file (a memory-mapped model) count as shared: what each of several workers pays."""
    code = HOLD_ONE.format(name=name)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        taken = [rollup(child.pid) for child in children]
    finally:
        for child in children:
            child.communicate("")
    return (
        float(np.mean([t["private"] for t in taken])),
        float(np.mean([t["pss"] for t in taken])),
    )


def loaded_memory(name: str | None) -> float:
    """Private MB of one such process (``workers_memory``): what a worker pays, without this process's
    freed heap to reuse; pages mapped from a file count as private here (no other process maps them)."""
    return workers_memory(name, processes=1)[0]


def torch_threads() -> str:
    """Threads torch computes with, if it has been imported (sentence-transformers models)."""
    torch = sys.modules.get("torch")
    return str(torch.get_num_threads()) if torch is not None else "no"


def _pipeline_rows(
    docs: list[ProfileDoc],
    queries: dict[str, list[dict[str, Any]]],
    enc_name: str,
    enc: Encoder | None,
    which: Sequence[str] = CONFIGS,
) -> list[Row]:
    """Dense-only and full-pipeline rows of one encoder over every file (one core per configuration)."""
    rows: list[Row] = []
    ids = [d.id for d in docs]
    settings = get_settings()
    demand_files = [f for f in ("supplier", "semantic", "document") if f in queries]
    model = profile_model(settings)
    profiles = f" + profiles {model}" if model is not None and enc is not None else ""
    configs = [
        (f"dense only{profiles}", DENSE_ONLY, None, {}),
        (f"pipeline{profiles}", None, None, {}),
        (f"pipeline, graph{profiles}", None, GRAPH, {}),
        ("pipeline, one encoder", None, None, {"profile_encoder": None}),
    ]
    for (label, weights, graph, options), key in zip(configs, CONFIGS, strict=True):
        if key not in which or (key == "same" and not profiles):
            continue
        if enc is None and weights is DENSE_ONLY:
            continue
        # supplier search reads no chain knowledge: one core serves the three demand files
        if graph is None and demand_files:
            core = leave_pair_out_core(docs, [], None, settings, encoder=enc, weights=weights, **options)
            for side in demand_files:
                rows.append(
                    (side, f"{label}: {enc_name}", evaluate_rankings(ids, queries[side], core_ranker(core)))
                )
        if "buyer" in queries and key != "same":  # buyer recommendation reads no profile vectors
            core = leave_pair_out_core(docs, queries["buyer"], graph, settings, encoder=enc, weights=weights)
            where = "ChainKnowledgeGraph" if graph else "templates"
            rows.append(
                (
                    "buyer",
                    f"{label}: {enc_name} ({where})",
                    evaluate_rankings(ids, queries["buyer"], core_ranker(core)),
                )
            )
    return rows


def item_recall(plans: list[dict[str, Any]]) -> tuple[int, int]:
    """(found, total) labelled line items of the plan queries whose name an extracted line item matches."""
    found = total = 0
    for q in plans:
        names = [li.name for li in understand_demand(q["text"]).line_items]
        for item in q["items"]:
            total += 1
            pats = [re.compile(p) for p in item["patterns"]]
            hit = any(n == item["name"] or any(p.search(n) for p in pats) for n in names)
            found += hit
    return found, total


def _print(rows: list[Row]) -> None:
    print("| set | method | MRR | R@10 | nDCG@10 | s |")
    print("|---|---|---|---|---|---|")
    for side, method, r in rows:
        print(
            f"| {side} | {method} | {r['mrr']:.3f} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | {r['seconds']:.1f} |"
        )
        kinds = sorted({k[4:-1] for k in r if k.startswith("mrr[")})
        for kind in kinds:
            print(
                f"| {side}: {kind} | {method} | {r[f'mrr[{kind}]']:.3f} | {r[f'recall@10[{kind}]']:.3f} | "
                f"{r[f'ndcg@10[{kind}]']:.3f} | |"
            )


def load_dev(
    files: Sequence[str] = tuple(FILES), limit: int | None = None
) -> tuple[Path, list[ProfileDoc], dict[str, list[dict[str, Any]]]]:
    """The pool (path and profiles) and the first ``limit`` queries of each dev file in ``files``."""
    if not EVAL.exists():
        raise SystemExit(f"评测数据不存在：{EVAL}")
    corpus = EVAL / "corpus.jsonl"
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(corpus)]
    return corpus, docs, {side: read_jsonl(EVAL / FILES[side])[:limit] for side in files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", nargs="*", default=[get_settings().encoder])
    parser.add_argument("--limit", type=int, default=None, help="first N queries of each file")
    parser.add_argument(
        "--files", nargs="*", default=list(FILES), choices=list(FILES), help="which query files"
    )
    parser.add_argument(
        "--configs",
        nargs="*",
        default=list(CONFIGS),
        choices=CONFIGS,
        help="dense only, pipeline, with graph",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"load at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15-min, 2 cores)")
    corpus, docs, queries = load_dev(args.files, args.limit)
    names = {n for d in docs for n in d.product_names}
    print(f"pool {len(docs)} companies, {len(names)} distinct product names ({corpus})")
    rows: list[Row] = []
    for side in args.files:
        result = run_baseline(corpus, EVAL / FILES[side])
        rows.append((side, "char TF-IDF baseline", result))
    cache = get_settings().cache_dir
    for name in args.encoders:
        enc = None if name == "none" else get_encoder(name, cache_dir=cache)
        if enc is not None:
            print(latency_line(name, docs, queries), flush=True)
            if name == get_settings().encoder and profile_model(get_settings()) is not None:
                print(latency_line(get_settings().profile_encoder, docs, queries), flush=True)
        rows += _pipeline_rows(docs, queries, name, enc, args.configs)
    rows.sort(key=lambda r: list(FILES).index(r[0]))
    _print(rows)
    if "document" in queries:
        found, total = item_recall([q for q in queries["document"] if q.get("kind") == "plan"])
        print(f"\nplan line items extracted: {found}/{total} = {found / max(total, 1):.3f}")
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s; settings: encoder={get_settings().encoder}, "
        f"profile_encoder={get_settings().profile_encoder}; "
        f"load at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
