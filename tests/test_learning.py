"""The learned ranker: the pairwise estimator on hand-built data, the time split, the fall-back while labels
are few, the model file, the engine's use of it (only when it beat the hand-set weights), and
``matcher train-ranker`` through its entry point."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from matcher.errors import MatcherError
from matcher.learning import MIN_LABELS, MIN_QUERIES, Label, RankerModel, load_model
from matcher.learning.ranker import PairwiseRanker
from matcher.learning.train import time_split, train_ranker
from matcher.learning.use import learned_order

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_the_pairwise_ranker_learns_which_feature_buyers_follow() -> None:
    # two queries; the grade follows b, not a: the learned weight of b is positive, of a not larger
    X = np.array([[0.9, 0.1], [0.5, 0.9], [0.1, 0.5], [0.8, 0.2], [0.2, 0.8]])
    y, groups = [0, 2, 1, 0, 1], [1, 1, 1, 2, 2]
    model = PairwiseRanker().fit(X, y, groups)
    assert model.coef_[1] > 0 > model.coef_[0] and model.n_pairs_ == 4
    assert list(np.argsort(-model.predict(X[:3]))) == [1, 2, 0]
    with pytest.raises(ValueError, match="没有可学习的样本对"):
        PairwiseRanker().fit(X[:2], [1, 1], [1, 1])
    with pytest.raises(ValueError, match="行数不一致"):
        PairwiseRanker().fit(X, y[:2], groups)


def test_the_time_split_tests_on_the_newest_queries() -> None:
    labels = [
        Label(q, 1, 1.0, T0 + dt.timedelta(days=d), "入围/淘汰") for q, d in ((7, 3), (5, 1), (9, 2), (5, 9))
    ]
    assert time_split(labels, test_share=0.34) == ([5, 9], [7])  # by each query's first label


def synthetic(queries: int, seed: int = 0) -> tuple[list[Label], dict[int, dict[int, dict[str, float]]]]:
    """Buyers who want what feature "fit" says while the hand-set "score" is noise: 10 shown per demand."""
    rng = random.Random(seed)
    cands, labels = {}, []
    for q in range(queries):
        rows = {e: {"score": rng.random(), "fit": rng.random()} for e in range(10)}
        cands[q] = rows
        labels += [
            Label(q, e, float(r["fit"] > 0.6), T0 + dt.timedelta(hours=q), "入围/淘汰")
            for e, r in rows.items()
        ]
    return labels, cands


def test_too_few_labels_keep_the_hand_set_weights() -> None:
    labels, cands = synthetic(MIN_QUERIES - 5)
    assert len(labels) < MIN_LABELS
    report = train_ranker(labels, cands.__getitem__, {"入围/淘汰": len(labels)})
    assert not report.model.used and "标注不足" in report.model.reason and report.model.coef == [0.0, 0.0]


def test_enough_labels_train_a_model_used_only_because_it_beats_the_hand_set_order() -> None:
    labels, cands = synthetic(60)
    report = train_ranker(labels, cands.__getitem__, {"入围/淘汰": len(labels)}, now=T0)
    model = report.model
    assert (report.train_queries, report.test_queries) == (42, 18)
    e = model.evaluation
    assert (
        model.used
        and e["learned_ndcg@10"] > e["handset_ndcg@10"]
        and model.trained_at.startswith("2026-01-01")
    )
    assert dict(zip(model.features, model.coef, strict=True))["fit"] > 0
    honest = {
        q: {e: {"score": r["fit"], "fit": r["fit"]} for e, r in rows.items()} for q, rows in cands.items()
    }
    assert not train_ranker(labels, honest.__getitem__, {}).model.used  # a tie is not a gain


def test_the_model_file_round_trips_and_only_a_used_model_reorders(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    rows = [{"score": 0.9, "fit": 0.1}, {"score": 0.2, "fit": 0.8}]
    assert learned_order(path, rows) is None  # no file: the hand-set order
    model = RankerModel(["fit", "score"], [1.0, 0.0], "2026-01-01T00:00:00+00:00", {"入围/淘汰": 500})
    model.save(path)
    assert load_model(path) == model and learned_order(path, rows) is None  # not used
    model.used = True
    model.save(path)
    assert learned_order(path, rows) == [1, 0]
    path.write_text(json.dumps({"features": ["a"], "coef": []}), encoding="utf-8")
    with pytest.raises(MatcherError, match="无法读取|不一致"):
        load_model(path)


def test_train_ranker_through_the_cli_falls_back_and_writes_the_file(tmp_path: Path) -> None:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {"MATCHER_HOME": str(tmp_path), "MATCHER_DATABASE_URL": "", "PATH": str(Path(exe).parent)}
    result = subprocess.run(
        [exe, "train-ranker"], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "标注不足" in result.stdout and f"至少 {MIN_LABELS} 条" in result.stdout
    saved = json.loads((tmp_path / "ranker.json").read_text(encoding="utf-8"))
    assert saved["used"] is False and saved["trained_at"] and "入围/淘汰" not in saved["label_counts"]
