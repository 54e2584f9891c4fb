"""Dense search kept behind one function, so an index (``matcher.retrieval``) can replace it later."""

from __future__ import annotations

import numpy as np


def dense_scores(queries: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Exact inner products (cosine for unit rows), shape (n_queries, n_docs)."""
    if docs.shape[0] == 0:
        return np.zeros((queries.shape[0], 0), dtype=np.float32)
    return np.asarray(queries @ docs.T, dtype=np.float32)
