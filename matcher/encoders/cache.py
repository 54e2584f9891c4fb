"""An embedding cache keyed by (model_id, role, sha1(text)), stored in SQLite under ``settings.cache_dir``.

Wrapping an encoder in ``CachedEncoder`` makes re-encoding unchanged texts free: only texts not yet
seen by that model are sent to it. Queries and documents are cached apart because asymmetric models
(e5) embed them differently. Missing texts are encoded chunk by chunk in an order of the process's own, and
each chunk is looked up again just before it is encoded, so several processes filling one shared cache
(benchmarks under load) split the work instead of each encoding everything.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.encoders.base import Encoder, encode_queries

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


class CachedEncoder:
    """An encoder whose vectors are looked up in an ``EmbeddingCache`` before being computed."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache, chunk: int = 2048) -> None:
        self.encoder = encoder
        self.chunk = chunk
        self.cache = cache
        self.model_id = encoder.model_id
        self.dim = encoder.dim
        self._order = random.Random(os.getpid())

    def _cached(self, texts: Sequence[str], role: str) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found = self.cache.get(self.model_id, role, list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        starts = list(range(0, len(missing), self.chunk))
        self._order.shuffle(starts)  # processes sharing the cache mostly take different chunks
        for start in starts:  # stored chunk by chunk: long runs resume
            part = missing[start : start + self.chunk]
            found.update(self.cache.get(self.model_id, role, [text_key(t) for t in part]))  # stored meanwhile
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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Document vectors, computed only for texts the cache lacks."""
        return self._cached(texts, "d")

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors, computed only for texts the cache lacks."""
        return self._cached(texts, "q")
