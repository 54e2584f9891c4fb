"""Supplier-search feedback: a small grid of (companies read, weight) on every demand dev file, beside none.

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=1 python benchmarks/bench_feedback.py [--encoder NAME]

Each demand of ``dev_supplier_queries`` (364), ``dev_semantic_queries`` (100) and ``dev_document_queries`` (40)
is searched once (``MatchCore.searched``: the channels and their fusion, exhaustive, encoder from the
settings); every setting then applies ``TopRanker.with_feedback`` to that ranking: the products of the first
``feedback_from`` companies searched again by name among the ranked companies, fused in at weight
``feedback``. Printed: MRR / Recall@10 per file (per kind for semantic and document) and the joint score
(mean of semantic and document MRR and Recall@10), the row without feedback first. The default is the middle
of the region where the joint score is best and supplier Recall@10 holds; its neighbours show how flat the
region is, so expect less on sets it was not chosen on.

``--dense-profile W ...``: the same grid again for each weight of the profile channel (the first rankings
searched again with it), to weigh that channel with feedback in place (``Settings.profile_encoder`` changes
what the channel measures, so its weight and the feedback's were chosen together).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.factory import get_encoder
from matcher.evaluation.harness import evaluate_rankings, leave_pair_out_core, read_jsonl
from matcher.ranking.core import MatchCore, Ranking
from matcher.settings import get_settings
from matcher.text.profiles import ProfileDoc

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = ("supplier", "semantic", "document")
GRID = {"feedback_from": (3, 5, 8), "feedback": (1.5, 3.0, 4.5)}


Result = dict[str, dict[str, float]]  # per file: evaluate_rankings' means (overall and per kind)


def evaluate(
    core: MatchCore, ids: list[str], queries: dict[str, list[dict[str, Any]]], rankings: dict[str, Ranking]
) -> Result:
    """Each file's means with ``core.weights``' feedback applied to the first rankings (by query id)."""
    return {
        side: evaluate_rankings(ids, qs, lambda q: core.with_feedback(rankings[q["id"]]).scores)
        for side, qs in queries.items()
    }


def show(label: str, r: Result) -> None:
    joint = float(np.mean([r[side][m] for side in ("semantic", "document") for m in ("mrr", "recall@10")]))
    cells = []
    for side in FILES:
        kinds = sorted(k[4:-1] for k in r[side] if k.startswith("mrr["))
        detail = " ".join(f"{k} {r[side][f'mrr[{k}]']:.3f}/{r[side][f'recall@10[{k}]']:.3f}" for k in kinds)
        cells.append(
            f"{r[side]['mrr']:.3f} / {r[side]['recall@10']:.3f}" + (f" ({detail})" if detail else "")
        )
    print(f"| {label} | {joint:.3f} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default=get_settings().encoder)
    parser.add_argument("--dense-profile", nargs="*", type=float, default=[], help="profile channel weights")
    args = parser.parse_args()
    started = time.perf_counter()
    settings = get_settings()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(EVAL / "corpus.jsonl")]
    ids = [d.id for d in docs]
    encoder = get_encoder(args.encoder, cache_dir=settings.cache_dir)
    core = leave_pair_out_core(docs, [], None, settings, encoder=encoder)
    queries = {side: read_jsonl(EVAL / f"dev_{side}_queries.jsonl") for side in FILES}
    rankings = {q["id"]: core.searched(q["text"]) for qs in queries.values() for q in qs}
    default = core.weights
    profiles = core.profile_encoder.model_id if core.profile_encoder is not None else args.encoder
    print(
        f"encoder {args.encoder}, profiles {profiles}; pool {len(ids)} companies; load "
        f"{os.getloadavg()[0]:.1f} (1-min); first rankings in {time.perf_counter() - started:.0f} s\n"
    )
    print("| feedback (companies read, weight) | joint | supplier | semantic | document |")
    print("|---|---|---|---|---|")
    core.weights = replace(default, feedback=0.0)
    show("none", evaluate(core, ids, queries, rankings))
    core.weights = default
    show(f"default: {default.feedback_from}, {default.feedback:g}", evaluate(core, ids, queries, rankings))
    for read, weight in itertools.product(*GRID.values()):
        core.weights = replace(default, feedback_from=int(read), feedback=float(weight))
        show(f"{read}, {weight:g}", evaluate(core, ids, queries, rankings))
    for w in args.dense_profile:
        core.weights = replace(default, dense_profile=w, feedback=0.0)
        rankings = {q["id"]: core.searched(q["text"]) for qs in queries.values() for q in qs}
        show(f"profile channel {w:g}, no feedback", evaluate(core, ids, queries, rankings))
        for read, weight in itertools.product(*GRID.values()):
            core.weights = replace(default, dense_profile=w, feedback_from=int(read), feedback=float(weight))
            show(f"profile channel {w:g}; {read}, {weight:g}", evaluate(core, ids, queries, rankings))
    core.weights = default
    print(f"\nload {os.getloadavg()[0]:.1f}; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
