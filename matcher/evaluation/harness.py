"""The ``matcher eval`` harness: rank the whole pool for each query and average MRR, Recall@k, nDCG@10.

Query lines are JSON objects with ``type`` ``supplier_search`` (``text``, ``buyer_code``) or
``buyer_recommendation`` (``text``, ``supplier_code``) and ``relevant`` ids. The query's own company is
left out of its ranking. With ``graph_dir`` the chain pairs are used leave-pair-out: every
(``product``, ``material``) pair of a query line is removed, and for lines with a ``material`` only, every
link between that material and a product of the pool, before anything is ranked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.base import Encoder
from matcher.evaluation.metrics import ndcg_at_k, recall_at_k, reciprocal_rank
from matcher.ranking.chain import load_industry_up, load_upstream_pairs, without_material_links, without_pairs
from matcher.ranking.core import MatchCore, Weights
from matcher.text.profiles import ProfileDoc

Ranker = Callable[[dict[str, Any]], np.ndarray]


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def leave_pair_out_core(
    docs: Sequence[ProfileDoc], queries: Sequence[dict[str, Any]], graph_dir: Path | None, **kwargs: Any
) -> MatchCore:
    """A fitted ``MatchCore`` whose chain pairs exclude every pair the queries are about."""
    upstream = industry_up = None
    if graph_dir is not None:
        upstream = load_upstream_pairs(graph_dir)
        upstream = without_pairs(
            upstream,
            [(q["product"], q["material"]) for q in queries if q.get("product") and q.get("material")],
        )
        pool_products = [name for d in docs for name in d.product_names]
        upstream = without_material_links(
            upstream,
            [q["material"] for q in queries if q.get("material") and not q.get("product")],
            pool_products,
        )
        industry_up = load_industry_up(graph_dir)
    return MatchCore(kwargs.pop("encoder", None), upstream=upstream, industry_up=industry_up, **kwargs).fit(
        docs
    )


def evaluate_rankings(
    ids: Sequence[str], queries: Sequence[dict[str, Any]], ranker: Ranker, k: int = 10
) -> dict[str, float]:
    """Mean metrics of ``ranker`` (query -> scores over ``ids``) with each query's own company excluded."""
    where = {cid: i for i, cid in enumerate(ids)}
    sums = {"mrr": 0.0, f"recall@{k}": 0.0, "recall@50": 0.0, "ndcg@10": 0.0}
    started = time.perf_counter()
    for q in queries:
        scores = np.asarray(ranker(q), dtype=np.float64).copy()
        own = q.get("buyer_code") or q.get("supplier_code")
        if own in where:
            scores[where[own]] = -np.inf
        order = np.argsort(-scores, kind="stable")[: max(k, 50)]
        ranked = [ids[i] for i in order]
        relevant = set(q["relevant"])
        sums["mrr"] += reciprocal_rank(ranked, relevant)
        sums[f"recall@{k}"] += recall_at_k(ranked, relevant, k)
        sums["recall@50"] += recall_at_k(ranked, relevant, 50)
        sums["ndcg@10"] += ndcg_at_k(ranked, relevant, 10)
    n = max(len(queries), 1)
    out: dict[str, float] = {"queries": float(len(queries))}
    out.update({name: round(value / n, 4) for name, value in sums.items()})
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def run_eval(
    corpus_path: Path | str,
    queries_path: Path | str,
    k: int = 10,
    graph_dir: Path | str | None = None,
    encoder: Encoder | str | None = "use-m3",
    *,
    weights: Weights | None = None,
    fusion: str = "weighted",
    buyer_fusion: str = "rrf",
    limit: int | None = None,
) -> dict[str, float]:
    """Evaluate the matching core on a query file against a corpus; returns queries, mrr, recall@k, recall@50,
    ndcg@10 and seconds (fitting included). ``encoder``: an Encoder, a name for ``get_encoder`` (cached under
    ``settings.cache_dir``) or None for the lexical channels only."""
    started = time.perf_counter()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(corpus_path)]
    queries = read_jsonl(queries_path)[:limit]
    if isinstance(encoder, str):
        from matcher.encoders.factory import get_encoder
        from matcher.settings import get_settings

        encoder = get_encoder(encoder, cache_dir=get_settings().cache_dir)
    core = leave_pair_out_core(
        docs,
        queries,
        Path(graph_dir) if graph_dir else None,
        encoder=encoder,
        weights=weights,
        fusion=fusion,
        buyer_fusion=buyer_fusion,
    )

    def ranker(q: dict[str, Any]) -> np.ndarray:
        if q.get("type") == "buyer_recommendation":
            return core.rank_buyers(q["text"]).scores
        return core.rank_suppliers(q["text"]).scores

    result = evaluate_rankings([d.id for d in docs], queries, ranker, k)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
