"""Ranking metrics as pure functions of one ranked id list and the set of relevant ids.

Binary relevance throughout; a query's figures are averaged over queries by the harness.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str]) -> float:
    """1 / rank of the first relevant id, 0.0 if none is ranked.

    >>> reciprocal_rank(["a", "b", "c"], {"b"})
    0.5
    """
    for i, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1.0 / i
    return 0.0


def recall_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant ids found in the top ``k`` (0.0 when nothing is relevant).

    >>> recall_at_k(["a", "b", "c"], {"b", "z"}, 2)
    0.5
    """
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant))


def ndcg_at_k(ranked: Sequence[str], relevant: Collection[str], k: int = 10) -> float:
    """Normalized discounted cumulative gain at ``k`` with binary gains.

    >>> round(ndcg_at_k(["a", "b"], {"b"}, 10), 4)
    0.6309
    """
    rel = set(relevant)
    dcg = sum(1.0 / math.log2(i + 1) for i, item in enumerate(ranked[:k], start=1) if item in rel)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(rel), k) + 1))
    return dcg / ideal if ideal > 0 else 0.0
