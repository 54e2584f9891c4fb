"""Index shards: one vector space split by id into N FAISS indexes that share one trained quantizer.

A shard build writes, into one directory::

    manifest.json                      # ShardManifest: encoder, dimension, shard count, roles, timings
    vectors/role=<r>/shard=<s>/*.parquet # the vectors with their ids (columns id, vector)
    quantizer/<role>/                  # the IVF lists trained once on a sample (an empty IVFRetriever)
    <role>/shard-<s>/                  # shard s of the role's index (a matcher.retrieval save bundle)

Roles: ``names`` (the registry's distinct product names) and ``profiles`` (one text per enterprise). Ids are
:func:`stable_ids` of the name, or of the enterprise's code, so every process and every node agrees on them
without a lookup table; an id lives in shard ``id % n_shards``. All shards are filled from one trained
quantizer, so the lists a query probes are the same in every shard and the merged top-k of the shards
(:func:`merge`) equals the top-k of one index over all vectors.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from matcher.errors import IndexError_
from matcher.retrieval.base import SearchResults, top_k
from matcher.retrieval.storage import fsync_dir
from matcher.text.profiles import ProfileDoc, enterprise_profile

ROLES = ("names", "profiles")
MANIFEST = "manifest.json"
FORMAT = 1
SAMPLE_PER_LIST = 64  # training vectors per IVF list (FAISS warns below 39)


def stable_ids(texts: Iterable[str]) -> np.ndarray:
    """Non-negative int64 ids from the first 8 bytes of BLAKE2b of each text (the same on every node)."""
    out = [
        int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little") for t in texts
    ]
    return (np.asarray(out, dtype=np.uint64) & np.uint64(0x7FFF_FFFF_FFFF_FFFF)).astype(np.int64)


@dataclass(frozen=True)
class RoleTexts:
    """The texts of one role to encode, with their ids."""

    ids: np.ndarray
    texts: list[str]


def role_texts(docs: Iterable[ProfileDoc]) -> dict[str, RoleTexts]:
    """Distinct product names (first appearance order) and one profile per enterprise, as matching reads them.

    >>> t = role_texts([ProfileDoc("1", "甲", (("硫酸", 1.0),)), ProfileDoc("2", "乙", (("硫酸", 1.0),))])
    >>> t["names"].texts, t["profiles"].texts
    (['硫酸'], ['硫酸', '硫酸'])
    """
    docs = list(docs)
    names = list(dict.fromkeys(name for doc in docs for name, _ in doc.products))
    return {
        "names": RoleTexts(stable_ids(names), names),
        "profiles": RoleTexts(stable_ids(d.id for d in docs), [enterprise_profile(d) for d in docs]),
    }


@dataclass(frozen=True)
class RoleInfo:
    count: int
    nlist: int  # IVF lists of this role's quantizer, shared by its shards
    shards: list[str]  # index directory of each shard, relative to the build directory
    vectors: str  # the Parquet vector shards of this role


@dataclass(frozen=True)
class ShardManifest:
    """What a shard build holds and how it was made (``engine``: local or ray, ``workers``, ``seconds``)."""

    model_id: str
    dim: int
    n_shards: int
    nprobe: int
    engine: str
    workers: int
    roles: dict[str, RoleInfo]
    seconds: dict[str, float] = field(default_factory=dict)
    created: str = ""
    format: int = FORMAT

    def write(self, directory: Path) -> None:
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2)
        (directory / MANIFEST).write_text(text, encoding="utf-8")


def read_shard_manifest(directory: str | Path) -> ShardManifest:
    """The manifest of a shard build, refused in Chinese when missing or of another format."""
    path = Path(directory) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["roles"] = {role: RoleInfo(**info) for role, info in data["roles"].items()}
        manifest = ShardManifest(**data)
    except FileNotFoundError as exc:
        raise IndexError_(f"找不到分片索引清单 {path}：请先运行 matcher index build") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexError_(f"分片索引清单 {path} 已损坏：{exc}；请重新运行 matcher index build") from exc
    if manifest.format != FORMAT:
        raise IndexError_(f"分片索引格式 {manifest.format!r} 不受支持（当前为 {FORMAT}）；请重建")
    return manifest


def nlist_for(n: int) -> int:
    """IVF lists for ``n`` vectors: ~4·sqrt(n), at least 1, at most n / 39 (FAISS's minimum per list)."""
    return max(1, min(int(4 * math.sqrt(n)), n // 39))


def training_ids(ids: np.ndarray, nlist: int) -> np.ndarray:
    """The ids whose vectors train the quantizer: ``nlist * 64`` drawn with a fixed seed from the sorted ids,
    so every engine and worker count trains on the same sample."""
    ordered = np.sort(np.asarray(ids, dtype=np.int64))
    size = min(ordered.size, nlist * SAMPLE_PER_LIST)
    return np.sort(np.random.default_rng(0).choice(ordered, size=size, replace=False))


def merge(results: Sequence[SearchResults], k: int) -> SearchResults:
    """The ``k`` best of the shards' results per query (ids are disjoint across shards)."""
    ids = np.concatenate([r.ids for r in results], axis=1)
    scores = np.concatenate([r.scores for r in results], axis=1)
    return top_k(ids, scores, k)


def shard_dir(role: str, shard: int) -> str:
    return f"{role}/shard-{shard}"


def vectors_dir(role: str) -> str:
    return f"vectors/role={role}"


def scratch_dir(out: Path) -> Path:
    """A fresh directory beside ``out`` to build into (same file system, so the final rename is atomic)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    path.mkdir()
    return path


def publish(tmp: Path, out: Path) -> None:
    """Swap the finished build ``tmp`` in for ``out``: readers see the old build or the new, never a mix.

    Two renames (old out aside, tmp into place): a crash between them leaves ``out`` absent and both builds
    on disk beside it, never a half-written ``out``.
    """
    old = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    fsync_dir(out.parent)
    shutil.rmtree(old, ignore_errors=True)


def created_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
