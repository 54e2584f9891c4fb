"""Quality benchmark: every dev file × (char TF-IDF baseline, dense only per encoder, the full pipeline).

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=2 python benchmarks/bench_quality.py [--encoders use-m3 e5-small] [--limit N]

Prints, in one run, MRR / Recall@10 / nDCG@10 of ``dev_supplier_queries`` (364), ``dev_buyer_queries`` (201),
``dev_semantic_queries`` (100, and per kind) and ``dev_document_queries`` (40, and per kind), then the
item-extraction recall on the plan queries' line items. Every pipeline row states its configuration: the
core is built by ``matcher.ranking.knowledge.build_core`` from the settings the engine uses, with the chain
knowledge it names (the built-in templates by default; rows marked "graph" set ``chain_graph_dir`` to
ChainKnowledgeGraph). Buyer rows withhold every chain pair a query is about (leave-pair-out). Embeddings
are cached under ``settings.cache_dir``, so re-runs only encode new texts.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.encoders.base import Encoder
from matcher.encoders.factory import get_encoder
from matcher.evaluation.baseline import run_baseline
from matcher.evaluation.harness import core_ranker, evaluate_rankings, leave_pair_out_core, read_jsonl
from matcher.ranking.core import Weights
from matcher.settings import get_settings
from matcher.text.demand import understand_demand
from matcher.text.profiles import ProfileDoc

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
DENSE_ONLY = Weights(item=0.0, words=0.0, text=0.0, named=0.0, exact=0.0, lexical=0.0, dense=1.0, mix=1.0)
Row = tuple[str, str, dict[str, float]]


def _pipeline_rows(
    docs: list[ProfileDoc], queries: dict[str, list[dict[str, Any]]], enc_name: str, enc: Encoder | None
) -> list[Row]:
    """Dense-only and full-pipeline rows of one encoder over every file (one core per configuration)."""
    rows: list[Row] = []
    ids = [d.id for d in docs]
    settings = get_settings()
    demand_files = [f for f in ("supplier", "semantic", "document") if f in queries]
    configs = [("dense only", DENSE_ONLY, None), ("pipeline", None, None), ("pipeline, graph", None, GRAPH)]
    for label, weights, graph in configs:
        if enc is None and weights is DENSE_ONLY:
            continue
        # supplier search reads no chain knowledge: one core serves the three demand files
        if graph is None and demand_files:
            core = leave_pair_out_core(docs, [], None, settings, encoder=enc, weights=weights)
            for side in demand_files:
                rows.append(
                    (side, f"{label}: {enc_name}", evaluate_rankings(ids, queries[side], core_ranker(core)))
                )
        if "buyer" in queries:
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
    args = parser.parse_args()
    started = time.perf_counter()
    corpus, docs, queries = load_dev(args.files, args.limit)
    rows: list[Row] = []
    for side in args.files:
        result = run_baseline(corpus, EVAL / FILES[side])
        rows.append((side, "char TF-IDF baseline", result))
    cache = get_settings().cache_dir
    for name in args.encoders:
        enc = None if name == "none" else get_encoder(name, cache_dir=cache)
        rows += _pipeline_rows(docs, queries, name, enc)
    rows.sort(key=lambda r: list(FILES).index(r[0]))
    _print(rows)
    if "document" in queries:
        found, total = item_recall([q for q in queries["document"] if q.get("kind") == "plan"])
        print(f"\nplan line items extracted: {found}/{total} = {found / max(total, 1):.3f}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s; settings: encoder={get_settings().encoder}")


if __name__ == "__main__":
    main()
