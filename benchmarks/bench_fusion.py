"""Supplier-search fusion: a small grid of channel weights on every demand dev file jointly, beside today's.

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=2 python benchmarks/bench_fusion.py [--encoder NAME]
    OMP_NUM_THREADS=2 python benchmarks/bench_fusion.py --buyer [--graph DIR]

``--buyer``: SME recommendation instead. Each offer of ``dev_buyer_queries`` (201) is read and its buyer channels
computed once on the live core (``leave_pair_out_core``: the chain graph ``--graph``, default
ChainKnowledgeGraph, with the query pairs withheld); every setting of ``BUYER_GRID`` (a weight per RRF channel
and the depth each channel's list is read to) is then fused from them, beside the weights before the grid
(1 each, depth ``RRF_DEPTH``) and the default (``Weights.buyer_rrf``, depth ``BUYER_RRF_DEPTH``). Printed: the ten best settings by the mean of MRR and Recall@10, then equal weights at each depth.

Each demand of ``dev_supplier_queries`` (364), ``dev_semantic_queries`` (100) and ``dev_document_queries`` (40)
is read and its channels computed once (``MatchCore.search_channels``, the exhaustive path, encoder from
the settings); every weight setting is then fused from them (``fuse_supplier``), a plan's line items merged
by their best search as ``rank_suppliers`` does. The rule that picked the default weights: the best mean of
semantic and document MRR and Recall@10, among settings that keep supplier Recall@10 within 0.01 of the
weights before the grid (all 1.0). The same
run measures two category channels that were tried and not kept, each fused as one more RRF channel
(weight 1): the demand against industry centroids (mean profile vector of each industry's companies), and
industries voted by the first five companies of the fused ranking (1/rank each, times 0.5 + dense_product).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.factory import get_encoder
from matcher.evaluation.harness import leave_pair_out_core, query_metrics, read_jsonl
from matcher.ranking.core import (
    BUYER_RRF_DEPTH,
    RRF_DEPTH,
    RRF_K,
    SUPPLIER_CHANNELS,
    MatchCore,
    Weights,
    fuse_supplier,
)
from matcher.ranking.fusion import rrf
from matcher.settings import get_settings
from matcher.text.parse import parse_offer
from matcher.text.profiles import ProfileDoc

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = ("supplier", "semantic", "document")
GRID = {
    "item": (1.0, 1.5, 2.0),
    "dense_product": (0.5, 1.0),
    "dense_profile": (0.5, 1.0, 1.5, 2.0, 2.5),
    "words": (0.5, 1.0),
}
BUYER_CHANNELS = ("inputs", "uses", "direct", "industry")
BUYER_GRID = {
    "inputs": (0.5, 1.0, 1.5),
    "uses": (0.5, 1.0, 1.5),
    "direct": (0.5, 1.0),
    "industry": (0.5, 1.0, 1.5),
    "depth": (RRF_DEPTH, 300, 1000),
}
# per query: (profile vector, channels) per search
Searches = list[list[tuple[np.ndarray, dict[str, np.ndarray]]]]
Scorer = Callable[[list[tuple[np.ndarray, dict[str, np.ndarray]]]], np.ndarray]


def _grid(values: Sequence[float]) -> dict[str, Any]:
    """Keyword arguments of ``Weights`` for one setting of ``GRID``."""
    return dict(zip(GRID, values, strict=True))


def collect(core: MatchCore, queries: Sequence[dict[str, Any]]) -> Searches:
    """Every query's searches: the search text's vector and its channels over the pool."""
    out = []
    for q in queries:
        searches, channels = core.search_channels(q["text"])
        foci = core.foci([s.text for s in searches])  # remembered: no second encoding
        out.append(
            [(np.zeros(0) if f is None else f.profiles, ch) for f, ch in zip(foci, channels, strict=True)]
        )
    return out


def evaluate(
    ids: list[str], queries: dict[str, list[dict[str, Any]]], data: dict[str, Searches], score: Scorer
) -> dict[str, dict[str, tuple[float, float]]]:
    """MRR and Recall@10 per file (and per kind) of a scorer of one query's searches."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for side, qs in queries.items():
        per: dict[str, list[dict[str, float]]] = {}
        for q, searches in zip(qs, data[side], strict=True):
            m = query_metrics(ids, q, score(searches))
            for key in ("all", q.get("kind") or "all"):
                per.setdefault(key, []).append(m)
        out[side] = {
            k: (float(np.mean([m["mrr"] for m in v])), float(np.mean([m["recall@10"] for m in v])))
            for k, v in per.items()
        }
    return out


def joint(r: dict[str, dict[str, tuple[float, float]]]) -> float:
    return float(np.mean([*r["semantic"]["all"], *r["document"]["all"]]))


def by_weights(
    w: Weights, extra: Callable[[np.ndarray, dict[str, np.ndarray]], np.ndarray] | None = None
) -> Scorer:
    """Each search fused with ``w`` (plus an ``extra`` channel at weight 1), a company's best search kept."""

    def score(searches: list[tuple[np.ndarray, dict[str, np.ndarray]]]) -> np.ndarray:
        fused = []
        for vec, ch in searches:
            if extra is None:
                fused.append(fuse_supplier(ch, w))
                continue
            values = [ch[n] for n in SUPPLIER_CHANNELS] + [extra(vec, ch)]
            ws = [w.item, w.dense_product, w.dense_profile, w.words, w.text, 1.0]
            fused.append(rrf(values, ws, k=RRF_K, depth=RRF_DEPTH) + w.named * (ch["exact"] >= 1.0))
        return np.max(fused, axis=0)

    return score


def industry_channels(
    core: MatchCore, w: Weights
) -> dict[str, Callable[[np.ndarray, dict[str, np.ndarray]], np.ndarray]]:
    """The two category channels tried: industry centroids, and industries voted by the first five."""
    industries = core.supplier_.table.industries
    names = sorted({i for i in industries if i})
    of = np.array([names.index(i) if i else -1 for i in industries])
    known = of >= 0
    profiles = core.semantic_.profiles_vec
    assert profiles is not None
    centroids = np.zeros((len(names), profiles.shape[1]), np.float32)
    np.add.at(centroids, of[known], profiles[known])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)

    def centroid(vec: np.ndarray, ch: dict[str, np.ndarray]) -> np.ndarray:
        return np.where(known, (centroids @ vec)[np.maximum(of, 0)], 0.0)

    def vote(vec: np.ndarray, ch: dict[str, np.ndarray]) -> np.ndarray:
        votes = np.zeros(len(names))
        for rank, i in enumerate(np.argsort(-fuse_supplier(ch, w))[:5]):
            votes[of[i]] += (1.0 / (rank + 1)) if known[i] else 0.0
        return np.where(known, votes[np.maximum(of, 0)], 0.0) * (0.5 + np.clip(ch["dense_product"], 0, None))

    return {"industry centroid": centroid, "industry vote (first 5)": vote}


def show(label: str, r: dict[str, dict[str, tuple[float, float]]]) -> None:
    cells = []
    for side in FILES:
        kinds = " ".join(f"{k} {m:.3f}/{r10:.3f}" for k, (m, r10) in sorted(r[side].items()) if k != "all")
        m, r10 = r[side]["all"]
        cells.append(f"{m:.3f} / {r10:.3f}" + (f" ({kinds})" if kinds else ""))
    print(f"| {label} | {joint(r):.3f} | " + " | ".join(cells) + " |")


def buyer_grid(args: argparse.Namespace) -> None:
    """SME recommendation: ``BUYER_GRID`` over the buyer channels computed once per offer."""
    started = time.perf_counter()
    settings = get_settings()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(EVAL / "corpus.jsonl")]
    ids = [d.id for d in docs]
    encoder = get_encoder(args.encoder, cache_dir=settings.cache_dir)
    queries = read_jsonl(EVAL / "dev_buyer_queries.jsonl")
    core = leave_pair_out_core(docs, queries, Path(args.graph), settings, encoder=encoder)
    data = []
    for q in queries:
        items = parse_offer(q["text"]).items
        data.append(core.buyer_.channels(items, core._items_vectors(items), core.weights))
    print(
        f"encoder {args.encoder}; chain graph {args.graph}; pool {len(ids)} companies; {len(queries)} offers; "
        f"RRF k={RRF_K:.0f}; load {os.getloadavg()[0]:.1f} (1-min); channels read in "
        f"{time.perf_counter() - started:.0f} s\n"
    )

    def score(ws: Sequence[float], depth: int) -> tuple[float, float]:
        ms = [
            query_metrics(ids, q, rrf([ch[n] for n in BUYER_CHANNELS], ws, k=RRF_K, depth=depth))
            for q, ch in zip(queries, data, strict=True)
        ]
        return float(np.mean([m["mrr"] for m in ms])), float(np.mean([m["recall@10"] for m in ms]))

    print("| weights (inputs, uses, direct, industry), depth | mean | MRR | R@10 |")
    print("|---|---|---|---|")
    before = score([1.0] * 4, RRF_DEPTH)
    print(
        f"| before the grid: 1, 1, 1, 1, depth {RRF_DEPTH} | {np.mean(before):.3f} | {before[0]:.3f} | {before[1]:.3f} |"
    )
    now = score(Weights().buyer_rrf, BUYER_RRF_DEPTH)
    label = ", ".join(f"{v:g}" for v in Weights().buyer_rrf)
    print(f"| default: {label}, depth {BUYER_RRF_DEPTH} | {np.mean(now):.3f} | {now[0]:.3f} | {now[1]:.3f} |")
    rows = [(values, score(values[:4], int(values[4]))) for values in itertools.product(*BUYER_GRID.values())]
    rows.sort(key=lambda r: -float(np.mean(r[1])))
    for values, (mrr, r10) in rows[:10]:
        label = ", ".join(f"{v:g}" for v in values[:4]) + f", depth {values[4]}"
        print(f"| {label} | {(mrr + r10) / 2:.3f} | {mrr:.3f} | {r10:.3f} |")
    for depth in BUYER_GRID["depth"]:
        mrr, r10 = score([1.0] * 4, int(depth))
        print(f"| 1, 1, 1, 1, depth {depth} | {(mrr + r10) / 2:.3f} | {mrr:.3f} | {r10:.3f} |")
    print(f"\n{len(rows)} settings; total {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default=get_settings().encoder)
    parser.add_argument("--buyer", action="store_true", help="SME recommendation (buyer channels) instead")
    parser.add_argument("--graph", default=str(EVAL.parent / "data" / "ChainKnowledgeGraph"))
    args = parser.parse_args()
    if args.buyer:
        return buyer_grid(args)
    started = time.perf_counter()
    settings = get_settings()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(EVAL / "corpus.jsonl")]
    encoder = get_encoder(args.encoder, cache_dir=settings.cache_dir)
    core = leave_pair_out_core(docs, [], None, settings, encoder=encoder)
    queries = {side: read_jsonl(EVAL / f"dev_{side}_queries.jsonl") for side in FILES}
    data = {side: collect(core, qs) for side, qs in queries.items()}
    ids = [d.id for d in docs]
    table = core.supplier_.table
    print(
        f"encoder {args.encoder}; pool {table.n_companies} companies, {len(table.distinct_names)} distinct "
        f"product names; RRF k={RRF_K:.0f}, depth {RRF_DEPTH}; load {os.getloadavg()[0]:.1f} (1-min); "
        f"channels read in {time.perf_counter() - started:.0f} s\n"
    )
    print(
        "| weights (item, dense_product, dense_profile, words; text 0.1) | joint | supplier | semantic | document |"
    )
    print("|---|---|---|---|---|")
    today = Weights()
    before = Weights(item=1.0, dense_product=1.0, dense_profile=1.0, words=1.0)  # until this grid
    base = evaluate(ids, queries, data, by_weights(before))
    show("before the grid: 1, 1, 1, 1", base)
    show(
        f"default: {today.item:g}, {today.dense_product:g}, {today.dense_profile:g}, {today.words:g}",
        evaluate(ids, queries, data, by_weights(today)),
    )
    rows = []
    for values in itertools.product(*GRID.values()):
        w = replace(Weights(), **_grid(values))
        rows.append((values, evaluate(ids, queries, data, by_weights(w))))
    kept = [r for r in rows if r[1]["supplier"]["all"][1] >= base["supplier"]["all"][1] - 0.01]
    kept.sort(key=lambda r: -joint(r[1]))
    for values, r in kept[:8]:
        show(", ".join(f"{v:g}" for v in values), r)
    best = replace(Weights(), **_grid(kept[0][0]))
    print(f"\nbest of {len(rows)} settings ({len(kept)} keep supplier R@10): {kept[0][0]}\n")
    for label, channel in industry_channels(core, before).items():
        show(f"before + {label}", evaluate(ids, queries, data, by_weights(before, channel)))
    for label, channel in industry_channels(core, best).items():
        show(f"best + {label}", evaluate(ids, queries, data, by_weights(best, channel)))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
