"""The encoder seam: any text embedding model behind one method.

``encode(texts)`` returns a float32 array of shape (n, dim) whose rows are L2-normalized, so inner
product is cosine similarity everywhere downstream (FAISS ``IndexFlatIP``, NumPy ``@``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """A text encoder. ``model_id`` names the weights (it keys the embedding cache)."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` as float32 rows of unit length, shape (len(texts), dim)."""
        ...


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def encode_queries(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Embed search queries: ``encoder.encode_queries`` for asymmetric models (e5), else ``encode``."""
    method = getattr(encoder, "encode_queries", None)
    return method(texts) if callable(method) else encoder.encode(texts)
