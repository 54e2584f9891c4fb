"""Vector shards in Parquet (columns ``id`` int64, ``vector`` fixed-size list of float32), partitioned by
role and shard (``role=<r>/shard=<s>/`` folders, as Ray Data's ``write_parquet(partition_cols=[...])`` writes
them), and the index shards built from them.

Both build engines write the same files; the functions here read them back and are run once per index shard,
in process (``local``) or as a Ray task (``ray``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from matcher.retrieval.faiss import IVFRetriever

try:
    import pyarrow as pa
    import pyarrow.dataset as pads
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("分布式建索引需要 pyarrow：pip install 'matcher[distributed]'") from exc

PARTITIONS = ["role", "shard"]


def vector_table(role: str, ids: np.ndarray, vectors: np.ndarray, n_shards: int) -> Any:
    """One Arrow table of vectors with their role, ids and shard numbers."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    flat = pa.array(vectors.reshape(-1), type=pa.float32())
    return pa.table(
        {
            "role": pa.array([role] * len(ids), type=pa.string()),
            "id": pa.array(ids, type=pa.int64()),
            "shard": pa.array(np.asarray(ids, dtype=np.int64) % n_shards, type=pa.int32()),
            "vector": pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]),
        }
    )


def write_vectors(directory: Path, table: Any, part: str) -> None:
    """Write ``table`` partitioned by role and shard (the layout Ray Data writes), in files named ``part``."""
    pads.write_dataset(
        table,
        directory,
        format="parquet",
        partitioning=PARTITIONS,
        partitioning_flavor="hive",
        existing_data_behavior="overwrite_or_ignore",
        basename_template=f"{part}-{{i}}.parquet",
    )


def read_vectors(directory: Path, *, shard: int | None = None, ids: np.ndarray | None = None) -> tuple:
    """Ids (int64) and vectors (float32, n x dim) from the vector shards, of one shard or of some ids,
    ordered by id."""
    dataset = pads.dataset(directory, format="parquet", partitioning="hive")
    where = None
    if shard is not None:
        where = pads.field("shard") == shard
    if ids is not None:
        member = pads.field("id").isin(pa.array(ids, type=pa.int64()))
        where = member if where is None else where & member
    table = dataset.to_table(columns=["id", "vector"], filter=where)
    found = table.column("id").to_numpy().astype(np.int64)
    column = table.column("vector").combine_chunks()
    dim = column.type.list_size
    vectors = column.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False).reshape(-1, dim)
    order = np.argsort(found, kind="stable")
    return found[order], vectors[order]


def train_quantizer(
    vectors_at: Path, ids: np.ndarray, out: Path, *, nlist: int, nprobe: int, model_id: str
) -> None:
    """Train the IVF lists on the vectors of ``ids`` and save the empty trained index at ``out``."""
    _, sample = read_vectors(vectors_at, ids=ids)
    IVFRetriever(sample.shape[1], nprobe=nprobe, nlist=nlist).train(sample).save(out, model_id=model_id)


def build_shard(vectors_at: Path, quantizer: Path, shard: int, out: Path, model_id: str) -> int:
    """Fill a copy of the trained quantizer with the vectors of ``shard`` and save it; returns the count."""
    ids, vectors = read_vectors(vectors_at, shard=shard)
    retriever = IVFRetriever.load(quantizer).add(ids, vectors)
    retriever.save(out, model_id=model_id)
    return len(ids)
