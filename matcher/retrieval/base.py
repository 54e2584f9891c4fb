"""The retriever seam: dense top-k search over vectors keyed by the store's int64 primary keys.

Every backend answers the same :class:`Retriever` interface, so the engine never knows whether FAISS or
the plain NumPy reference is behind it. Scores are inner products (cosine similarity for the unit-length
vectors an :class:`~matcher.encoders.base.Encoder` returns). Rows of a result are ordered by descending
score, ties by ascending id, and padded with id ``-1`` / score ``-inf`` when fewer than ``k`` ids qualify.

Example::

    r = make_retriever("exact", dim=512)
    r.index(ids, vectors)
    hits = r.search(encoder.encode(["采购锂电池隔膜"]), k=10, allowed=ids_in_same_park)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, NamedTuple, Protocol, Self

import numpy as np

from matcher.retrieval.storage import Manifest

IdsLike = Iterable[int] | np.ndarray


class SearchResults(NamedTuple):
    """Top-k per query: ``ids`` int64 (q, k) padded with -1, ``scores`` float32 (q, k) padded with -inf."""

    ids: np.ndarray
    scores: np.ndarray


class TopK(Protocol):
    """What candidate search reads of a dense index: a size and ``search``. Every ``Retriever`` is one; so
    are the index shards served on Ray (``matcher.distributed.positions``)."""

    def __len__(self) -> int: ...

    def search(self, queries: np.ndarray, k: int) -> SearchResults: ...


class Retriever(ABC):
    """Dense vector index over int64 ids; ``add`` upserts, ``allowed`` restricts results to eligible ids.

    Contract (checked by the property tests): every returned id is held and, when ``allowed`` is given,
    in ``allowed``; no id appears twice in a row; if at least ``k`` eligible ids are held, ``k`` are returned.
    """

    kind: ClassVar[str]

    @property
    @abstractmethod
    def dim(self) -> int:
        """Length of every vector held."""

    @abstractmethod
    def index(self, ids: IdsLike, vectors: np.ndarray) -> Self:
        """Replace everything held by these ids and vectors (a full rebuild)."""

    @abstractmethod
    def add(self, ids: IdsLike, vectors: np.ndarray) -> Self:
        """Insert, or replace the vector of ids already held (upsert)."""

    @abstractmethod
    def remove(self, ids: IdsLike) -> int:
        """Drop these ids (unknown ones are ignored); returns how many were held."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int, allowed: IdsLike | None = None) -> SearchResults:
        """The ``k`` best ids per query row, only among ``allowed`` when it is given."""

    @abstractmethod
    def save(self, path: str | Path, *, model_id: str = "") -> Manifest:
        """Write atomically into directory ``path``; ``model_id`` names the encoder that made the vectors."""

    def params(self) -> dict[str, float | int | str]:
        """Constructor arguments, recorded in the manifest so that ``load`` recreates the same backend."""
        return {}

    @classmethod
    @abstractmethod
    def load(cls, path: str | Path, *, mmap: bool = False) -> Self:
        """Read what :meth:`save` wrote, refusing files that disagree with their manifest. ``mmap``: map
        the data files read-only instead of reading them (shared by every process mapping them; the
        index must then not be changed)."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of ids held."""

    @abstractmethod
    def ids(self) -> np.ndarray:
        """The ids held, sorted ascending, as int64."""


def as_ids(ids: IdsLike, *, new: bool = True) -> np.ndarray:
    """Ids as a 1-D int64 array. ``new`` ids (to be stored) must be unique and >= 0: -1 means padding."""
    arr = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64).reshape(-1)
    if new and arr.size:
        values, counts = np.unique(arr, return_counts=True)
        if (counts > 1).any():
            raise ValueError(f"ids 中有重复值：{values[counts > 1][:5].tolist()}")
        if values[0] < 0:
            raise ValueError(f"id 必须为非负整数（-1 表示空位），实际有 {values[values < 0][:5].tolist()}")
    return arr


def as_vectors(vectors: np.ndarray, dim: int, rows: int | None = None) -> np.ndarray:
    """Vectors as a C-contiguous float32 (n, dim) array, checked for shape and finite values."""
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"向量形状应为 (n, {dim})，实际为 {tuple(np.shape(vectors))}")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"ids 有 {rows} 个，向量却有 {arr.shape[0]} 行")
    if not np.isfinite(arr).all():
        raise ValueError("向量中含有 NaN 或无穷大")
    return arr


def as_allowed(allowed: IdsLike | None) -> np.ndarray | None:
    """The eligible ids as a sorted unique int64 array, or None for no restriction."""
    if allowed is None:
        return None
    if isinstance(allowed, set | frozenset):
        allowed = list(allowed)
    return np.unique(as_ids(allowed, new=False))


def check_k(k: int) -> int:
    if int(k) < 1:
        raise ValueError(f"k 必须为正整数，实际为 {k!r}")
    return int(k)


def empty_results(n_queries: int, k: int) -> SearchResults:
    """All-padding results: nothing eligible was found."""
    return SearchResults(
        np.full((n_queries, k), -1, dtype=np.int64), np.full((n_queries, k), -np.inf, dtype=np.float32)
    )


def top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> SearchResults:
    """The ``k`` best columns of each row of ``scores`` (q, m), whose columns are ``ids``.

    ``ids`` is (m,) shared by all rows, or (q, m) per row with -1 marking empty slots. Rows come out ordered
    by descending score then ascending id, padded with -1 / -inf.
    """
    scores = np.asarray(scores, dtype=np.float32)
    ids = np.broadcast_to(np.asarray(ids, dtype=np.int64), scores.shape)
    scores = np.where(ids < 0, -np.inf, scores).astype(np.float32)
    if scores.shape[1] > k:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        ids, scores = np.take_along_axis(ids, part, 1), np.take_along_axis(scores, part, 1)
    order = np.lexsort((np.where(ids < 0, np.iinfo(np.int64).max, ids), -scores), axis=-1)
    ids, scores = np.take_along_axis(ids, order, 1), np.take_along_axis(scores, order, 1)
    out = empty_results(scores.shape[0], k)
    width = ids.shape[1]
    out.ids[:, :width] = np.where(np.isneginf(scores), -1, ids)
    out.scores[:, :width] = scores
    return out
