"""Pure scoring functions over arrays: product-level scores to company scores, exact-name matches.

A company sells several products; a demand wants one. Scoring each product and keeping the company's
best (or a soft maximum) avoids the blur of one vector for a long product list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def group_max(values: np.ndarray, groups: np.ndarray, n_groups: int, empty: float = 0.0) -> np.ndarray:
    """The maximum of ``values`` within each group id (0..n_groups-1); groups without values get ``empty``.

    >>> group_max(np.array([0.2, 0.9, 0.5]), np.array([0, 0, 2]), 3).tolist()
    [0.9, 0.0, 0.5]
    """
    out = np.full(n_groups, -np.inf, dtype=np.float64)
    np.maximum.at(out, groups, values)
    out[np.isneginf(out)] = empty
    return out


def group_argmax(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Index into ``values`` of each group's best item, -1 for groups without items."""
    best = group_max(values, groups, n_groups, empty=-np.inf)
    hit = values >= best[groups]
    out = np.full(n_groups, -1, dtype=np.int64)
    idx = np.nonzero(hit)[0][::-1]  # reversed so that the first best item wins
    out[groups[idx]] = idx
    return out


def group_softmax(
    values: np.ndarray, groups: np.ndarray, n_groups: int, temperature: float = 0.05
) -> np.ndarray:
    """A soft maximum per group: ``t * log(sum(exp(v / t)))``, near the max for small ``t``, rewarding ties.

    >>> round(float(group_softmax(np.array([0.5, 0.5]), np.array([0, 0]), 1, 0.1)[0]), 4)
    0.5693
    """
    best = group_max(values, groups, n_groups, empty=0.0)
    sums = np.zeros(n_groups, dtype=np.float64)
    np.add.at(sums, groups, np.exp((values - best[groups]) / temperature))
    out = best + temperature * np.log(np.maximum(sums, 1e-300))
    out[sums == 0] = 0.0
    return out


def exact_scores(query_keys: Sequence[str], doc_keys: Sequence[str]) -> np.ndarray:
    """1.0 where a document key equals one of the query keys, else 0.0.

    >>> exact_scores(["硫酸"], ["硫酸", "硫酸铵"]).tolist()
    [1.0, 0.0]
    """
    wanted = set(query_keys)
    return np.fromiter((1.0 if k in wanted else 0.0 for k in doc_keys), dtype=np.float32, count=len(doc_keys))


def share_prior(weights: np.ndarray, strength: float = 0.05) -> np.ndarray:
    """A small bonus for a product's revenue share (0-1), so a company's main line wins ties."""
    return strength * np.sqrt(np.clip(weights, 0.0, 1.0))
