"""The Ray engine: Ray Data feeds partitions of texts to a pool of encoder actors, which write Parquet vector
shards; index shards are filled by Ray tasks.

Each encoder actor loads the model once and encodes whole batches; it consults the shared embedding cache
first (``cache_dir``: a path every node can reach, or None), so texts encoded by any earlier run are read,
not recomputed. Without an address a local Ray is started here (``num_cpus`` CPUs, a small object store) and
shut down by :meth:`RayEngine.close`; with one (``ray://host:10001`` or ``host:6379``) the build joins that
cluster, whose nodes must all reach ``out`` (a shared file system).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from matcher.distributed.base import BuildEngine
from matcher.distributed.shards import RoleTexts
from matcher.distributed.vectors import PARTITIONS, build_shard, vector_table

try:
    import pyarrow as pa
    import ray
    import ray.data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("Ray 引擎需要安装 ray：pip install 'matcher[distributed]'") from exc

OBJECT_STORE_BYTES = 500 * 1024**2
PARTITION = 2048  # texts per Ray Data block (a partition of the registry)


def start_ray(address: str | None, *, num_cpus: int = 2) -> bool:
    """Connect to ``address``, or start a local Ray with ``num_cpus``; True when this call started it."""
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if address:
        ray.init(address=address, **options)
    else:
        ray.init(num_cpus=num_cpus, object_store_memory=OBJECT_STORE_BYTES, **options)
    return True


class EncodeBatch:
    """A Ray Data actor: one encoder per process, each batch of (id, text) rows turned into vector rows."""

    def __init__(self, encoder: str, cache_dir: str | None, n_shards: int) -> None:
        from matcher.encoders.factory import get_encoder

        self.encoder = get_encoder(encoder, cache_dir=None if cache_dir is None else Path(cache_dir))
        self.n_shards = n_shards

    def __call__(self, batch: Any) -> Any:
        """Vector rows of a batch (which may join the end of one role's partition to the next role's)."""
        texts = [str(t) for t in batch.column("text").to_pylist()]
        roles = np.asarray(batch.column("role").to_pylist())
        ids, vectors = batch.column("id").to_numpy(), self.encoder.encode(texts)
        tables = [
            vector_table(str(role), ids[roles == role], vectors[roles == role], self.n_shards)
            for role in dict.fromkeys(roles.tolist())
        ]
        return pa.concat_tables(tables)


@ray.remote(num_cpus=1)
def _fill(vectors_at: str, quantizer: str, shard: int, out: str, model_id: str) -> int:
    return build_shard(Path(vectors_at), Path(quantizer), shard, Path(out), model_id)


class RayEngine(BuildEngine):
    """Encodes with ``workers`` encoder actors (``batch_size`` texts per call) on Ray."""

    name: ClassVar[str] = "ray"

    def __init__(
        self,
        encoder: str,
        *,
        workers: int = 2,
        address: str | None = None,
        cache_dir: Path | None = None,
        batch_size: int = 512,
        num_cpus: int = 2,
    ) -> None:
        if workers < 1:
            raise ValueError(f"编码进程数必须为正整数，实际为 {workers!r}")
        self.encoder, self.workers, self.batch_size = encoder, int(workers), int(batch_size)
        self.cache_dir = None if cache_dir is None else str(cache_dir)
        self._started = start_ray(address, num_cpus=num_cpus)
        ray.data.DataContext.get_current().enable_progress_bars = False

    def encode(self, texts: Mapping[str, RoleTexts], out: Path, n_shards: int) -> None:
        blocks = [
            pa.table(
                {"role": [role] * len(chunk), "id": pa.array(part.ids[i : i + PARTITION]), "text": chunk}
            )
            for role, part in texts.items()
            for i in range(0, len(part.texts), PARTITION)
            if (chunk := part.texts[i : i + PARTITION])
        ]
        ray.data.from_arrow(blocks).map_batches(
            EncodeBatch,
            fn_constructor_kwargs={
                "encoder": self.encoder,
                "cache_dir": self.cache_dir,
                "n_shards": n_shards,
            },
            batch_size=min(self.batch_size, PARTITION),
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=1,
        ).write_parquet(
            str(out),
            partition_cols=PARTITIONS,
            # writing needs no CPU of its own: were it to ask for one, the encoder actors (which hold every
            # CPU) would keep it waiting, their output would fill the object store and the build would stall
            ray_remote_args={"num_cpus": 0},
        )

    def fill_shards(
        self, vectors_at: Path, quantizer: Path, outs: Sequence[Path], model_id: str
    ) -> list[int]:
        jobs = [
            _fill.remote(str(vectors_at), str(quantizer), s, str(out), model_id) for s, out in enumerate(outs)
        ]
        return [int(n) for n in ray.get(jobs)]

    def close(self) -> None:
        if self._started:
            ray.shutdown()
            self._started = False
