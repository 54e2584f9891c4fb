"""The two seams of scale-out: a build engine that encodes and indexes, and a shard search that serves.

``BuildEngine`` does the two parallel steps of a shard build (encoding texts into vector shards, filling
index shards); :func:`matcher.distributed.build.build_shards` drives either engine through the same steps,
so the single-process engine (``local``) is the reference the Ray engine (``ray``) is checked against.
``ShardSearch`` answers top-k over every shard of a role: in process (``LocalShards``) or through the
router of a Ray Serve application (``matcher.distributed.ray_serve.RayShards``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from matcher.distributed.shards import RoleTexts
from matcher.retrieval.base import SearchResults


class BuildEngine(ABC):
    """Runs the parallel steps of a shard build; ``workers`` is the number of encoder processes."""

    name: ClassVar[str]
    workers: int

    @abstractmethod
    def encode(self, texts: Mapping[str, RoleTexts], out: Path, n_shards: int) -> None:
        """Encode every role's texts (as documents) into Parquet vector shards ``out/role=<r>/shard=<s>/``."""

    @abstractmethod
    def fill_shards(
        self, vectors_at: Path, quantizer: Path, outs: Sequence[Path], model_id: str
    ) -> list[int]:
        """Build index shard ``s`` at ``outs[s]`` from the vectors of shard ``s``; returns the counts."""

    @abstractmethod
    def close(self) -> None:
        """Release what the engine started (a local Ray)."""


class ShardSearch(ABC):
    """Top-k inner-product search over all shards of a role (``names`` or ``profiles``)."""

    @abstractmethod
    def search(self, role: str, queries: np.ndarray, k: int) -> SearchResults:
        """The ``k`` best stable ids per query row over every shard, merged."""

    @abstractmethod
    def count(self, role: str) -> int:
        """Vectors held for ``role`` over all shards."""
