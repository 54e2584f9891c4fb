"""Pure scoring and fusion functions, checked against hand-worked values."""

import numpy as np
import pytest

from matcher.ranking.fusion import get_fusion, minmax_sum, ranks, rrf, weighted_sum
from matcher.ranking.scoring import exact_scores, group_argmax, group_max, group_softmax


def test_group_max_and_argmax() -> None:
    values = np.array([0.2, 0.9, 0.5, 0.9])
    groups = np.array([0, 0, 2, 2])
    assert group_max(values, groups, 3).tolist() == [0.9, 0.0, 0.9]
    assert group_argmax(values, groups, 3).tolist() == [1, -1, 3]


def test_group_softmax_rewards_ties() -> None:
    # two products at 0.5: 0.1 * log(2 * e^5) = 0.5 + 0.1 * ln 2 = 0.5693
    out = group_softmax(np.array([0.5, 0.5, 0.5]), np.array([0, 0, 1]), 2, 0.1)
    assert out[0] == pytest.approx(0.5 + 0.1 * np.log(2))
    assert out[1] == pytest.approx(0.5)


def test_exact_scores() -> None:
    assert exact_scores(["硫酸"], ["硫酸", "硫酸铵", "硫酸"]).tolist() == [1.0, 0.0, 1.0]


def test_ranks_and_rrf() -> None:
    assert ranks(np.array([0.1, 0.9, 0.5])).tolist() == [3, 1, 2]
    fused = rrf([np.array([0.9, 0.1]), np.array([0.8, 0.2])], [1.0, 1.0], k=60)
    assert fused[0] == pytest.approx(2 / 61)
    assert fused[1] == pytest.approx(2 / 62)


def test_weighted_and_minmax() -> None:
    assert weighted_sum([np.array([1.0, 0.0]), np.array([0.5, 0.5])], [1.0, 2.0]).tolist() == [2.0, 1.0]
    assert minmax_sum([np.array([2.0, 4.0]), np.array([1.0, 1.0])], [1.0, 1.0]).tolist() == [0.0, 1.0]


def test_unknown_fusion_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="nope"):
        get_fusion("nope")
