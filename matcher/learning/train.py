"""Training with a time split: learn on the older queries' labels, test on the newer ones, and keep the
learned order only if it beats the hand-set one there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from matcher.evaluation.metrics import ndcg_at_k
from matcher.learning.labels import Label
from matcher.learning.model import MIN_LABELS, MIN_QUERIES, RankerModel, feature_matrix
from matcher.learning.ranker import PairwiseRanker

# a query's candidates: enterprise id -> named features; "score" is the hand-set score
Candidates = Mapping[int, Mapping[str, float]]
HANDSET = "score"


class TrainReport(NamedTuple):
    model: RankerModel
    train_queries: int
    test_queries: int
    dropped: int  # labels whose enterprise was not among the query's candidates


def time_split(labels: Sequence[Label], test_share: float = 0.3) -> tuple[list[int], list[int]]:
    """Queries ordered by their first label; the newest ``test_share`` of them are the test set."""
    first: dict[int, dt.datetime] = {}
    for label in labels:
        first[label.query] = min(first.get(label.query, label.at), label.at)
    order = sorted(first, key=lambda q: (first[q], q))
    cut = len(order) - max(1, round(len(order) * test_share)) if len(order) > 1 else len(order)
    return order[:cut], order[cut:]


def ndcg_of(order: Sequence[int], grades: Mapping[int, float], k: int = 10) -> float:
    relevant = {str(e) for e, g in grades.items() if g >= 1}
    return ndcg_at_k([str(e) for e in order], relevant, k)


def compare(
    model: PairwiseRanker,
    names: Sequence[str],
    queries: Mapping[int, tuple[Candidates, dict[int, float]]],
) -> tuple[float, float]:
    """Mean nDCG@10 of the hand-set order and of the learned order over ``queries`` with a positive label."""
    hand, learned, n = 0.0, 0.0, 0
    for cands, grades in queries.values():
        if not any(g >= 1 for g in grades.values()):
            continue
        ids = list(cands)
        rows = [cands[i] for i in ids]
        base = [ids[j] for j in np.argsort([-r.get(HANDSET, 0.0) for r in rows], kind="stable")]
        predicted = model.predict(feature_matrix(rows, names))
        mine = [ids[j] for j in np.argsort(-predicted, kind="stable")]
        hand, learned, n = hand + ndcg_of(base, grades), learned + ndcg_of(mine, grades), n + 1
    return (hand / n, learned / n) if n else (0.0, 0.0)


def fit_queries(
    queries: Mapping[int, tuple[Candidates, dict[int, float]]], names: Sequence[str], C: float = 1.0
) -> PairwiseRanker:
    rows, grades, groups = [], [], []
    for q, (cands, labelled) in queries.items():
        for e, g in labelled.items():
            rows.append(cands[e])
            grades.append(g)
            groups.append(q)
    return PairwiseRanker(C=C).fit(feature_matrix(rows, names), grades, groups)


def train_ranker(
    labels: Sequence[Label],
    candidates: Callable[[int], Candidates],
    counts: Mapping[str, int],
    *,
    now: dt.datetime | None = None,
) -> TrainReport:
    """Fit on the older queries, evaluate on the newer; ``used`` only with enough labels and a gain."""
    by_query: dict[int, dict[int, float]] = {}
    for label in labels:
        by_query.setdefault(label.query, {})[label.enterprise_id] = label.grade
    train_ids, test_ids = time_split(labels)
    data: dict[int, tuple[Candidates, dict[int, float]]] = {}
    dropped = 0
    for q, grades in by_query.items():
        cands = candidates(q)
        kept = {e: g for e, g in grades.items() if e in cands}
        dropped += len(grades) - len(kept)
        if kept:
            data[q] = (cands, kept)
    names = sorted({n for cands, _ in data.values() for row in cands.values() for n in row})
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    model = RankerModel(names, [0.0] * len(names), stamp, dict(counts))
    train = {q: data[q] for q in train_ids if q in data}
    test = {q: data[q] for q in test_ids if q in data}
    report = TrainReport(model, len(train), len(test), dropped)
    if len(labels) < MIN_LABELS or len(train) < MIN_QUERIES:
        model.reason = f"标注不足（{len(labels)} 条、训练查询 {len(train)} 个；至少 {MIN_LABELS} 条、{MIN_QUERIES} 个），沿用人工权重"
        return report
    try:
        fitted = fit_queries(train, names)
    except ValueError as exc:
        model.reason = f"无法训练：{exc}；沿用人工权重"
        return report
    model.coef = [float(c) for c in fitted.coef_]
    hand, learned = compare(fitted, names, test)
    model.evaluation = {
        "handset_ndcg@10": round(hand, 4),
        "learned_ndcg@10": round(learned, 4),
        "test_queries": float(len(test)),
    }
    model.used = learned > hand
    model.reason = "较新标注上优于人工权重，启用" if model.used else "较新标注上未优于人工权重，沿用人工权重"
    return report
