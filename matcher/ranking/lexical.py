"""The lexical channel: character n-gram TF-IDF (scikit-learn), cosine similarity.

Chinese product names need no word segmentation for this: character 1-2 grams catch shared morphemes
(硫酸 / 硫酸铵), and the IDF weighting keeps common characters (材, 品) from dominating.

Queries are one or a few short texts, where scikit-learn's per-call checks cost more than the work
(~1-3 ms a text); ``transform`` builds those rows itself with the vectorizer's own analyzer and the same
arithmetic, so the rows are identical (``tests/test_ranking_speed.py`` compares them). Document matrices
are kept transposed (``DocIndex``) so that scoring a query does not transpose the pool on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from matcher.text.normalize import normalize_text

FAST_BATCH = 16  # up to this many texts are transformed without scikit-learn's per-call overhead


class CharTfidf:
    """TF-IDF over character n-grams (or the tokens of a callable ``analyzer``); ``fit`` learns the vocabulary and
    IDF, ``transform`` gives unit rows."""

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        analyzer: str | Callable[[str], list[str]] = "char",
        sublinear_tf: bool = True,
    ) -> None:
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str]) -> CharTfidf:
        self.vectorizer_ = self._vectorizer()
        fit_texts = [t or " " for t in texts]
        if not any(normalize_text(t) for t in fit_texts):
            fit_texts = ["\u25a1"]  # a pool with no text yet (e.g. firms without products): one inert symbol
        self.vectorizer_.fit(fit_texts)
        return self._fitted()

    def restore(self, terms: Sequence[str], idf: np.ndarray) -> CharTfidf:
        """This model as ``fit`` left it, from its vocabulary (``terms``, in column order) and IDF, without
        reading the texts again (``matcher.ranking.shared`` maps a pool's saved model)."""
        self.vectorizer_ = self._vectorizer(vocabulary={t: j for j, t in enumerate(terms)})
        self.vectorizer_.idf_ = idf  # checks the vocabulary against it
        return self._fitted()

    def terms(self) -> list[str]:
        """The vocabulary in column order (what ``restore`` takes back)."""
        return [str(t) for t in self.vectorizer_.get_feature_names_out()]

    def _vectorizer(self, **options: object) -> TfidfVectorizer:
        by_chars = not callable(self.analyzer)  # a callable analyzer (e.g. jieba words) does its own work
        return TfidfVectorizer(
            analyzer=self.analyzer,
            sublinear_tf=self.sublinear_tf,
            lowercase=False,
            dtype=np.float32,
            **({"ngram_range": self.ngram_range, "preprocessor": normalize_text} if by_chars else {}),
            **options,  # type: ignore[arg-type]
        )

    def _fitted(self) -> CharTfidf:
        self.analyze_: Callable[[str], list[str]] = self.vectorizer_.build_analyzer()
        self.idf_ = np.asarray(self.vectorizer_.idf_, dtype=np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not hasattr(self, "vectorizer_"):
            raise RuntimeError("CharTfidf 尚未 fit，请先调用 fit(texts)")
        if not texts:
            return sparse.csr_matrix((0, len(self.vectorizer_.vocabulary_)), dtype=np.float32)
        if len(texts) <= FAST_BATCH:
            return self._transform_few(texts)
        return sparse.csr_matrix(self.vectorizer_.transform(list(texts)))

    def _transform_few(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """What ``vectorizer_.transform`` computes (counts, sublinear tf, idf, l2), step for step."""
        vocabulary = self.vectorizer_.vocabulary_
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in texts:
            found: dict[int, int] = {}
            for gram in self.analyze_(text):
                j = vocabulary.get(gram)
                if j is not None:
                    found[j] = found.get(j, 0) + 1
            for j in sorted(found):
                indices.append(j)
                counts.append(found[j])
            indptr.append(len(indices))
        data = np.asarray(counts, dtype=np.float32)
        cols = np.asarray(indices, dtype=np.int32)
        if self.sublinear_tf:
            np.log(data, data)
            data += 1.0
        data *= self.idf_[cols]
        out = sparse.csr_matrix(
            (data, cols, np.asarray(indptr, dtype=np.int32)), shape=(len(texts), len(vocabulary))
        )
        inplace_csr_row_normalize_l2(out)
        return out


def cosine_scores(queries: sparse.spmatrix, docs: sparse.spmatrix) -> np.ndarray:
    """Dense (n_queries, n_docs) cosine similarities of L2-normalized sparse rows."""
    return np.asarray((queries @ docs.T).toarray(), dtype=np.float32)


@dataclass(frozen=True)
class DocIndex:
    """L2-normalized document rows, also kept transposed (terms x docs) for fast query scoring.

    ``queries @ docs.T`` makes SciPy convert the whole pool to the other sparse format on every call
    (60-400 ms for 100k enterprise profiles); with the transposed copy made once, a query costs the
    postings of its own terms (2-7 ms).
    """

    rows: sparse.csr_matrix
    by_term: sparse.csr_matrix

    @classmethod
    def of(cls, rows: sparse.spmatrix) -> DocIndex:
        rows = sparse.csr_matrix(rows)
        return cls(rows, sparse.csr_matrix(rows.T))

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.shape  # type: ignore[no-any-return]

    def scores(self, queries: sparse.spmatrix) -> np.ndarray:
        """(n_queries, n_docs) cosines, the same values as ``cosine_scores(queries, rows)``."""
        return np.asarray((queries @ self.by_term).toarray(), dtype=np.float32)

    def scores_of(self, query: sparse.spmatrix, docs: np.ndarray) -> np.ndarray:
        """Cosines of one query (a 1-row matrix) with only the ``docs`` rows, shape (len(docs),)."""
        dense = np.asarray(query.toarray(), dtype=np.float32).ravel()
        return np.asarray(self.rows[docs] @ dense, dtype=np.float32)
