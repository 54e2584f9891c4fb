"""Dense search kept behind one function, so an index (``matcher.retrieval``) can replace it later.

A query's products are small (a few item vectors against the pool's distinct product names). Multi-
threaded OpenBLAS gains nothing on them, and its helper threads then spin on a core for a while after
every call: in the server that doubled the CPU spent per query. Small products therefore run on one
BLAS thread; large ones (evaluation, whole-corpus work) keep every thread.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from typing import Any

import numpy as np

SMALL = 8_000_000  # multiply-adds below which one BLAS thread is used


@lru_cache(maxsize=1)
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS calls of this process use one thread."""
    blas = _blas()
    return blas.limit(limits=1) if blas.lib_controllers else nullcontext()


def dense_scores(queries: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Exact inner products (cosine for unit rows), shape (n_queries, n_docs)."""
    if docs.shape[0] == 0:
        return np.zeros((queries.shape[0], 0), dtype=np.float32)
    if queries.shape[0] * docs.shape[0] * docs.shape[1] >= SMALL:
        return np.asarray(queries @ docs.T, dtype=np.float32)
    with one_blas_thread():
        return np.asarray(queries @ docs.T, dtype=np.float32)
