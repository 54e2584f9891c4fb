"""The records a full fit of the matching pool was made from, saved so that a restart resumes from them.

At 100k realistic enterprises a full fit writes the pool files and candidate indexes (``matcher.ranking.shared``,
``matcher.retrieval.candidates``), keyed by the records' content. Any edit changes that content, so a worker
that restarted after edits used to fit everything again (about 20 minutes at that size, the indexes
included) before it took a request. A full fit now also saves its records here (their ids, compressed
JSON, and the change-log position it read first); a starting worker fits those same records, which maps
the saved files instead of rebuilding them, then applies the change log since that position by enterprise
id, as a running worker does.

The snapshot is used only when it provably describes this store: the change-log row at its position names
the same enterprise, and the registry's ids now are the snapshot's, less those deleted, plus those added
since. Anything else (another database at the same path, a restore, a log that moved back) fits whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sqlalchemy import Connection, select

from matcher.errors import MatcherError
from matcher.ranking.records import Packed
from matcher.retrieval.storage import MANIFEST_NAME, load_arrays, locked, save_arrays
from matcher.store.tables import RegistryChangeRow

log = logging.getLogger(__name__)

KIND = "pool-snapshot-1"  # the bundle's model id: a change of layout never reads an old snapshot


class Snapshot(NamedTuple):
    """A full fit's records in pool order, the change-log position it read before listing them, the
    enterprise logged at that position (-1: empty log), and the registry fingerprint at that fit."""

    ids: list[int]
    blobs: Packed  # ``matcher.ranking.records.encode`` of each record
    cursor: int
    at_cursor: int
    fingerprint: tuple[int, int, str]


def snapshot_dir(cache_dir: Path, store_url: str) -> Path:
    """Where the snapshot of the store at ``store_url`` (its password-free form) is kept."""
    return cache_dir / "pools" / hashlib.sha1(store_url.encode("utf-8")).hexdigest()[:16]


def logged_at(conn: Connection, cursor: int) -> int:
    """The enterprise id of the change-log row ``cursor`` (-1 when there is none)."""
    found = conn.execute(
        select(RegistryChangeRow.enterprise_id).where(RegistryChangeRow.seq == cursor)
    ).scalar()
    return -1 if found is None else int(found)


def save_snapshot(directory: Path, snapshot: Snapshot) -> bool:
    """Write ``snapshot`` (all or nothing, one writer at a time); False when the one saved is the same fit."""
    with locked(directory):
        saved = _meta(directory)
        if saved is not None and saved["cursor"] == snapshot.cursor and saved["count"] == len(snapshot.ids):
            return False
        blob, ends = snapshot.blobs.joined()
        meta = {
            "cursor": snapshot.cursor,
            "at_cursor": snapshot.at_cursor,
            "count": len(snapshot.ids),
            "fingerprint": list(snapshot.fingerprint),
        }
        save_arrays(
            directory,
            {
                "ids": np.asarray(snapshot.ids, dtype=np.int64),
                "blob": blob,
                "ends": ends,
                "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            },
            model_id=KIND,
        )
        return True


def _meta(directory: Path) -> dict | None:  # type: ignore[type-arg]
    if not (directory / MANIFEST_NAME).exists():
        return None
    try:
        arrays = load_arrays(directory, model_id=KIND)
        return dict(json.loads(arrays["meta"].tobytes().decode("utf-8")))
    except (MatcherError, OSError, ValueError, KeyError):
        log.warning("匹配池快照 %s 无法读取，将重新写入", directory, exc_info=True)
        return None


def load_snapshot(directory: Path) -> Snapshot | None:
    """The saved snapshot, or None when there is none or it cannot be read; its records stay memory-mapped
    (every worker that resumes from it shares one copy in the page cache)."""
    meta = _meta(directory)
    if meta is None:
        return None
    arrays = load_arrays(directory, model_id=KIND)
    blobs = Packed([(arrays["blob"], arrays["ends"])])
    fingerprint = meta["fingerprint"]
    return Snapshot(
        arrays["ids"].tolist(),
        blobs,
        int(meta["cursor"]),
        int(meta["at_cursor"]),
        (int(fingerprint[0]), int(fingerprint[1]), str(fingerprint[2])),
    )
