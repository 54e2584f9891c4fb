"""Pure scoring functions over arrays: product-level scores to company scores, exact-name matches.

A company sells several products; a demand wants one. Scoring each product and keeping the company's
best (or a soft maximum) avoids the blur of one vector for a long product list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best finite scores, best first, ties to the lower index.

    The same answer as ``np.argsort(-scores, kind="stable")[:k]`` without the non-finite entries, in
    O(n) instead of a full sort: everything at or above the k-th best value is sorted, nothing else.

    >>> top_k(np.array([0.2, 0.9, -np.inf, 0.9, 0.5]), 3).tolist()
    [1, 3, 4]
    """
    scores = np.asarray(scores, dtype=np.float64)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    # the finite ones first: NumPy's selection slows down 30x on a pool masked mostly to -inf
    cand = np.flatnonzero(np.isfinite(scores) & (scores >= _bound(scores, k)))
    if k < len(cand):
        values = scores[cand]
        above = values > values.min()  # and as slow on many equal lowest values (candidate search's zeros)
        if np.count_nonzero(above) >= k:
            cand, values = cand[above], values[above]
        cand = cand[values >= np.partition(values, len(values) - k)[len(values) - k]]
    return cand[np.argsort(-scores[cand], kind="stable")][:k].astype(np.int64)


def _bound(scores: np.ndarray, k: int) -> float:
    """A value the ``k`` best finite scores all reach: the ``k``-th best of a strided sample (at most the
    ``k``-th best of all), so a long array is gathered only where it matters; -inf when short."""
    if len(scores) <= 32 * k:
        return -np.inf
    sample = scores[:: len(scores) // (8 * k)]
    sample = sample[np.isfinite(sample)]
    return float(np.partition(sample, len(sample) - k)[len(sample) - k]) if len(sample) >= k else -np.inf


@dataclass(frozen=True)
class Segments:
    """Each group's items (e.g. a company's product rows) as a list of value ids (e.g. product names).

    Groups with the same list share one segment, so a reduction costs one pass over the distinct lists
    (21k for the 100k-enterprise sample, whose 210k product rows name only 720 distinct products) plus
    one gather. ``max`` equals ``group_max`` over the items and ``argmax`` equals ``group_argmax`` for
    groups whose items are contiguous (``first`` is each group's first item).
    """

    members: np.ndarray  # value ids, the distinct lists back to back
    starts: np.ndarray  # where each distinct list begins in ``members``
    owner: np.ndarray  # the list of each member
    of_group: np.ndarray  # each group's list, -1 for a group without items
    first: np.ndarray  # each group's first item, -1 without items

    @classmethod
    def build(cls, item_value: np.ndarray, item_group: np.ndarray, n_groups: int) -> Segments:
        """``item_value[i]``: the value id of item i; ``item_group``: its group (non-decreasing)."""
        item_value = np.asarray(item_value, dtype=np.int64)
        item_group = np.asarray(item_group, dtype=np.int64)
        if len(item_group) and np.any(np.diff(item_group) < 0):
            raise ValueError("Segments 需要按组连续排列的条目（item_group 须单调不减）")
        bounds = np.searchsorted(item_group, np.arange(n_groups + 1))
        lists: dict[tuple[int, ...], int] = {}
        of_group = np.full(n_groups, -1, dtype=np.int64)
        for g in range(n_groups):
            a, b = bounds[g], bounds[g + 1]
            if b > a:
                of_group[g] = lists.setdefault(tuple(item_value[a:b].tolist()), len(lists))
        keys = list(lists)
        sizes = np.array([len(x) for x in keys], dtype=np.int64)
        members = np.array([v for x in keys for v in x], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if keys else sizes
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
        first = np.where(of_group >= 0, bounds[:-1], -1).astype(np.int64)
        return cls(members, starts, owner, of_group, first)

    def _per_list(self, values: np.ndarray) -> np.ndarray:
        gathered = np.asarray(values, dtype=np.float64)[self.members]
        return np.maximum.reduceat(gathered, self.starts) if len(self.starts) else gathered

    def max(self, values: np.ndarray, empty: float = 0.0) -> np.ndarray:
        """Per group: the maximum of ``values[value id]`` over its items; ``empty`` without items."""
        best = np.append(self._per_list(values), empty)
        return best[self.of_group]  # -1 picks the appended ``empty``

    def argmax(self, values: np.ndarray) -> np.ndarray:
        """Per group: the index of its first item with the maximum value, -1 without items."""
        gathered = np.asarray(values, dtype=np.float64)[self.members]
        if not len(self.starts):
            return np.full(len(self.of_group), -1, dtype=np.int64)
        best = np.maximum.reduceat(gathered, self.starts)
        hit = np.flatnonzero(gathered >= best[self.owner])[::-1]  # reversed: the first best wins
        offset = np.zeros(len(self.starts), dtype=np.int64)
        offset[self.owner[hit]] = hit - self.starts[self.owner[hit]]
        return self.first + np.append(offset, 0)[self.of_group]  # no items: first -1, offset 0
