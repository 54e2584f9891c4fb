"""Fusion of channel scores into one ranking score, chosen by name (``get_fusion``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import rankdata

FusionFn = Callable[[Sequence[np.ndarray], Sequence[float]], np.ndarray]


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based competition rank by descending score: tied items share the best rank (``1, 2, 2, 4``).

    >>> ranks(np.array([0.5, 0.9, 0.5, 0.1])).tolist()
    [2, 1, 2, 4]
    """
    return np.asarray(rankdata(-np.asarray(scores, dtype=np.float64), method="min"), dtype=np.int64)


def _ranks_of_top(scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``depth`` best positive entries and their 1-based competition ranks (ties share the best rank)."""
    from matcher.ranking.scoring import top_k

    top = top_k(np.where(scores > 0, scores, -np.inf), depth)
    values = -scores[top]  # ascending
    return top, np.searchsorted(values, values, side="left") + 1


def rrf(
    channels: Sequence[np.ndarray], weights: Sequence[float], k: float = 60.0, depth: int | None = None
) -> np.ndarray:
    """Weighted reciprocal rank fusion: sum of ``w / (k + rank)`` over the channels where an item scores.

    As in RRF over result lists, an item a channel gives no evidence for (score <= 0) gets nothing from
    it, and ties share a rank, so a channel with no information (all zero, e.g. no chain graph loaded)
    cannot reorder the others. With ``depth``, each channel contributes only its ``depth`` best items (a
    result list of that length): O(n) per channel instead of a full sort.

    >>> rrf([np.array([0.9, 0.1]), np.array([0.2, 0.8])], [1.0, 1.0]).round(5).tolist()
    [0.03252, 0.03252]
    >>> rrf([np.array([0.0, 0.0, 0.0]), np.array([0.1, 0.3, 0.2])], [1.0, 1.0]).argsort()[::-1].tolist()
    [1, 2, 0]
    >>> rrf([np.array([0.5, 0.9, 0.5, 0.1])], [1.0], k=0, depth=3).tolist()
    [0.5, 1.0, 0.5, 0.0]
    """
    out = np.zeros(len(channels[0]) if len(channels) else 0, dtype=np.float64)
    for s, w in zip(channels, weights, strict=True):
        s = np.asarray(s, dtype=np.float64)
        if w == 0:
            continue
        if depth is None:
            out += np.where(s > 0, w / (k + ranks(s)), 0.0)
        else:
            top, r = _ranks_of_top(s, depth)
            out[top] += w / (k + r)
    return out


def weighted_sum(channels: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Weighted sum of raw channel scores (channels already on comparable 0-1 scales).

    >>> weighted_sum([np.array([1.0, 0.0]), np.array([0.5, 0.5])], [1.0, 2.0]).tolist()
    [2.0, 1.0]
    """
    return np.sum(
        [w * np.asarray(s, dtype=np.float64) for s, w in zip(channels, weights, strict=True)], axis=0
    )


def minmax_sum(channels: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Weighted sum after scaling each channel to 0-1 over the pool."""
    scaled = []
    for s in channels:
        s = np.asarray(s, dtype=np.float64)
        span = s.max() - s.min() if len(s) else 0.0
        scaled.append((s - s.min()) / span if span > 0 else np.zeros_like(s))
    return weighted_sum(scaled, weights)


FUSIONS: dict[str, FusionFn] = {"rrf": rrf, "weighted": weighted_sum, "minmax": minmax_sum}


def get_fusion(name: str) -> FusionFn:
    """The fusion function called ``name`` (rrf, weighted, minmax)."""
    try:
        return FUSIONS[name]
    except KeyError:
        raise ValueError(f"未知的融合方法：{name!r}（可选：{', '.join(FUSIONS)}）") from None
