"""The lexical channel: character n-gram TF-IDF (scikit-learn), cosine similarity.

Chinese product names need no word segmentation for this: character 1-2 grams catch shared morphemes
(硫酸 / 硫酸铵), and the IDF weighting keeps common characters (材, 品) from dominating.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.text.normalize import normalize_text


class CharTfidf:
    """TF-IDF over character n-grams; ``fit`` learns the vocabulary and IDF, ``transform`` gives unit rows."""

    def __init__(
        self, ngram_range: tuple[int, int] = (1, 2), analyzer: str = "char", sublinear_tf: bool = True
    ) -> None:
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str]) -> CharTfidf:
        self.vectorizer_ = TfidfVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngram_range,
            sublinear_tf=self.sublinear_tf,
            preprocessor=normalize_text,
            lowercase=False,
            dtype=np.float32,
        )
        fit_texts = [t or " " for t in texts]
        if not any(normalize_text(t) for t in fit_texts):
            fit_texts = ["\u25a1"]  # a pool with no text yet (e.g. firms without products): one inert symbol
        self.vectorizer_.fit(fit_texts)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not hasattr(self, "vectorizer_"):
            raise RuntimeError("CharTfidf 尚未 fit，请先调用 fit(texts)")
        if not texts:
            return sparse.csr_matrix((0, len(self.vectorizer_.vocabulary_)), dtype=np.float32)
        return sparse.csr_matrix(self.vectorizer_.transform(list(texts)))


def cosine_scores(queries: sparse.spmatrix, docs: sparse.spmatrix) -> np.ndarray:
    """Dense (n_queries, n_docs) cosine similarities of L2-normalized sparse rows."""
    return np.asarray((queries @ docs.T).toarray(), dtype=np.float32)
