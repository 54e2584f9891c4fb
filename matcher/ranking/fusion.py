"""Fusion of channel scores into one ranking score, chosen by name (``get_fusion``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

FusionFn = Callable[[Sequence[np.ndarray], Sequence[float]], np.ndarray]


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each item by descending score (ties broken by position)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(1, len(scores) + 1)
    return out


def rrf(channels: Sequence[np.ndarray], weights: Sequence[float], k: float = 60.0) -> np.ndarray:
    """Weighted reciprocal rank fusion: sum of ``w / (k + rank)`` over channels.

    >>> rrf([np.array([0.9, 0.1]), np.array([0.2, 0.8])], [1.0, 1.0]).round(5).tolist()
    [0.03252, 0.03252]
    """
    return np.sum([w / (k + ranks(s)) for s, w in zip(channels, weights, strict=True)], axis=0)


def weighted_sum(channels: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Weighted sum of raw channel scores (channels already on comparable 0-1 scales).

    >>> weighted_sum([np.array([1.0, 0.0]), np.array([0.5, 0.5])], [1.0, 2.0]).tolist()
    [2.0, 1.0]
    """
    return np.sum([w * np.asarray(s, dtype=np.float64) for s, w in zip(channels, weights, strict=True)], axis=0)


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
