"""The persistent search index that follows the store: product vectors and demand vectors, with fingerprints.

Example::

    index = SearchIndex.open(settings, get_encoder(settings.encoder, cache_dir=settings.cache_dir))
    drift = index.plan(store)          # what the store changed since the last save
    index.apply(drift, store)          # encode only those texts, add/remove, save atomically
    hits = index.search_products(encode_queries(encoder, ["锂电池隔膜"]), k=50, allowed_enterprises={3, 7})

Encoding goes through the encoder it is given; with a ``CachedEncoder`` (``get_encoder(..., cache_dir=)``)
texts seen before by the same model cost nothing, so a rebuild of an unchanged store encodes nothing new.
One writer at a time: :meth:`sync` and :meth:`rebuild` hold the directory lock and reload a version that
another process committed meanwhile.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from matcher.encoders.base import Encoder
from matcher.errors import IndexError_
from matcher.retrieval import Retriever, SearchResults, load_retriever, make_retriever
from matcher.retrieval.storage import CURRENT, commit, current_version, link_tree, locked, new_version
from matcher.search import storage
from matcher.search.drift import Drift, KindDrift, kind_drift
from matcher.search.texts import (
    KINDS,
    SLOTS,
    KindName,
    StoreTexts,
    fingerprints,
    owners,
    store_texts,
    vector_ids,
)
from matcher.settings import Settings
from matcher.store import Store

ProgressFn = Callable[[int, int], None]  # (texts done, texts to encode)
ENCODE_CHUNK = 256


class Applied(NamedTuple):
    """What one apply did: the drift it mended, texts sent to the encoder, vectors added and removed."""

    drift: Drift
    texts: int
    added: int
    removed: int


class ProductHits(NamedTuple):
    """Top-k product vectors per query: ids (q, k) padded with -1, and the enterprise and position of each."""

    ids: np.ndarray
    enterprise_ids: np.ndarray
    positions: np.ndarray
    scores: np.ndarray


class SearchIndex:
    """Two retrievers (products, demands) and the fingerprints of the texts behind their vectors."""

    def __init__(self, settings: Settings, encoder: Encoder, *, root: Path | None = None) -> None:
        self.settings = settings
        self.encoder = encoder
        self.root = Path(root or settings.index_dir)
        self._clear()

    def _clear(self) -> None:
        """Forget everything held: no version, empty retrievers and fingerprints."""
        self.version: str | None = None  # committed version this instance mirrors
        self.on_disk: str | None = None  # the version CURRENT named when this instance last read or wrote it
        self.reset = False  # the saved index came from another encoder and was set aside
        self.created = ""
        self.retrievers: dict[KindName, Retriever | None] = {k: None for k in KINDS}
        self.fingerprints: dict[KindName, dict[int, str]] = {k: {} for k in KINDS}
        self._dirty: set[KindName] = set()

    # -- opening and saving -------------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, encoder: Encoder, *, root: Path | None = None) -> SearchIndex:
        """The saved index under ``settings.index_dir``, or an empty one (``reset`` if another model made it)."""
        index = cls(settings, encoder, root=root)
        index._load()
        return index

    @staticmethod
    def exists(root: Path) -> bool:
        """Whether an index was ever committed under ``root``."""
        return (root / CURRENT).is_file()

    def _load(self) -> None:
        self._clear()
        version = current_version(self.root)
        if version is None:
            return
        self.on_disk = version.name
        table = storage.read_fingerprints(version)
        if table.model_id != self.encoder.model_id:
            self.reset = True  # vectors of another model (maybe another dim): everything is re-encoded
            return
        for kind in KINDS:
            self.retrievers[kind] = load_retriever(version / kind, model_id=self.encoder.model_id)
            self.fingerprints[kind] = dict(table.of(kind))
        self.version, self.created = version.name, table.created
        self.verify()

    def verify(self) -> None:
        """Refuse an index whose vectors and fingerprints name different records (IndexError_)."""
        for kind in KINDS:
            r = self.retrievers[kind]
            held = set() if r is None else set(np.unique(owners(kind, r.ids())).tolist())
            if held != set(self.fingerprints[kind]):
                raise IndexError_(
                    f"索引的{_LABELS[kind]}向量与指纹表不一致（{len(held)} 与 {len(self.fingerprints[kind])} 条）；"
                    "请运行 matcher index --rebuild"
                )

    def save(self) -> None:
        """Write a new version (unchanged kinds hard-linked from the current one) and commit it atomically."""
        previous = None if self.version is None else self.root / self.version
        new = new_version(self.root)
        try:
            for kind in KINDS:
                if previous is not None and kind not in self._dirty:
                    link_tree(previous / kind, new / kind)
                else:
                    self._retriever(kind, 0).save(new / kind, model_id=self.encoder.model_id)
            table = storage.FingerprintTable(
                self.encoder.model_id, self.fingerprints["products"], self.fingerprints["demands"]
            )
            storage.write_fingerprints(new, table)
            commit(self.root, new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            self.on_disk = None  # memory is ahead of disk now: the next refresh() reloads the committed one
            raise
        self.version = self.on_disk = new.name
        self.reset = False
        self._dirty.clear()

    # -- drift ----------------------------------------------------------------------------------------------

    def plan(self, store: Store, texts: StoreTexts | None = None) -> Drift:
        """Compare the saved fingerprints with the store's current texts."""
        texts = texts or store_texts(store)
        drifts = {k: kind_drift(k, self.fingerprints[k], fingerprints(texts.of(k))) for k in KINDS}
        return Drift(drifts["products"], drifts["demands"], self.encoder.model_id, self.reset)

    def apply(
        self,
        drift: Drift,
        store: Store,
        *,
        texts: StoreTexts | None = None,
        on_progress: ProgressFn | None = None,
    ) -> Applied:
        """Mend ``drift``: encode the texts of missing and stale records (as the store has them now), drop
        the vectors of stale and orphaned ones, add the new ones, and save when anything changed."""
        texts = texts or store_texts(store)
        batches = {k: _batch(k, drift.of(k), texts.of(k)) for k in KINDS}
        total = sum(len(b[1]) for b in batches.values())
        vectors = self._encode([t for b in batches.values() for t in b[1]], on_progress, total)
        added = removed = start = 0
        for kind in KINDS:
            ids, chunk, current = batches[kind]
            removed += self._drop(kind, (*drift.of(kind).stale, *drift.of(kind).orphaned))
            self._retriever(kind, sum(len(t) for t in texts.of(kind).values())).add(
                ids, vectors[start : start + len(chunk)]
            )
            start += len(chunk)
            added += len(chunk)
            self.fingerprints[kind].update(current)
            if drift.of(kind).total:
                self._dirty.add(kind)
        if self._dirty or drift.reset or self.version is None:
            self.save()
        return Applied(drift, total, added, removed)

    def sync(self, store: Store, *, on_progress: ProgressFn | None = None) -> Applied:
        """Plan and apply under the directory lock (reloading first if another process saved meanwhile)."""
        with locked(self.root):
            self.refresh()
            texts = store_texts(store)
            return self.apply(self.plan(store, texts), store, texts=texts, on_progress=on_progress)

    def rebuild(self, store: Store, *, on_progress: ProgressFn | None = None) -> Applied:
        """Start from empty retrievers (backend chosen for the current size) and encode everything."""
        with locked(self.root):
            self._clear()  # no version: the save writes both kinds afresh and its commit drops the old one
            texts = store_texts(store)
            return self.apply(self.plan(store, texts), store, texts=texts, on_progress=on_progress)

    def refresh(self) -> None:
        """Reload from disk when another process committed a newer version than this instance holds."""
        version = current_version(self.root)
        if (None if version is None else version.name) != self.on_disk:
            self._load()

    # -- search ---------------------------------------------------------------------------------------------

    def search_products(
        self, queries: np.ndarray, k: int, allowed_enterprises: Sequence[int] | set[int] | None = None
    ) -> ProductHits:
        """The ``k`` nearest product vectors per query row, only of ``allowed_enterprises`` when given."""
        r = self._retriever("products", 0)
        allowed = None
        if allowed_enterprises is not None:
            held = r.ids()
            allowed = held[np.isin(owners("products", held), np.asarray(list(allowed_enterprises), np.int64))]
        hits = r.search(queries, k, allowed=allowed)
        pad = hits.ids < 0
        return ProductHits(
            hits.ids,
            np.where(pad, -1, hits.ids // SLOTS),
            np.where(pad, -1, hits.ids % SLOTS),
            hits.scores,
        )

    def search_demands(
        self, queries: np.ndarray, k: int, allowed: Sequence[int] | set[int] | None = None
    ) -> SearchResults:
        """The ``k`` nearest demands per query row (ids are demand ids), only among ``allowed`` when given."""
        return self._retriever("demands", 0).search(queries, k, allowed=allowed)

    def held(self, kind: KindName) -> int:
        """Vectors held for ``kind``."""
        r = self.retrievers[kind]
        return 0 if r is None else len(r)

    def backend(self, kind: KindName) -> str:
        r = self.retrievers[kind]
        return "—" if r is None else r.kind

    # -- internals ------------------------------------------------------------------------------------------

    def _retriever(self, kind: KindName, expected_size: int) -> Retriever:
        r = self.retrievers[kind]
        if r is None:
            r = make_retriever(
                self.settings.retriever, self.encoder.dim, self.settings, expected_size=expected_size
            )
            self.retrievers[kind] = r
        return r

    def _drop(self, kind: KindName, record_ids: Sequence[int]) -> int:
        """Remove every vector of these records; returns how many were held."""
        r = self.retrievers[kind]
        if r is None or not record_ids:
            return 0
        for i in record_ids:
            self.fingerprints[kind].pop(i, None)
        held = r.ids()
        return r.remove(held[np.isin(owners(kind, held), np.asarray(record_ids, np.int64))])

    def _encode(self, texts: list[str], on_progress: ProgressFn | None, total: int) -> np.ndarray:
        parts = [np.zeros((0, self.encoder.dim), dtype=np.float32)]
        for start in range(0, len(texts), ENCODE_CHUNK):
            parts.append(self.encoder.encode(texts[start : start + ENCODE_CHUNK]))
            if on_progress is not None:
                on_progress(min(start + ENCODE_CHUNK, total), total)
        return np.vstack(parts).astype(np.float32)


_LABELS: dict[KindName, str] = {"products": "产品", "demands": "需求"}


def _batch(
    kind: KindName, drift: KindDrift, texts: dict[int, tuple[str, ...]]
) -> tuple[np.ndarray, list[str], dict[int, str]]:
    """(vector ids, texts to encode, their records' new fingerprints) for the missing and stale records that
    the store still has."""
    ids: list[np.ndarray] = [np.empty(0, np.int64)]
    flat: list[str] = []
    wanted = {i: texts[i] for i in drift.to_encode if i in texts}
    for i, t in wanted.items():
        ids.append(vector_ids(kind, i, len(t)))
        flat.extend(t)
    return np.concatenate(ids), flat, fingerprints(wanted)
