"""The single-process engine and shard search: the reference the Ray paths are compared against.

``LocalEngine`` encodes in this process, chunk by chunk, through the shared embedding cache (texts already
embedded by this model are read, not recomputed), and fills the index shards one after another.
``LocalShards`` loads every shard of a build and merges their answers, as the Ray Serve router does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from matcher.distributed.base import BuildEngine, ShardSearch
from matcher.distributed.shards import RoleTexts, merge, read_shard_manifest
from matcher.distributed.vectors import build_shard, vector_table, write_vectors
from matcher.encoders.factory import get_encoder
from matcher.retrieval.base import Retriever, SearchResults
from matcher.retrieval.factory import load_retriever

CHUNK = 4096  # texts encoded and written per step: bounds memory, and a cache keeps what was done


class LocalEngine(BuildEngine):
    """Encodes with one encoder in this process (``cache_dir``: the shared embedding cache, or None)."""

    name: ClassVar[str] = "local"

    def __init__(self, encoder: str, *, cache_dir: Path | None = None) -> None:
        self.encoder = get_encoder(encoder, cache_dir=cache_dir)
        self.workers = 1

    def encode(self, texts: Mapping[str, RoleTexts], out: Path, n_shards: int) -> None:
        for role, part in texts.items():
            for start in range(0, len(part.texts), CHUNK):
                vectors = self.encoder.encode(part.texts[start : start + CHUNK])
                table = vector_table(role, part.ids[start : start + CHUNK], vectors, n_shards)
                write_vectors(out, table, f"{role}-{start}")

    def fill_shards(
        self, vectors_at: Path, quantizer: Path, outs: Sequence[Path], model_id: str
    ) -> list[int]:
        return [build_shard(vectors_at, quantizer, s, out, model_id) for s, out in enumerate(outs)]

    def close(self) -> None:
        """Nothing to release: the encoder lives as long as the engine."""


class LocalShards(ShardSearch):
    """Every shard of the build in ``directory``, searched in this process and merged."""

    def __init__(self, directory: str | Path) -> None:
        directory = Path(directory)
        self.manifest = read_shard_manifest(directory)
        self.shards: dict[str, list[Retriever]] = {
            role: [load_retriever(directory / path) for path in info.shards]
            for role, info in self.manifest.roles.items()
        }

    def search(self, role: str, queries: np.ndarray, k: int) -> SearchResults:
        return merge([shard.search(queries, k) for shard in self.shards[role]], k)

    def count(self, role: str) -> int:
        return sum(len(shard) for shard in self.shards.get(role, []))
