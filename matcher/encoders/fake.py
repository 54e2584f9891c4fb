"""A deterministic hashing encoder for tests: texts sharing character n-grams get similar vectors.

Each character 1-2 gram is hashed (CRC32, stable across processes) to one of ``dim`` signed buckets;
the vector is the normalized bucket sum. No model, no randomness, instant.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from matcher.encoders.base import l2_normalize


def _ngrams(text: str, sizes: tuple[int, ...]) -> list[str]:
    text = text.strip().lower()
    return [text[i : i + n] for n in sizes for i in range(len(text) - n + 1)]


class FakeEncoder:
    """Hashing encoder: ``encode(["硫酸"])`` is close to ``encode(["工业硫酸"])``, far from ``["钢材"]``."""

    def __init__(self, dim: int = 256, ngram_sizes: tuple[int, ...] = (1, 2)) -> None:
        self.dim = dim
        self.ngram_sizes = ngram_sizes
        self.model_id = f"fake-hash-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for gram in _ngrams(text, self.ngram_sizes):
            h = zlib.crc32(gram.encode("utf-8"))
            vec[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        return vec

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` as unit rows of shape (n, dim); empty text gives a zero row."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalize(np.stack([self._vector(t) for t in texts]))
