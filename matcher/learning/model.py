"""The learned ranker's file: weights by feature name, when it was trained, on how many labels, and the
offline evaluation that decides whether the engine uses it.

JSON, not pickle: a model file is data the server reads, never code it runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import MatcherError

# Below these the engine keeps the hand-set weights (the simulation in docs/ranker.md shows where a
# learned order starts to pay off; fewer labels mostly fit noise).
MIN_LABELS = 400
MIN_QUERIES = 20


def feature_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of named features as a float matrix in ``names`` order (a missing feature is 0)."""
    return np.array([[float(r.get(n, 0.0)) for n in names] for r in rows], dtype=np.float64).reshape(
        len(rows), len(names)
    )


@dataclass
class RankerModel:
    features: list[str]
    coef: list[float]
    trained_at: str
    label_counts: dict[str, int]
    evaluation: dict[str, float] = field(default_factory=dict)
    used: bool = False
    reason: str = ""

    def scores(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        return feature_matrix(rows, self.features) @ np.asarray(self.coef, dtype=np.float64)

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(target)  # readers never see half a file
        return target


def load_model(path: str | Path) -> RankerModel | None:
    """The model file, or None when there is none; a damaged file is an error naming the path."""
    source = Path(path)
    if not source.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
        model = RankerModel(**data)
    except (ValueError, TypeError) as exc:
        raise MatcherError(
            f"排序模型文件 {source} 无法读取（{exc}）；请重新运行 matcher train-ranker"
        ) from exc
    if len(model.features) != len(model.coef):
        raise MatcherError(f"排序模型文件 {source} 的特征与权重个数不一致")
    return model
