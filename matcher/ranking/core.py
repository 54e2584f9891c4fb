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

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.features import BuyerFeatures, SupplierFeatures
from matcher.ranking.fusion import get_fusion, weighted_sum
from matcher.ranking.scoring import top_k
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


class TopSuppliers(NamedTuple):
    """The best companies of a supplier search, best first, with what their explanations need.

    ``scored``: how many companies had their whole-text channel computed; the others provably could not
    reach the top (see ``MatchCore.top_suppliers``).
    """

    order: np.ndarray  # company positions
    scores: np.ndarray  # their final scores
    items: tuple[str, ...]
    described: list[tuple[str, str, dict[str, float]]]  # (product, explanation, channels) of each
    eligible: int
    scored: int


Boosts = Sequence[tuple[float, np.ndarray]]  # (weight, 0/1 mask or 0-1 strength over the pool)

Describe = Callable[[int, float, Sequence[str], dict[str, np.ndarray]], tuple[str, str, dict[str, float]]]


def _symmetric(encoder: Encoder | None) -> bool:
    """Whether the model embeds queries as it embeds documents (no ``encode_queries`` of its own)."""
    inner = getattr(encoder, "encoder", encoder)  # an embedding cache wraps the model
    return encoder is not None and not callable(getattr(inner, "encode_queries", None))


class MatchCore:
    """Two-sided matching over a pool of companies; ``encoder=None`` runs the lexical channels only.

    Query items are encoded by ``query_encoder`` when given, else by ``encoder``, and their vectors are
    remembered in memory (``vector_cache_size`` items, least recently used dropped).

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
        query_encoder: Encoder | None = None,
    ) -> None:
        self.encoder = encoder
        self.query_encoder = query_encoder  # encodes query items when given (e.g. without a disk cache)
        self.weights = weights or Weights()
        self.fusion = fusion
        self.buyer_fusion = buyer_fusion
        self.upstream = upstream
        self.industry_up = industry_up
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()  # item text -> query vector
        self._vectors_lock = threading.Lock()
        self.vector_cache_size = 4096

    def fit(self, docs: Iterable[ProfileDoc | Any]) -> MatchCore:
        """Index the pool: ``ProfileDoc``s, registry ``Enterprise``s or corpus dicts."""
        self.docs_ = [as_profile_doc(d) for d in docs]
        self.supplier_ = SupplierFeatures.build(self.docs_, self.encoder)
        self._symmetric = _symmetric(self.query_encoder or self.encoder)
        self.buyer_ = BuyerFeatures.build(self.supplier_, self.encoder, self.upstream, self.industry_up)
        return self

    def _check(self) -> None:
        if not hasattr(self, "docs_"):
            raise RuntimeError("MatchCore 尚未 fit，请先调用 fit(docs)")

    def _items_vectors(self, items: Sequence[str]) -> np.ndarray | None:
        """Query vectors of the parsed items, remembered in memory: items repeat across demand texts."""
        if self.encoder is None or not items:
            return None
        with self._vectors_lock:
            known = {t: self._vectors[t] for t in items if t in self._vectors}
            for t in known:
                self._vectors.move_to_end(t)
        names = self.supplier_.names_vec if self._symmetric else None
        if names is not None:  # an item that is a product name of the pool already has its vector
            rows = self.supplier_.table.name_rows
            known.update({t: names[rows[t]] for t in items if t not in known and t in rows})
        missing = list(dict.fromkeys(t for t in items if t not in known))
        if missing:
            fresh = encode_queries(self.query_encoder or self.encoder, missing)
            known.update(zip(missing, fresh, strict=True))
            with self._vectors_lock:
                self._vectors.update(zip(missing, fresh, strict=True))
                while len(self._vectors) > self.vector_cache_size:
                    self._vectors.popitem(last=False)
        return np.stack([known[t] for t in items]).astype(np.float32)

    def rank_suppliers(self, text: str) -> Ranking:
        """Scores of every company as a supplier for the demand ``text``."""
        self._check()
        items = parse_demand(text).items
        channels = self.supplier_.channels(items, self._items_vectors(items), text, self.weights)
        weighted = {"item": 1.0, "text": self.weights.text}
        scores = self._fuse(self.fusion, channels, weighted, ("lexical", "dense", "text"))
        return Ranking(scores, items, channels)

    def top_suppliers(
        self, text: str, k: int, *, eligible: np.ndarray | None = None, boosts: Boosts = ()
    ) -> TopSuppliers:
        """The ``k`` best eligible suppliers for ``text``, scores plus ``boosts``, without scoring the pool whole.

        The same companies, order and scores as ranking the whole pool (``rank_suppliers``), adding the
        boosts, masking the ineligible and sorting (ties to the lower position). With the default weighted
        fusion the whole-text channel adds at most ``weights.text`` (a cosine of non-negative TF-IDF rows is
        at most 1), so it is computed only for companies whose other terms come within that margin of the
        k-th best; the rest cannot reach the top ``k``. Other fusions rank the whole pool.
        """
        self._check()
        n = self.supplier_.table.n_companies
        eligible = np.ones(n, dtype=bool) if eligible is None else eligible
        if self.fusion != "weighted":
            ranking = self.rank_suppliers(text)
            return self._top_of(ranking, k, eligible, boosts)
        items = parse_demand(text).items
        names = self.supplier_.name_scores(items, self._items_vectors(items), self.weights)
        item = self.supplier_.table.segments.max(names.row)
        bound = item.copy()
        for weight, strength in boosts:
            bound += weight * strength.astype(np.float64)
        bound[~eligible] = -np.inf
        margin = self.weights.text * (1 + 1e-6) + 1e-9  # float rounding of a cosine can pass 1.0 a little
        chosen = top_k(bound, k)
        floor = bound[chosen[-1]] - margin if len(chosen) == k else -np.inf
        cand = np.flatnonzero((bound >= floor) & eligible)
        whole = len(cand) > n // 8  # many candidates: one pass over the whole index is cheaper
        text_sim = self.supplier_.text_scores(text, None if whole else cand)
        if whole:
            text_sim = text_sim[cand]
        scores = weighted_sum([item[cand], text_sim], [1.0, self.weights.text])
        for weight, strength in boosts:
            scores += weight * strength[cand].astype(np.float64)
        best = top_k(scores, k)
        described = []
        for j in best:
            row, values = self.supplier_.company_values(int(cand[j]), names, float(text_sim[j]))
            described.append(self.supplier_.describe(row, items, values))
        return TopSuppliers(cand[best], scores[best], items, described, int(eligible.sum()), len(cand))

    def _top_of(self, ranking: Ranking, k: int, eligible: np.ndarray, boosts: Boosts) -> TopSuppliers:
        scores = ranking.scores.astype(np.float64).copy()
        for weight, strength in boosts:
            scores += weight * strength.astype(np.float64)
        scores[~eligible] = -np.inf
        order = top_k(scores, k)
        described = [
            self.supplier_.match(int(i), float(scores[i]), ranking.items, ranking.channels) for i in order
        ]
        return TopSuppliers(order, scores[order], ranking.items, described, int(eligible.sum()), len(scores))

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
        return [int(i) for i in top_k(scores, k)]
