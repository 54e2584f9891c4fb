"""Bookkeeping between the store's int64 ids and FAISS's internal slots (0..ntotal-1), with tombstones.

FAISS's HNSW cannot remove vectors, and an upsert must hide the old copy of a vector whose id is the same as
the new one's, which a filter on external ids cannot tell apart. So the FAISS backends add vectors without
ids, keep here the external id of every slot and a live flag, and filter dead slots at search time with a
bitmap over slots. Live ids are also kept sorted (``keys`` with their ``slots``) so that translating an
``allowed`` set or an upsert batch is a vectorized binary search, never a Python loop.
"""

from __future__ import annotations

from typing import Self

import numpy as np


class SlotMap:
    """External id of each slot, which slots are live, and a sorted index of the live ids."""

    def __init__(self) -> None:
        self.labels = np.empty(0, dtype=np.int64)  # external id per slot
        self.alive = np.empty(0, dtype=bool)  # live flag per slot
        self.keys = np.empty(0, dtype=np.int64)  # live external ids, sorted
        self.slots = np.empty(0, dtype=np.int64)  # slot of each key

    @classmethod
    def from_arrays(cls, labels: np.ndarray, alive: np.ndarray) -> Self:
        """Rebuild from saved per-slot arrays."""
        out = cls()
        out.labels = np.asarray(labels, dtype=np.int64).copy()
        out.alive = np.asarray(alive, dtype=bool).copy()
        live = np.flatnonzero(out.alive)
        order = np.argsort(out.labels[live], kind="stable")
        out.keys, out.slots = out.labels[live][order], live[order].astype(np.int64)
        return out

    @property
    def ntotal(self) -> int:
        return int(self.labels.size)

    @property
    def n_live(self) -> int:
        return int(self.keys.size)

    @property
    def n_dead(self) -> int:
        return self.ntotal - self.n_live

    def _find(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position in ``keys`` of each id (clipped) and whether the id is really there."""
        if self.keys.size == 0:
            return np.zeros(ids.shape, dtype=np.int64), np.zeros(ids.shape, dtype=bool)
        pos = np.minimum(np.searchsorted(self.keys, ids), self.keys.size - 1)
        return pos, self.keys[pos] == ids

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """Slot of each id, or -1 where the id is not live."""
        ids = np.asarray(ids, dtype=np.int64)
        pos, found = self._find(ids)
        return np.where(found, self.slots[pos] if self.keys.size else -1, -1).astype(np.int64)

    def kill(self, ids: np.ndarray) -> int:
        """Mark the live slots of these ids dead; returns how many were live."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        pos, found = self._find(ids)
        hit = pos[found]
        self.alive[self.slots[hit]] = False
        self.keys, self.slots = np.delete(self.keys, hit), np.delete(self.slots, hit)
        return int(found.sum())

    def append(self, ids: np.ndarray) -> int:
        """Give unique ``ids`` the next slots (upsert: earlier slots of the same ids die); returns replaced."""
        ids = np.asarray(ids, dtype=np.int64)
        replaced = self.kill(ids)
        new_slots = np.arange(self.ntotal, self.ntotal + ids.size, dtype=np.int64)
        self.labels = np.concatenate([self.labels, ids])
        self.alive = np.concatenate([self.alive, np.ones(ids.size, dtype=bool)])
        order = np.argsort(ids, kind="stable")
        pos = np.searchsorted(self.keys, ids[order])
        self.keys = np.insert(self.keys, pos, ids[order])
        self.slots = np.insert(self.slots, pos, new_slots[order])
        return replaced

    def bitmap(self, slots: np.ndarray | None = None) -> np.ndarray:
        """Packed little-endian bitmap over slots (FAISS ``IDSelectorBitmap``): live ones, or ``slots``."""
        if slots is None:
            return np.packbits(self.alive, bitorder="little")
        mask = np.zeros(self.ntotal, dtype=bool)
        mask[slots] = True
        return np.packbits(mask, bitorder="little")
