"""A role of a shard search seen as a dense index over positions: what candidate search reads.

Shards key vectors by stable ids (``shards.stable_ids`` of a product name or an enterprise code); the
matching pool numbers its names and companies by position. ``PositionalShards`` translates: ids the pool
no longer holds are dropped (-1), and a name or company added after the build is not found by the shards
(the lexical channels still find it) until the next ``matcher index build``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from matcher.distributed.base import ShardSearch
from matcher.distributed.shards import stable_ids
from matcher.retrieval.base import SearchResults
from matcher.settings import Settings


class PositionalShards:
    """``search(queries, k)`` over the shards of ``role``, answering positions in ``keys``."""

    def __init__(self, shards: ShardSearch, role: str, keys: Sequence[str]) -> None:
        ids = stable_ids(keys)
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]
        self.shards, self.role = shards, role

    def __len__(self) -> int:
        return int(self._sorted.size)

    def search(self, queries: np.ndarray, k: int) -> SearchResults:
        found = self.shards.search(self.role, queries, k)
        if self._sorted.size == 0:
            return SearchResults(np.full_like(found.ids, -1), np.full_like(found.scores, -np.inf))
        at = np.minimum(np.searchsorted(self._sorted, found.ids), self._sorted.size - 1)
        held = (found.ids >= 0) & (self._sorted[at] == found.ids)
        positions = np.where(held, self._order[at], -1).astype(np.int64)
        return SearchResults(positions, np.where(held, found.scores, -np.inf).astype(np.float32))


@lru_cache(maxsize=4)
def _ray_shards(address: str) -> ShardSearch:
    from matcher.distributed.ray_serve import RayShards

    return RayShards(address=address or None)


def remote_index(role: str, keys: Sequence[str], settings: Settings) -> PositionalShards:
    """The Ray Serve shards of ``role`` (``Settings.dense_engine == "ray"``) over the pool's ``keys``."""
    return PositionalShards(_ray_shards(settings.ray_address), role, keys)
