"""FAISS backends (the only module importing faiss): exact flat, HNSW and IVF over inner product.

Vectors are added to a bare FAISS index (``IndexFlatIP``, ``IndexHNSWFlat``, ``IndexIVFFlat``) without
ids; :class:`~matcher.retrieval.slots.SlotMap` maps each internal slot to the store's id. We do not use
``IndexIDMap2`` because HNSW has no ``remove_ids`` and an upsert must hide the old copy of an id that the
new copy shares, which a filter on external ids cannot express. Instead:

* ``remove`` and upsert mark slots dead (tombstones); searches pass an ``IDSelectorBitmap`` of live slots,
  so dead vectors still guide HNSW's graph walk but are never returned. When dead slots exceed
  ``max_dead_fraction`` of all slots, the index is rebuilt from the live vectors (IVF is retrained then).
* ``allowed`` becomes a bitmap of eligible slots. Small eligible sets (``<= exact_below``) are scored
  exactly; otherwise FAISS searches with the bitmap, and any row that came back with fewer than
  ``min(k, eligible)`` hits is redone exactly over the eligible vectors, so the contract holds exactly.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Self

import numpy as np

from matcher.errors import IndexError_
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
from matcher.retrieval.slots import SlotMap
from matcher.retrieval.storage import (
    Manifest,
    Writer,
    data_path,
    npy_writer,
    read_manifest,
    save_bundle,
    verify,
)

try:
    import faiss as _faiss
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "未安装 faiss：请运行 pip install faiss-cpu，或设置 MATCHER_RETRIEVER=numpy 使用纯 NumPy 精确检索"
    ) from exc

faiss: Any = _faiss  # faiss's bundled stubs lag its SWIG API (SearchParameters kwargs, PyCallbackIOWriter)

_CHUNK = 65_536  # vectors reconstructed per block in exact scoring and rebuilds


def set_threads(n: int) -> None:
    """Cap FAISS's OpenMP threads (on a shared 2-core machine, 1-2; OpenMP's default oversubscribes)."""
    faiss.omp_set_num_threads(max(1, int(n)))


class FaissRetriever(Retriever):
    """Shared machinery; subclasses choose the FAISS index and its search parameters."""

    kind: ClassVar[str] = "faiss"

    def __init__(self, dim: int, *, exact_below: int = 20_000, max_dead_fraction: float = 0.2) -> None:
        if int(dim) < 1:
            raise ValueError(f"dim 必须为正整数，实际为 {dim!r}")
        self._dim = int(dim)
        self.exact_below = int(exact_below)
        self.max_dead_fraction = float(max_dead_fraction)
        self._index: Any = None
        self._slots = SlotMap()
        self._live_bitmap: np.ndarray | None = None

    def _new_index(self, vectors: np.ndarray) -> Any:
        raise NotImplementedError

    def _search_params(self, k: int, selector: Any) -> Any:
        return faiss.SearchParameters(sel=selector)

    def params(self) -> dict[str, float | int | str]:
        """Constructor arguments, recorded in the manifest so that ``load`` recreates the same backend."""
        return {"exact_below": self.exact_below, "max_dead_fraction": self.max_dead_fraction}

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return self._slots.n_live

    def ids(self) -> np.ndarray:
        return self._slots.keys.copy()

    @property
    def n_tombstones(self) -> int:
        """Dead slots awaiting the next compaction (removed or superseded vectors)."""
        return self._slots.n_dead

    def index(self, ids: IdsLike, vectors: np.ndarray) -> Self:
        new_ids = as_ids(ids)
        new_vectors = as_vectors(vectors, self._dim, new_ids.size)
        self._index, self._slots, self._live_bitmap = None, SlotMap(), None
        return self.add(new_ids, new_vectors)

    def add(self, ids: IdsLike, vectors: np.ndarray) -> Self:
        new_ids = as_ids(ids)
        new_vectors = as_vectors(vectors, self._dim, new_ids.size)
        if new_ids.size == 0:
            return self
        if self._index is None:
            self._index = self._new_index(new_vectors)
        self._index.add(new_vectors)
        self._slots.append(new_ids)
        self._live_bitmap = None
        self._maybe_compact()
        return self

    def remove(self, ids: IdsLike) -> int:
        removed = self._slots.kill(as_ids(ids, new=False))
        if removed:
            self._live_bitmap = None
            self._maybe_compact()
        return removed

    def search(self, queries: np.ndarray, k: int, allowed: IdsLike | None = None) -> SearchResults:
        q, k, eligible = as_vectors(queries, self._dim), check_k(k), as_allowed(allowed)
        cand = None if eligible is None else self._slots.lookup(eligible)
        cand = None if cand is None else cand[cand >= 0]
        n_cand = self._slots.n_live if cand is None else cand.size
        if n_cand == 0 or self._index is None:
            return empty_results(q.shape[0], k)
        if cand is not None and n_cand <= self.exact_below:
            return self._exact(q, k, cand)
        bitmap = self._bitmap(cand)
        selector = None if bitmap is None else faiss.IDSelectorBitmap(bitmap.size * 8, faiss.swig_ptr(bitmap))
        scores, slots = self._index.search(q, k, params=self._search_params(k, selector))
        result = top_k(np.where(slots >= 0, self._slots.labels[np.maximum(slots, 0)], -1), scores, k)
        short = (slots >= 0).sum(axis=1) < min(k, n_cand)
        if short.any():
            fill = self._exact(q[short], k, self._slots.slots if cand is None else cand)
            result.ids[short], result.scores[short] = fill.ids, fill.scores
        return result

    def _bitmap(self, cand: np.ndarray | None) -> np.ndarray | None:
        """Slots a search may return: the eligible ones, else the live ones (None when all are live)."""
        if cand is not None:
            return self._slots.bitmap(cand)
        if self._slots.n_dead == 0:
            return None
        if self._live_bitmap is None:
            self._live_bitmap = self._slots.bitmap()
        return self._live_bitmap

    def _reconstruct(self, slots: np.ndarray) -> np.ndarray:
        return self._index.reconstruct_batch(np.ascontiguousarray(slots, dtype=np.int64))

    def _exact(self, q: np.ndarray, k: int, slots: np.ndarray) -> SearchResults:
        """Exact top-k over the given live slots, scored block by block from the stored vectors."""
        best = empty_results(q.shape[0], k)
        for start in range(0, slots.size, _CHUNK):
            block = slots[start : start + _CHUNK]
            scores = q @ self._reconstruct(block).T
            labels = np.broadcast_to(self._slots.labels[block], scores.shape)
            best = top_k(np.concatenate([best.ids, labels], 1), np.concatenate([best.scores, scores], 1), k)
        return best

    def _maybe_compact(self) -> None:
        """Rebuild from live vectors once tombstones pass ``max_dead_fraction`` of all slots."""
        if not self._slots.n_dead or self._slots.n_dead <= self.max_dead_fraction * self._slots.ntotal:
            return
        keys, live = self._slots.keys.copy(), self._slots.slots
        blocks = [self._reconstruct(live[i : i + _CHUNK]) for i in range(0, live.size, _CHUNK)]
        self.index(keys, np.concatenate(blocks) if blocks else np.empty((0, self._dim), np.float32))

    def save(self, path: str | Path, *, model_id: str = "") -> Manifest:
        parts: dict[str, Writer] = {"slots": _slots_writer(self._slots)}
        if self._index is not None:
            parts["index"] = _index_writer(self._index)
        return save_bundle(
            path,
            parts,
            kind=self.kind,
            dim=self._dim,
            ids=self._slots.keys,
            model_id=model_id,
            params=self.params(),
        )

    @classmethod
    def load(cls, path: str | Path, *, mmap: bool = False) -> Self:
        manifest = read_manifest(path)
        if manifest.kind != cls.kind:
            raise IndexError_(f"索引类型为 {manifest.kind!r}，不能用 {cls.kind!r} 读取")
        out = cls(manifest.dim, **manifest.params)  # type: ignore[arg-type]
        saved = np.load(data_path(path, manifest, "slots"), allow_pickle=False).reshape(2, -1)
        out._slots = SlotMap.from_arrays(saved[0], saved[1].astype(bool))
        if "index" in manifest.files:
            # IO_FLAG_MMAP maps IVF lists, IO_FLAG_MMAP_IFC flat code arrays (flat and HNSW storage); the two
            # cannot be combined (the IVF lists reader then refuses the mapped file)
            ivf = cls.kind == "faiss-ivf"
            flags = (faiss.IO_FLAG_MMAP if ivf else faiss.IO_FLAG_MMAP_IFC) if mmap else 0
            out._index = faiss.read_index(str(data_path(path, manifest, "index")), flags)
        ntotal = 0 if out._index is None else int(out._index.ntotal)
        dim = manifest.dim if out._index is None else int(out._index.d)
        verify(manifest, kind=cls.kind, dim=dim, ids=out._slots.keys)
        if ntotal != out._slots.ntotal:
            raise IndexError_(f"FAISS 索引有 {ntotal} 个向量而 id 表有 {out._slots.ntotal} 个；请重建索引")
        return out


class FlatRetriever(FaissRetriever):
    """Exact search (``IndexFlatIP``): the default below ``exact_threshold``."""

    kind: ClassVar[str] = "faiss-flat"

    def _new_index(self, vectors: np.ndarray) -> Any:
        return faiss.IndexFlatIP(self._dim)


class HNSWRetriever(FaissRetriever):
    """Approximate search on an HNSW graph (``IndexHNSWFlat``); no training, good recall at scale.

    A search explores ``ef_search`` nodes (at least ``k``). ``ef_per_k`` > 0 caps that at ``ef_per_k · k``
    for callers that ask few results of many query vectors (candidate search: 30 names near each of
    dozens of graph products), whose cost follows the breadth, not ``k``: on 212,689 product names, k 30
    took 2.3 ms at breadth 512 and 0.8 ms at 128, with the same recall of the exact 30 (1.000).
    """

    kind: ClassVar[str] = "faiss-hnsw"

    def __init__(
        self,
        dim: int,
        *,
        m: int = 32,
        ef_search: int = 128,
        ef_construction: int = 40,
        ef_per_k: int = 0,
        **kw: Any,
    ) -> None:
        super().__init__(dim, **kw)
        self.m, self.ef_search, self.ef_construction = int(m), int(ef_search), int(ef_construction)
        self.ef_per_k = int(ef_per_k)

    def params(self) -> dict[str, float | int | str]:
        return super().params() | {
            "m": self.m,
            "ef_search": self.ef_search,
            "ef_construction": self.ef_construction,
            "ef_per_k": self.ef_per_k,
        }

    def breadth(self, k: int) -> int:
        """Nodes a search for ``k`` results explores.

        >>> HNSWRetriever(4, ef_search=512, ef_per_k=4).breadth(30), HNSWRetriever(4, ef_search=512).breadth(30)
        (120, 512)
        """
        wide = self.ef_search if self.ef_per_k <= 0 else min(self.ef_search, self.ef_per_k * k)
        return max(wide, k)

    def _new_index(self, vectors: np.ndarray) -> Any:
        index = faiss.IndexHNSWFlat(self._dim, self.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        return index

    def _search_params(self, k: int, selector: Any) -> Any:
        return faiss.SearchParametersHNSW(efSearch=self.breadth(k), sel=selector)


class IVFRetriever(FaissRetriever):
    """Approximate search in inverted lists (``IndexIVFFlat``), trained on a sample of the first vectors.

    ``nlist`` defaults to ~4·sqrt(n) of the vectors it is trained on (at most n/39, FAISS's minimum sample
    per centroid). It is fixed until the next full :meth:`index` or compaction, which retrain.

    ``codec``: ``flat`` keeps each vector as it is; ``sq8`` a byte per dimension (8-bit scalar quantizer): a
    quarter of the memory and of the scan, for callers that re-score what it finds exactly.

    ``nprobe``: lists searched per query; 0 (the default) searches one list in ``PROBE_SHARE``, so recall
    holds as the index grows (a fixed 16 of 3,994 lists found 0.72 of the exact 10 nearest of ~1M product
    names, ``docs/scale.md``).
    """

    kind: ClassVar[str] = "faiss-ivf"

    def __init__(self, dim: int, *, nprobe: int = 0, nlist: int = 0, codec: str = "flat", **kw: Any) -> None:
        super().__init__(dim, **kw)
        if codec not in CODECS:
            raise ValueError(f"未知的 IVF 向量编码 {codec!r}（可选：{'、'.join(CODECS)}）")
        self.nprobe, self.nlist, self.codec = int(nprobe), int(nlist), codec

    def params(self) -> dict[str, float | int | str]:
        return super().params() | {"nprobe": self.nprobe, "nlist": self.nlist, "codec": self.codec}

    def train(self, sample: np.ndarray) -> Self:
        """Empty the index and train its lists on ``sample``; ``add`` then fills them without retraining.

        Index shards saved from one trained retriever and loaded per shard share their lists, so their
        merged results equal one index's (``matcher.distributed``).
        """
        self._index, self._slots, self._live_bitmap = None, SlotMap(), None
        self._index = self._new_index(as_vectors(sample, self._dim))
        return self

    def _new_index(self, vectors: np.ndarray) -> Any:
        n = vectors.shape[0]
        nlist = min(self.nlist, n) if self.nlist else max(1, min(int(4 * math.sqrt(n)), n // 39))
        quantizer, ip = faiss.IndexFlatIP(self._dim), faiss.METRIC_INNER_PRODUCT
        if self.codec == "sq8":  # a byte per dimension: a quarter of the memory and of each list's scan
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, self._dim, nlist, faiss.ScalarQuantizer.QT_8bit, ip
            )
        else:
            index = faiss.IndexIVFFlat(quantizer, self._dim, nlist, ip)
        sample = np.random.default_rng(0).choice(n, size=min(n, nlist * 64), replace=False)
        index.train(vectors[np.sort(sample)])
        index.make_direct_map()  # lets exact fallbacks and rebuilds reconstruct vectors by slot
        return index

    def probes(self) -> int:
        """Lists searched per query: ``nprobe``, or one in ``PROBE_SHARE`` of the trained lists."""
        lists = 1 if self._index is None else int(self._index.nlist)
        return min(self.nprobe, lists) if self.nprobe else max(1, math.ceil(lists / PROBE_SHARE))

    def _search_params(self, k: int, selector: Any) -> Any:
        return faiss.SearchParametersIVF(nprobe=self.probes(), sel=selector)


PROBE_SHARE = 16  # IVF lists per list searched when nprobe is 0 (bench_candidates.py nprobe)
CODECS = ("flat", "sq8")


def _index_writer(index: Any) -> Writer:
    def write(handle: BinaryIO) -> None:
        faiss.write_index(index, faiss.PyCallbackIOWriter(handle.write))

    return write


def _slots_writer(slots: SlotMap) -> Writer:
    """Row 0: the store id of every slot; row 1: 1 if the slot is live, 0 if a tombstone (one .npy)."""
    return npy_writer(np.stack([slots.labels, slots.alive.astype(np.int64)]))
