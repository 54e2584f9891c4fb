"""A pairwise linear learning-to-rank estimator in the scikit-learn shape.

Within each query, every pair of candidates with different grades becomes one example of "the better one
scores higher" (RankSVM-style, fitted by logistic regression on feature differences). A linear model is
the right size while labels number in the hundreds, and its weights can be read next to the hand-set ones.

Example::

    X = feature_matrix(rows, names)           # matcher.learning.model: named features as a matrix
    model = PairwiseRanker().fit(X, grades, groups)
    scores = model.predict(X_new)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted


def _pairs(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    diffs, signs = [], []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        for a in idx:
            for b in idx:
                if y[a] > y[b]:
                    diffs += [X[a] - X[b], X[b] - X[a]]
                    signs += [1, 0]
    width = X.shape[1]
    return np.array(diffs, dtype=np.float64).reshape(-1, width), np.array(signs)


class PairwiseRanker(BaseEstimator):  # type: ignore[misc]
    """``fit(X, y, groups)``: ``y`` graded relevance, ``groups`` the query of each row.

    ``C``: inverse regularization strength of the logistic regression (small = weights stay near zero).
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X: np.ndarray, y: Sequence[float], groups: Sequence[object]) -> PairwiseRanker:
        X = np.asarray(X, dtype=np.float64)
        y_arr, g_arr = np.asarray(y, dtype=np.float64), np.asarray(groups)
        if not len(X) == len(y_arr) == len(g_arr):
            raise ValueError(f"X、y、groups 行数不一致：{len(X)}、{len(y_arr)}、{len(g_arr)}")
        diffs, signs = _pairs(X, y_arr, g_arr)
        if len(set(signs.tolist())) < 2:
            raise ValueError("没有可学习的样本对：每个查询至少需要两个不同等级的候选")
        self.scale_ = np.maximum(np.abs(X).max(axis=0), 1e-9)
        model = LogisticRegression(C=self.C, fit_intercept=False, max_iter=1000)
        model.fit(diffs / self.scale_, signs)
        self.coef_ = model.coef_.ravel() / self.scale_
        self.n_pairs_ = len(signs) // 2
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=np.float64) @ self.coef_
