"""Exact search in plain NumPy: the reference backend, needing nothing beyond NumPy.

Holds ids and vectors in two arrays and scores every query against every vector with one matrix product.
It is deliberately simple (every mutation rewrites the arrays) so that tests can trust it as the answer
the FAISS backends must reproduce; it is fine for a few hundred thousand vectors.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Self

import numpy as np

from matcher.retrieval.base import (
    IdsLike,
    Retriever,
    SearchResults,
    as_allowed,
    as_ids,
    as_vectors,
    check_k,
    empty_results,
    top_k,
)
from matcher.retrieval.storage import Manifest, data_path, npy_writer, read_manifest, save_bundle, verify

_CHUNK = 65_536  # vectors scored per block, to bound the (q, block) score matrix


class NumpyRetriever(Retriever):
    """Exact inner-product search over vectors held in memory."""

    kind: ClassVar[str] = "numpy"

    def __init__(self, dim: int) -> None:
        if int(dim) < 1:
            raise ValueError(f"dim 必须为正整数，实际为 {dim!r}")
        self._dim = int(dim)
        self._ids = np.empty(0, dtype=np.int64)
        self._vectors = np.empty((0, self._dim), dtype=np.float32)

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return int(self._ids.size)

    def ids(self) -> np.ndarray:
        return np.sort(self._ids)

    def index(self, ids: IdsLike, vectors: np.ndarray) -> Self:
        new_ids = as_ids(ids)
        self._vectors = as_vectors(vectors, self._dim, new_ids.size).copy()
        self._ids = new_ids.copy()
        return self

    def add(self, ids: IdsLike, vectors: np.ndarray) -> Self:
        new_ids = as_ids(ids)
        new_vectors = as_vectors(vectors, self._dim, new_ids.size)
        keep = ~np.isin(self._ids, new_ids)
        self._ids = np.concatenate([self._ids[keep], new_ids])
        self._vectors = np.concatenate([self._vectors[keep], new_vectors])
        return self

    def remove(self, ids: IdsLike) -> int:
        drop = np.isin(self._ids, as_ids(ids, new=False))
        self._ids, self._vectors = self._ids[~drop], self._vectors[~drop]
        return int(drop.sum())

    def search(self, queries: np.ndarray, k: int, allowed: IdsLike | None = None) -> SearchResults:
        q = as_vectors(queries, self._dim)
        k = check_k(k)
        eligible = as_allowed(allowed)
        ids, vectors = self._ids, self._vectors
        if eligible is not None:
            mask = np.isin(ids, eligible)
            ids, vectors = ids[mask], vectors[mask]
        best = empty_results(q.shape[0], k)
        for start in range(0, ids.size, _CHUNK):
            block = slice(start, start + _CHUNK)
            scores = q @ vectors[block].T
            merged_ids = np.concatenate([best.ids, np.broadcast_to(ids[block], scores.shape)], axis=1)
            best = top_k(merged_ids, np.concatenate([best.scores, scores], axis=1), k)
        return best

    def save(self, path: str | Path, *, model_id: str = "") -> Manifest:
        parts = {"ids": npy_writer(self._ids), "vectors": npy_writer(self._vectors)}
        return save_bundle(path, parts, kind=self.kind, dim=self._dim, ids=self._ids, model_id=model_id)

    @classmethod
    def load(cls, path: str | Path, *, mmap: bool = False) -> Self:
        manifest = read_manifest(path)
        ids = np.load(data_path(path, manifest, "ids"), allow_pickle=False)
        vectors = np.load(
            data_path(path, manifest, "vectors"), allow_pickle=False, mmap_mode="r" if mmap else None
        )
        verify(manifest, kind=cls.kind, dim=int(vectors.shape[1]), ids=ids)
        return cls(manifest.dim).index(ids, vectors)
