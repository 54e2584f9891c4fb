"""MatchCore: the in-memory two-sided matching engine (no SQL, no HTTP).

``suppliers_for(demand_text)``: the demand is parsed into the wanted item(s); every product of every
company is scored against them (exact name, character n-gram TF-IDF, dense vectors) and a company
scores as its best product, plus a small whole-text channel for what the parser missed.
``buyers_for(offer_text)``: the offered item is scored against each product's known inputs and
against the products known to use similar items (chain pairs), plus industry up/downstream links.

>>> from matcher.encoders.fake import FakeEncoder
>>> core = MatchCore(FakeEncoder()).fit([ProfileDoc("1", "甲", (("硫酸", 1.0),)), ProfileDoc("2", "乙", (("钢材", 1.0),))])
>>> core.suppliers_for("寻找硫酸供应商", k=1)[0].id
'1'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.features import BuyerFeatures, SupplierFeatures
from matcher.ranking.fusion import get_fusion
from matcher.text.parse import parse_demand, parse_offer
from matcher.text.profiles import ProfileDoc, as_profile_doc


@dataclass(frozen=True)
class Weights:
    """Channel weights. Supplier: exact/lexical/dense per product, text per company. Buyer: the rest."""

    exact: float = 1.0
    lexical: float = 0.5
    dense: float = 0.5
    text: float = 0.1
    inputs: float = 1.0
    uses: float = 1.0
    direct: float = 0.3
    industry: float = 1.0
    mix: float = 0.5  # share of dense (vs lexical) similarity inside the buyer-side chain channels


class Match(NamedTuple):
    """One ranked company: its score, best product, per-channel scores and a Chinese explanation."""

    id: str
    name: str
    score: float
    product: str
    channels: dict[str, float]
    explanation: str


class Ranking(NamedTuple):
    """Scores over the whole pool (for evaluation), the parsed items, and the channel arrays."""

    scores: np.ndarray
    items: tuple[str, ...]
    channels: dict[str, np.ndarray]


Describe = Callable[[int, float, Sequence[str], dict[str, np.ndarray]], tuple[str, str, dict[str, float]]]


class MatchCore:
    """Two-sided matching over a pool of companies; ``encoder=None`` runs the lexical channels only.

    ``fusion`` combines supplier-search channels, ``buyer_fusion`` buyer-recommendation channels (by name,
    see ``matcher.ranking.fusion``). Defaults are the better of each on the dev sets: a weighted sum for
    supplier search (exact product names dominate), reciprocal rank fusion for buyers.
    """

    def __init__(
        self,
        encoder: Encoder | None,
        *,
        weights: Weights | None = None,
        fusion: str = "weighted",
        buyer_fusion: str = "rrf",
        upstream: UpstreamPairs | None = None,
        industry_up: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        self.encoder = encoder
        self.weights = weights or Weights()
        self.fusion = fusion
        self.buyer_fusion = buyer_fusion
        self.upstream = upstream
        self.industry_up = industry_up

    def fit(self, docs: Iterable[ProfileDoc | Any]) -> MatchCore:
        """Index the pool: ``ProfileDoc``s, registry ``Enterprise``s or corpus dicts."""
        self.docs_ = [as_profile_doc(d) for d in docs]
        self.supplier_ = SupplierFeatures.build(self.docs_, self.encoder)
        self.buyer_ = BuyerFeatures.build(self.supplier_, self.encoder, self.upstream, self.industry_up)
        return self

    def _check(self) -> None:
        if not hasattr(self, "docs_"):
            raise RuntimeError("MatchCore 尚未 fit，请先调用 fit(docs)")

    def _items_vectors(self, items: Sequence[str]) -> np.ndarray | None:
        if self.encoder is None or not items:
            return None
        return encode_queries(self.encoder, list(items))

    def rank_suppliers(self, text: str) -> Ranking:
        """Scores of every company as a supplier for the demand ``text``."""
        self._check()
        items = parse_demand(text).items
        channels = self.supplier_.channels(items, self._items_vectors(items), text, self.weights)
        weighted = {"item": 1.0, "text": self.weights.text}
        scores = self._fuse(self.fusion, channels, weighted, ("lexical", "dense", "text"))
        return Ranking(scores, items, channels)

    def rank_buyers(self, text: str) -> Ranking:
        """Scores of every company as a buyer of what the offer ``text`` says it makes."""
        self._check()
        items = parse_offer(text).items
        channels = self.buyer_.channels(items, self._items_vectors(items), self.weights)
        weighted = {"chain": 1.0, "industry": self.weights.industry}
        scores = self._fuse(self.buyer_fusion, channels, weighted, ("inputs", "uses", "direct", "industry"))
        return Ranking(scores, items, channels)

    @staticmethod
    def _fuse(
        fusion: str, channels: Mapping[str, np.ndarray], weighted: Mapping[str, float], ranked: Sequence[str]
    ) -> np.ndarray:
        """``weighted``: the weighted sum of the combined channels; other fusions: all component channels."""
        if fusion == "weighted":
            return get_fusion("weighted")([channels[n] for n in weighted], list(weighted.values()))
        return get_fusion(fusion)([channels[n] for n in ranked], [1.0] * len(ranked))

    def suppliers_for(self, text: str, k: int = 10, exclude: Iterable[str] = ()) -> list[Match]:
        """The ``k`` best suppliers for a demand, best first, without the ``exclude``d company ids."""
        ranking = self.rank_suppliers(text)
        return [self._match(i, ranking, self.supplier_.match) for i in self._top(ranking.scores, k, exclude)]

    def buyers_for(self, text: str, k: int = 10, exclude: Iterable[str] = ()) -> list[Match]:
        """The ``k`` likeliest buyers of what an SME offers, best first, without the ``exclude``d ids."""
        ranking = self.rank_buyers(text)
        return [self._match(i, ranking, self.buyer_.match) for i in self._top(ranking.scores, k, exclude)]

    def _match(self, i: int, ranking: Ranking, describe: Describe) -> Match:
        table = self.supplier_.table
        score = float(ranking.scores[i])
        product, explanation, channels = describe(i, score, ranking.items, ranking.channels)
        return Match(table.ids[i], table.names[i], score, product, channels, explanation)

    def _top(self, scores: np.ndarray, k: int, exclude: Iterable[str]) -> list[int]:
        scores = scores.astype(np.float64).copy()
        scores[self.supplier_.table.company_index(list(exclude))] = -np.inf
        order = np.argsort(-scores, kind="stable")[:k]
        return [int(i) for i in order if np.isfinite(scores[i])]
