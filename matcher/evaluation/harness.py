"""The ``matcher eval`` harness: rank the whole pool for each query and average MRR, Recall@k, nDCG@10.

Query lines are JSON objects with ``type`` ``supplier_search`` (``text``, ``buyer_code``) or
``buyer_recommendation`` (``text``, ``supplier_code``) and ``relevant`` ids. The query's own company is
left out of its ranking. With ``graph_dir`` the chain pairs are used leave-pair-out: every
(``product``, ``material``) pair of a query line is removed, and for lines with a ``material`` only, every
link between that material and a product of the pool, before anything is ranked. The core is the one the
engine builds from the same settings (``matcher.ranking.knowledge.build_core``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.base import Encoder
from matcher.encoders.factory import profile_encoders
from matcher.evaluation.metrics import ndcg_at_k, recall_at_k, reciprocal_rank
from matcher.ranking.chain import without_material_links, without_pairs
from matcher.ranking.core import MatchCore, Weights
from matcher.ranking.knowledge import ChainKnowledge, build_core, chain_knowledge
from matcher.settings import Settings, get_settings
from matcher.text.profiles import ProfileDoc

Ranker = Callable[[dict[str, Any]], np.ndarray]


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def withheld(
    knowledge: ChainKnowledge, docs: Sequence[ProfileDoc], queries: Sequence[dict[str, Any]]
) -> ChainKnowledge:
    """``knowledge`` without every chain pair the queries are about (leave-pair-out)."""
    upstream = without_pairs(
        knowledge.upstream,
        [(q["product"], q["material"]) for q in queries if q.get("product") and q.get("material")],
    )
    pool_products = [name for d in docs for name in d.product_names]
    upstream = without_material_links(
        upstream,
        [q["material"] for q in queries if q.get("material") and not q.get("product")],
        pool_products,
    )
    return knowledge._replace(upstream=upstream)


def leave_pair_out_core(
    docs: Sequence[ProfileDoc],
    queries: Sequence[dict[str, Any]],
    graph_dir: Path | None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> MatchCore:
    """The core the engine builds from ``settings`` (``graph_dir`` overriding its chain graph), fitted on
    ``docs``, with every chain pair the queries are about withheld. With an ``encoder``, company profiles
    are embedded by the settings' profile encoder (``Settings.profile_encoder``) unless ``kwargs`` name one."""
    settings = settings or get_settings()
    if graph_dir is not None:
        settings = settings.model_copy(update={"chain_graph_dir": Path(graph_dir)})
    knowledge = withheld(chain_knowledge(settings), docs, queries)
    encoder = kwargs.pop("encoder", None)
    pair = profile_encoders(settings) if encoder is not None and "profile_encoder" not in kwargs else None
    if pair is not None:
        kwargs.update(profile_encoder=pair[0], profile_query_encoder=pair[1])
    return build_core(docs, settings, encoder=encoder, knowledge=knowledge, **kwargs)


def query_metrics(ids: Sequence[str], q: dict[str, Any], scores: np.ndarray, k: int = 10) -> dict[str, float]:
    """MRR, Recall@k, Recall@50 and nDCG@10 of one query's scores over ``ids``, its own company excluded."""
    scores = np.asarray(scores, dtype=np.float64).copy()
    own = q.get("buyer_code") or q.get("supplier_code")
    if own and own in ids:
        scores[list(ids).index(str(own))] = -np.inf
    order = np.argsort(-scores, kind="stable")[: max(k, 50)]
    ranked = [ids[i] for i in order]
    relevant = set(q["relevant"])
    return {
        "mrr": reciprocal_rank(ranked, relevant),
        f"recall@{k}": recall_at_k(ranked, relevant, k),
        "recall@50": recall_at_k(ranked, relevant, 50),
        "ndcg@10": ndcg_at_k(ranked, relevant, 10),
    }


def evaluate_rankings(
    ids: Sequence[str], queries: Sequence[dict[str, Any]], ranker: Ranker, k: int = 10
) -> dict[str, float]:
    """Mean metrics of ``ranker`` (query -> scores over ``ids``) with each query's own company excluded.

    Queries with a ``kind`` also give per-kind means, keyed ``"mrr[plan]"``, ``"recall@10[plan]"`` ….
    """
    started = time.perf_counter()
    per = [(q.get("kind"), query_metrics(ids, q, ranker(q), k)) for q in queries]
    out: dict[str, float] = {"queries": float(len(queries))}
    names = ("mrr", f"recall@{k}", "recall@50", "ndcg@10")
    out.update({n: round(float(np.mean([m[n] for _, m in per])) if per else 0.0, 4) for n in names})
    for kind in dict.fromkeys(kind for kind, _ in per if kind):
        of_kind = [m for kd, m in per if kd == kind]
        out.update({f"{n}[{kind}]": round(float(np.mean([m[n] for m in of_kind])), 4) for n in names})
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def core_ranker(core: MatchCore) -> Ranker:
    """Scores over the core's pool for a query line: buyers for an offer, suppliers for a demand."""

    def ranker(q: dict[str, Any]) -> np.ndarray:
        if q.get("type") == "buyer_recommendation":
            return core.rank_buyers(q["text"]).scores
        return core.rank_suppliers(q["text"]).scores

    return ranker


def run_eval(
    corpus_path: Path | str,
    queries_path: Path | str,
    k: int = 10,
    graph_dir: Path | str | None = None,
    encoder: Encoder | str | None = "use-m3",
    *,
    weights: Weights | None = None,
    fusion: str = "rrf",
    buyer_fusion: str = "rrf",
    limit: int | None = None,
    settings: Settings | None = None,
) -> dict[str, float]:
    """Evaluate the matching core on a query file against a corpus; returns queries, mrr, recall@k, recall@50,
    ndcg@10 and seconds (fitting included). ``encoder``: an Encoder, a name for ``get_encoder`` (cached under
    ``settings.cache_dir``) or None for the lexical channels only."""
    started = time.perf_counter()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(corpus_path)]
    queries = read_jsonl(queries_path)[:limit]
    if isinstance(encoder, str):
        from matcher.encoders.factory import get_encoder

        encoder = get_encoder(encoder, cache_dir=(settings or get_settings()).cache_dir)
    core = leave_pair_out_core(
        docs,
        queries,
        Path(graph_dir) if graph_dir else None,
        encoder=encoder,
        weights=weights,
        settings=settings,
        fusion=fusion,
        buyer_fusion=buyer_fusion,
    )

    result = evaluate_rankings([d.id for d in docs], queries, core_ranker(core), k)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
