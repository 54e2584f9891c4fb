"""Where the engine consults the learned ranker: re-order the candidates it is about to show, when the
model file says the learned order beat the hand-set one (otherwise, and without a file, nothing changes).
The file is re-read when it changes, so ``matcher train-ranker`` takes effect without a restart."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from matcher.learning.model import RankerModel, load_model

_lock = threading.Lock()
_cache: dict[Path, tuple[float, RankerModel | None]] = {}


def active_model(path: Path) -> RankerModel | None:
    """The model at ``path`` when it is to be used (``used``), re-read after each change of the file."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    with _lock:
        known = _cache.get(path)
        if known is None or known[0] != stamp:
            known = (stamp, load_model(path))
            _cache[path] = known
    model = known[1]
    return model if model is not None and model.used else None


def learned_order(path: Path, rows: Sequence[Mapping[str, float]]) -> list[int] | None:
    """The positions of ``rows`` (named features of each candidate) in the learned order, or None."""
    model = active_model(path)
    if model is None or len(rows) < 2:
        return None
    return [int(i) for i in np.argsort(-model.scores(rows), kind="stable")]
