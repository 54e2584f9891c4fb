"""An embedding cache keyed by (model_id, role, sha1(text)), stored in SQLite under ``settings.cache_dir``.

Wrapping an encoder in ``CachedEncoder`` makes re-encoding unchanged texts free: only texts not yet
seen by that model are sent to it. Queries and documents are cached apart because asymmetric models
(e5) embed them differently. Missing texts are encoded chunk by chunk in an order of the process's own, and
each chunk is looked up again just before it is encoded, so several processes filling one shared cache
(benchmarks under load) split the work instead of each encoding everything.

Large lists (a pool's distinct product names: ~1.1M at 100k realistic enterprises, 2.2 GB of float32)
come back as a read-only memory map of a vector file, ``vectors/<model>-<role>-<sha1 of the list>.npy``
beside the cache: the first process to ask writes it (chunk by chunk from the cache, under a file lock),
every other worker and every restart maps the same file, so the operating system's page cache holds one
copy for all of them and nothing is encoded or gathered twice. The newest ``KEEP_FILES`` files per model
and role are kept (a process still mapping a deleted one keeps reading it).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.retrieval.storage import locked

_SCHEMA = "CREATE TABLE IF NOT EXISTS emb (model TEXT, role TEXT, key TEXT, vec BLOB, PRIMARY KEY (model, role, key))"


def text_key(text: str) -> str:
    """The cache key of a text: sha1 of its UTF-8 bytes."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model_id, role, text key) in one SQLite file; safe to share between threads (the API
    serves requests from a thread pool), one statement at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
        with self._lock:
            self._db.execute(_SCHEMA)

    def get(self, model_id: str, role: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._db.execute(
                    f"SELECT key, vec FROM emb WHERE model=? AND role=? AND key IN ({marks})",
                    [model_id, role, *chunk],
                ).fetchall()
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def put(self, model_id: str, role: str, keys: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (model_id, role, k, np.asarray(v, dtype=np.float32).tobytes())
            for k, v in zip(keys, vectors, strict=True)
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        self._db.close()


MAP_FROM = 50_000  # texts from which ``CachedEncoder`` answers with a memory-mapped vector file
KEEP_FILES = 3  # vector files kept per model and role (a changed pool writes a new one)


def list_key(texts: Sequence[str]) -> str:
    """The sha1 of a list of texts, in order (NUL-separated UTF-8)."""
    digest = hashlib.sha1()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class CachedEncoder:
    """An encoder whose vectors are looked up in an ``EmbeddingCache`` before being computed.

    ``map_from`` texts or more are answered with a read-only memory map of a shared vector file (module
    doc); 0 turns vector files off.
    """

    def __init__(
        self, encoder: Encoder, cache: EmbeddingCache, chunk: int = 2048, map_from: int = MAP_FROM
    ) -> None:
        self.encoder = encoder
        self.chunk = chunk
        self.cache = cache
        self.map_from = map_from
        self.model_id = encoder.model_id
        self.dim = encoder.dim
        self._order = random.Random(os.getpid())

    def _cached(self, texts: Sequence[str], role: str) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found = self.cache.get(self.model_id, role, list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        starts = list(range(0, len(missing), self.chunk))
        self._order.shuffle(starts)  # processes sharing the cache mostly take different chunks
        for n, start in enumerate(starts):  # stored chunk by chunk: long runs resume
            part = missing[start : start + self.chunk]
            if n:  # the first chunk was just looked up; later ones may have been stored meanwhile
                found.update(self.cache.get(self.model_id, role, [text_key(t) for t in part]))
                part = [t for t in part if text_key(t) not in found]
                if not part:
                    continue
            fresh = encode_queries(self.encoder, part) if role == "q" else self.encoder.encode(part)
            new_keys = [text_key(t) for t in part]
            self.cache.put(self.model_id, role, new_keys, fresh)
            found.update(zip(new_keys, fresh, strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def _mapped(self, texts: Sequence[str], role: str) -> np.ndarray:
        """The vectors of ``texts`` as a read-only memory map of their vector file, written first if missing."""
        folder = self.cache.path.parent / "vectors"
        prefix = f"{self.model_id.replace('/', '_')}-{role}-"
        path = folder / f"{prefix}{list_key(texts)}.npy"
        with locked(folder):
            if not path.exists():
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                out = np.lib.format.open_memmap(
                    tmp, mode="w+", dtype=np.float32, shape=(len(texts), self.dim)
                )
                step = max(self.chunk, 16_384)
                for start in range(0, len(texts), step):
                    out[start : start + step] = self._cached(texts[start : start + step], role)
                out.flush()
                del out
                os.replace(tmp, path)
                older = sorted(folder.glob(f"{prefix}*.npy"), key=lambda p: p.stat().st_mtime)[:-KEEP_FILES]
                for stale in older:  # with the indexes built over it (``matcher.retrieval.candidates``)
                    stale.unlink(missing_ok=True)
                    for built in folder.glob(f"{stale.stem}.*"):
                        shutil.rmtree(built, ignore_errors=True)
            else:
                path.touch()  # in use: the newest are kept
        return np.load(path, mmap_mode="r")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Document vectors, computed only for texts the cache lacks (a memory map from ``map_from`` texts)."""
        if self.map_from and len(texts) >= self.map_from:
            return self._mapped(texts, "d")
        return self._cached(texts, "d")

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors, computed only for texts the cache lacks."""
        return self._cached(texts, "q")
