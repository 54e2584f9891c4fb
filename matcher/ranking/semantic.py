"""The whole-demand channels of supplier search: meaning beyond the parsed item names.

A demand written by a purchasing or R&D department rarely names the product its suppliers list (it
describes 高温下不变形的轻质结构件 where suppliers list 碳纤维复合材料), so the parsed item alone cannot find them. These channels read
the demand's *focus* (``matcher.text.demand``: the text without the buyer's self-description and refusals):

- ``dense_product``: the focus embedded, against every product name, a company scoring as its best product;
- ``dense_profile``: the focus against each company's profile vector (products by share and industry), both
  embedded by the profile encoder (``Focus.profiles``; ``Settings.profile_encoder``);
- ``words``: TF-IDF over jieba words and English tokens of the focus against the profile texts.

All are pure functions of arrays built once per pool (``SemanticFeatures.build``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from matcher.encoders.base import Encoder
from matcher.ranking.dense import dense_scores
from matcher.ranking.lexical import CharTfidf, DocIndex
from matcher.ranking.table import ProductTable
from matcher.text.tokenize import words

Channels = dict[str, np.ndarray]


class Focus(NamedTuple):
    """One search's focus embedded twice: against product names (the main encoder) and against company
    profiles (the profile encoder, ``Settings.profile_encoder``; the same vector when one model serves both)."""

    names: np.ndarray
    profiles: np.ndarray


@dataclass(frozen=True)
class SemanticFeatures:
    """Profile vectors and a word index of the pool, beside the product-name vectors of ``SupplierFeatures``."""

    profiles_vec: np.ndarray | None
    words: CharTfidf
    words_lex: DocIndex

    @classmethod
    def build(
        cls, profiles: Sequence[str], encoder: Encoder | None, like: SemanticFeatures | None = None
    ) -> SemanticFeatures:
        """Index the company profile texts (``enterprise_profile``) of the pool, in pool order; with
        ``like``, in its word vocabulary and IDF (``SupplierFeatures.build``'s ``like``)."""
        index = like.words if like is not None else CharTfidf(analyzer=words).fit(list(profiles) or [" "])
        vectors = encoder.encode(list(profiles)) if encoder is not None and profiles else None
        return cls(vectors, index, DocIndex.of(index.transform(list(profiles))))

    def word_scores(self, text: str) -> np.ndarray:
        """Cosine of the focus's word TF-IDF row with each company profile."""
        return self.words_lex.scores(self.words.transform([text]))[0].astype(np.float64)

    def channels(
        self,
        text: str,
        focus: Focus | None,
        table: ProductTable,
        names_vec: np.ndarray | None,
        blocked: np.ndarray | None = None,
    ) -> Channels:
        """``dense_product``, ``dense_profile`` and ``words`` scores of every company for one focus text;
        product names ``blocked`` (a refused business) do not count for ``dense_product``."""
        n = table.n_companies
        out: Channels = {"words": self.word_scores(text)}
        if focus is None or names_vec is None or self.profiles_vec is None:
            out["dense_product"] = out["dense_profile"] = np.zeros(n)
            out["_dense_row"] = np.full(n, -1, dtype=np.int64)
            return out
        by_name = dense_scores(focus.names[None, :], names_vec)[0]
        if blocked is not None:
            by_name = np.where(blocked, 0.0, by_name).astype(by_name.dtype)
        out["dense_product"] = table.segments.max(by_name).astype(np.float64)
        out["_dense_row"] = table.segments.argmax(by_name)
        out["dense_profile"] = dense_scores(focus.profiles[None, :], self.profiles_vec)[0].astype(np.float64)
        return out
