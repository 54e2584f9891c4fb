"""The learned ranker in simulation: buyers whose hidden preference is a dev label set decide, with noise,
on the 20 candidates the engine shows them; the ranker learns from those decisions and re-orders the
engine's top 20 on queries whose decisions it never saw. Each dev file is split by query and reported on
its own (nDCG@10 over queries whose top 20 holds a relevant company: the re-ordering's own ceiling).

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=1 python benchmarks/bench_ranker.py [--seeds 3] [--noise 0.15] [--limit N]

Prints, per file and number of labelled training queries, the mean nDCG@10 of the hand-set order and of
the learned order on the held-out half, in the same run. The engine runs its lexical channels with the
chain graph (no encoder), so the run stays short; the figures are for that configuration.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from matcher.evaluation.harness import leave_pair_out_core, read_jsonl
from matcher.learning.train import compare, fit_queries
from matcher.text.profiles import ProfileDoc

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL, GRAPH = SHARED / "eval", SHARED / "data" / "ChainKnowledgeGraph"
FILES = ("dev_supplier_queries", "dev_buyer_queries", "dev_semantic_queries", "dev_document_queries")
SHOWN = POOL = 20  # the demand page shows a buyer 20 candidates; the ranker re-orders those
CURVE = (5, 10, 20, 40, 80, 160)


def candidates(core: Any, q: dict[str, Any], ids: list[str]) -> dict[str, dict[str, float]]:
    """The engine's top POOL for the query, each with its named features (channels and hand-set score)."""
    if q["type"] == "buyer_recommendation":
        found = core.buyers_for(q["text"], k=POOL, exclude=[q.get("supplier_code", "")])
        return {m.id: {**m.channels, "score": m.score} for m in found}
    mask = np.array([i != q.get("buyer_code") for i in ids])
    top = core.top_suppliers(q["text"], POOL, eligible=mask)
    out = {}
    for j, i in enumerate(top.order):
        _, _, channels = top.described[j]
        out[ids[int(i)]] = {**channels, "score": float(top.scores[j])}
    return out


def decide(
    cands: Mapping[str, Mapping[str, float]], relevant: set[str], noise: float, rng: random.Random
) -> dict[str, float]:
    """A buyer looks at the SHOWN best and keeps the ones it wants (its hidden preference), with noise."""
    shown = sorted(cands, key=lambda c: -cands[c]["score"])[:SHOWN]
    return {c: float((c in relevant) != (rng.random() < noise)) for c in shown}


def run_file(
    name: str, docs: list[ProfileDoc], seeds: int, noise: float, limit: int | None
) -> list[tuple[int, int, float, float]]:
    queries = read_jsonl(EVAL / f"{name}.jsonl")[:limit]
    core = leave_pair_out_core(docs, queries, GRAPH, encoder=None)
    ids = [d.id for d in docs]
    cands = {q["id"]: candidates(core, q, ids) for q in queries}
    truth = {q["id"]: {c: float(c in set(q["relevant"])) for c in cands[q["id"]]} for q in queries}
    rows = []
    for m in CURVE:
        hands, learned, labels = [], [], []
        for seed in range(seeds):
            rng = random.Random(seed)
            order = [q["id"] for q in queries]
            rng.shuffle(order)
            train, test = order[: len(order) // 2], order[len(order) // 2 :]
            if m > len(train):
                continue
            seen = {
                q: (cands[q], decide(cands[q], {c for c, g in truth[q].items() if g}, noise, rng))
                for q in train[:m]
            }
            names = sorted({n for c, _ in seen.values() for row in c.values() for n in row})
            held = {q: (cands[q], truth[q]) for q in test}
            try:
                model = fit_queries(seen, names)
            except ValueError:
                continue
            h, lrn = compare(model, names, held)
            hands.append(h)
            learned.append(lrn)
            labels.append(sum(len(d) for _, d in seen.values()))
        if hands:
            rows.append((m, int(np.mean(labels)), float(np.mean(hands)), float(np.mean(learned))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--noise", type=float, default=0.15)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(EVAL / "corpus.jsonl")]
    for name in FILES:
        print(f"\n## {name}（按查询对半切分；噪声 {args.noise}；{args.seeds} 个随机种子平均）")
        print("| 训练查询 | 标注条数 | 人工权重 nDCG@10 | 学习排序 nDCG@10 | 差值 |")
        print("|---:|---:|---:|---:|---:|")
        for m, labels, hand, learned in run_file(name, docs, args.seeds, args.noise, args.limit):
            print(f"| {m} | {labels} | {hand:.4f} | {learned:.4f} | {learned - hand:+.4f} |")
    print(f"\n用时 {time.perf_counter() - started:.0f} 秒")


if __name__ == "__main__":
    main()
