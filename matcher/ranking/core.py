"""MatchCore: the in-memory two-sided matching engine (no SQL, no HTTP).

``suppliers_for(demand_text)``: the demand is read (``matcher.text.demand``: line items, the buyer's own
business, refusals, requirements) into one search per line item, or one for the whole demand. Each search
scores every company on the parsed item names (exact name, character TF-IDF and dense vectors per
product, best product) and on the demand's meaning (its focus embedded against product names and company
profiles, jieba words against profiles, character TF-IDF against profiles); the channels are fused (by
default reciprocal rank fusion, so no one channel dominates when the parse is wrong) and a plan's
line items are merged, each company keeping its best item for attribution.
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
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.dense import dense_scores
from matcher.ranking.explain import explain_supplier
from matcher.ranking.features import BuyerFeatures, SupplierFeatures
from matcher.ranking.fusion import get_fusion, rrf
from matcher.ranking.memo import Memo
from matcher.ranking.scoring import top_k
from matcher.ranking.semantic import Focus, SemanticFeatures
from matcher.ranking.shared import pool_features
from matcher.retrieval.candidates import CandidateIndex, CompanyRows
from matcher.text.demand import Query, search_queries, understand_demand
from matcher.text.parse import parse_offer
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
    # buyer recommendation's RRF weights of (inputs, uses, direct, industry): the best of a grid on the buyer
    # dev file (``benchmarks/bench_fusion.py --buyer``; its neighbours score within 0.01)
    buyer_rrf: tuple[float, float, float, float] = (1.0, 1.5, 1.0, 1.5)
    # supplier search: the parsed items, then the whole-demand channels (``matcher.ranking.semantic``);
    # the best of a small grid on the demand dev files jointly (``benchmarks/bench_fusion.py``); the profile
    # channel's weight chosen again with the profile encoder (e5-graph) and feedback in place: 2.0 is the
    # most that keeps supplier MRR at 1.000 (2.0-3.0 score alike jointly; ``bench_feedback.py --dense-profile``)
    item: float = 1.5
    dense_product: float = 0.5
    dense_profile: float = 2.0
    words: float = 1.0
    named: float = 0.05  # RRF: bonus for a product named exactly as a parsed item (about 3 first ranks)
    # feedback (``TopRanker.with_feedback``): the products of the first ``feedback_from`` companies searched
    # again by name among the companies the channels ranked; the middle of the best region of a small grid
    # on the demand dev files (benchmarks/bench_feedback.py)
    feedback: float = 3.0
    feedback_from: int = 5


SUPPLIER_CHANNELS = ("item", "dense_product", "dense_profile", "words", "text")
# the ``profile`` evidence of a company (relevance, reasons; not fused): its profile cosine above the 99th
# percentile of the demand against this many profiles of the pool (``MatchCore._profile_evidence``)
PROFILE_SAMPLE = 1024
PROFILE_PERCENTILE = 99.0
RRF_K = 60.0
VECTOR_CACHE_SIZE = 4096  # query items' vectors each core remembers
RRF_DEPTH = 200  # each channel's result list: deeper ranks add under 1/260 each
# buyer channels agree less: a buyer found by two channels at ranks 200-300 still counts (bench_fusion --buyer)
BUYER_RRF_DEPTH = 300


class Match(NamedTuple):
    """One ranked company: its score, best product, per-channel scores and a Chinese explanation."""

    id: str
    name: str
    score: float
    product: str
    channels: dict[str, float]
    explanation: str


class Ranking(NamedTuple):
    """Scores over the whole pool (for evaluation), the parsed items, and the channel arrays.

    ``searches``: a supplier search's queries (one per line item of a plan); ``channels["_query"]`` names the
    one each company matched best.
    """

    scores: np.ndarray
    items: tuple[str, ...]
    channels: dict[str, np.ndarray]
    searches: tuple[Query, ...] = ()
    candidates: np.ndarray | None = None  # the companies scored (sorted positions), None: the whole pool
    feedback: tuple[str, ...] = ()  # the first companies' products searched again (``with_feedback``)
    feedback_from: tuple[int, ...] = ()  # those first companies (positions)


class TopSuppliers(NamedTuple):
    """The best companies of a supplier search, best first, with what their explanations need.

    ``scored``: how many companies were scored (the candidates of every search, or the whole pool).
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


def _shown_dense(channels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What a match shows as its product and semantic similarity: where the demand's meaning is nearer a
    product than the parsed item is (a paraphrase the parser cannot name), that product and that cosine.
    Fusion reads ``item`` and the whole-demand channels, so this changes explanations, not the ranking."""
    nearer = channels["dense_product"] > channels["dense"]
    channels["dense"] = np.where(nearer, channels["dense_product"], channels["dense"])
    channels["_best_row"] = np.where(nearer, channels["_dense_row"], channels["_best_row"])
    return channels


def fuse_supplier(channels: Mapping[str, np.ndarray], weights: Weights, fusion: str = "rrf") -> np.ndarray:
    """One supplier search's channels as one 0-1 score.

    ``rrf`` (default): reciprocal rank fusion over each channel's best ``RRF_DEPTH`` companies, plus
    ``weights.named`` where a product is named exactly as a parsed item, divided by the most a company
    can get (first in every channel and named), so 1.0 is a perfect match. Rank fusion keeps any one
    channel from dominating: a wrong parse costs one channel, not the ranking. Other fusions combine
    the raw channel scores (``weighted``: for comparison in ``bench_quality.py``).
    """
    w = weights
    values = [channels[n] for n in SUPPLIER_CHANNELS]
    by_channel = (w.item, w.dense_product, w.dense_profile, w.words, w.text)
    if fusion != "rrf":
        return get_fusion(fusion)(values, by_channel)
    fused = rrf(values, by_channel, k=RRF_K, depth=RRF_DEPTH) + w.named * (channels["exact"] >= 1.0)
    return fused / _most(w)


def _most(w: Weights) -> float:
    """The most a company can get from ``fuse_supplier``'s rank fusion: first in every channel and named."""
    return (w.item + w.dense_product + w.dense_profile + w.words + w.text) / (RRF_K + 1) + w.named


def feedback_scores(scores: np.ndarray, feedback: np.ndarray, weights: Weights) -> np.ndarray:
    """A supplier ranking's 0-1 ``scores`` with the ``feedback`` channel fused in as one more RRF channel
    (its best ``RRF_DEPTH``, weight ``weights.feedback``), still divided by the most a company can get.

    >>> w = Weights(feedback=3.0)
    >>> feedback_scores(np.array([0.5, 0.5]), np.array([0.0, 0.9]), w).argmax()
    np.int64(1)
    """
    most = _most(weights)
    extra = rrf([feedback], [weights.feedback], k=RRF_K, depth=RRF_DEPTH)
    return (np.asarray(scores, np.float64) * most + extra) / (most + weights.feedback / (RRF_K + 1))


class TopRanker:
    """The top-k of supplier search over any core that ranks a pool and describes its companies: the fitted
    ``MatchCore``, or a pool updated by id (``matcher.ranking.layered.LayeredCore``)."""

    candidate_depth: int

    @property
    def n_companies(self) -> int:
        raise NotImplementedError

    @property
    def exhaustive(self) -> bool:
        """Whether every company is scored per search (else only the candidates of its indexes)."""
        raise NotImplementedError

    def _check(self) -> None:
        """Raise when the core cannot rank yet."""

    weights: Weights

    def rank_suppliers(self, text: str, also: np.ndarray | None = None) -> Ranking:
        """Scores of every company as a supplier for the demand ``text``: the searches of the demand
        (``searched``), then the feedback of their first companies (``with_feedback``).
        With candidate search, the companies ``also`` names are scored besides the candidates."""
        return self.with_feedback(self.searched(text, also))

    def searched(self, text: str, also: np.ndarray | None = None) -> Ranking:
        raise NotImplementedError

    def feedback_values(self, names: Sequence[str], companies: np.ndarray) -> np.ndarray:
        """How well each of ``companies`` (positions) sells one of the products ``names``: the best product's
        name score (same key, character TF-IDF), in ``companies``' order."""
        raise NotImplementedError

    def with_feedback(self, ranking: Ranking) -> Ranking:
        """Pseudo-relevance feedback (Rocchio, RM3): the products of the first ``weights.feedback_from``
        companies are searched again by name among the companies the channels ranked, and fused in as one
        more channel (``feedback_scores``). Suppliers of the same product as the best matches rise, which a
        demand that never names the product (a paraphrase, a problem statement) cannot do by itself. Only
        companies some channel ranked take part, so candidate and exhaustive search agree, and what shows a
        company is still its own evidence (``channels["feedback"]`` beside it).
        """
        w = self.weights
        ranked = np.flatnonzero(ranking.scores > 0)
        if w.feedback <= 0 or w.feedback_from <= 0 or not len(ranked):
            return ranking
        first = top_k(np.where(ranking.scores > 0, ranking.scores, -np.inf), w.feedback_from).tolist()
        names = tuple(dict.fromkeys(p for p in (self.supplier_match(i, ranking)[0] for i in first) if p))
        if not names:
            return ranking
        values = np.zeros(len(ranking.scores))
        values[ranked] = self.feedback_values(names, ranked)
        channels = {**ranking.channels, "feedback": values}
        scores = feedback_scores(ranking.scores, values, w)
        return ranking._replace(scores=scores, channels=channels, feedback=names, feedback_from=tuple(first))

    def supplier_match(self, i: int, ranking: Ranking) -> tuple[str, str, dict[str, float]]:
        raise NotImplementedError

    def top_suppliers(
        self, text: str, k: int, *, eligible: np.ndarray | None = None, boosts: Boosts = ()
    ) -> TopSuppliers:
        """The ``k`` best eligible suppliers for ``text``: the ranking plus ``boosts``, the ineligible
        masked, sorted (ties to the lower position).

        With candidate search, every eligible company is scored exactly when there are few of them
        (``candidate_depth`` or fewer) or when the candidates hold fewer than ``k`` eligible ones, so a
        narrow filter ranks its companies as the exhaustive path does.
        """
        self._check()
        if eligible is None:
            return self._top_of(self.rank_suppliers(text), k, np.ones(self.n_companies, dtype=bool), boosts)
        if self.exhaustive:
            return self._top_of(self.rank_suppliers(text), k, eligible, boosts)
        allowed = np.flatnonzero(eligible)
        if len(allowed) <= self.candidate_depth:  # a narrow filter: score every eligible company
            return self._top_of(self.rank_suppliers(text, allowed), k, eligible, boosts)
        ranking = self.rank_suppliers(text)
        assert ranking.candidates is not None
        if int(eligible[ranking.candidates].sum()) < k:  # the candidates cannot fill k: the eligible can
            ranking = self.rank_suppliers(text, allowed)
        return self._top_of(ranking, k, eligible, boosts)

    def _top_of(self, ranking: Ranking, k: int, eligible: np.ndarray, boosts: Boosts) -> TopSuppliers:
        scores = ranking.scores.astype(np.float64).copy()
        for weight, strength in boosts:
            scores += weight * strength.astype(np.float64)
        scores[~eligible] = -np.inf
        order = top_k(scores, k)
        described = [self.supplier_match(int(i), ranking) for i in order]
        scored = len(scores) if ranking.candidates is None else len(ranking.candidates)
        return TopSuppliers(order, scores[order], ranking.items, described, int(eligible.sum()), scored)


Searched = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]  # channels, fused score, companies scored


def best_search(
    items: tuple[str, ...], queries: tuple[Query, ...], searched: Sequence[Searched], candidates: bool
) -> Ranking:
    """One ranking from the searches of a demand: each company keeps its best search's score and channels
    (``channels["_query"]`` names it); ``candidates``: only the companies some search scored count as scored."""
    if len(searched) == 1:  # one search (most demands): its arrays as they are, no copies of the pool's size
        channels, fused_one, companies = searched[0]
        channels = {**channels, "_query": np.zeros(len(fused_one), dtype=np.int64)}
        return Ranking(fused_one, items, channels, queries, np.unique(companies) if candidates else None)
    per = [ch for ch, _, _ in searched]
    fused = np.stack([f for _, f, _ in searched])
    best = np.argmax(fused, axis=0)  # the first best search wins ties
    cols = np.arange(fused.shape[1])
    channels = {name: np.stack([ch[name] for ch in per])[best, cols] for name in per[0]}
    channels["_query"] = best
    scored = np.unique(np.concatenate([c for _, _, c in searched])) if candidates else None
    return Ranking(fused[best, cols], items, channels, queries, scored)


def _remembered(
    memo: Memo[str, np.ndarray], encoder: Encoder, texts: Sequence[str], known: dict[str, np.ndarray]
) -> np.ndarray:
    """The vectors of ``texts`` as query vectors: those ``known`` as they are, the rest encoded once (each
    distinct text) and remembered in ``memo``."""
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        fresh = dict(zip(missing, encode_queries(encoder, missing), strict=True))
        known.update(fresh)
        memo.put_many(fresh)
    return np.stack([known[t] for t in texts]).astype(np.float32)


class MatchCore(TopRanker):
    """Two-sided matching over a pool of companies; ``encoder=None`` runs the lexical channels only.

    Query items are encoded by ``query_encoder`` when given, else by ``encoder``, and their vectors are
    remembered in memory (``VECTOR_CACHE_SIZE`` items, least recently used dropped).

    ``profile_encoder`` (with ``profile_query_encoder`` for demands, e.g. the same model without a disk
    cache) embeds the company profiles and each search's focus for the ``dense_profile`` channel; None: the
    same ``encoder`` as the product names (``matcher.ranking.semantic.Focus``).

    ``fusion`` combines supplier-search channels, ``buyer_fusion`` buyer-recommendation channels (by name,
    see ``matcher.ranking.fusion``). Both default to reciprocal rank fusion, the better on the dev sets
    (``benchmarks/bench_quality.py``).

    ``pool_dir``: where large pools keep their lexical indexes and product table, mapped by every process
    fitting the same pool (``matcher.ranking.shared``); None builds them in memory.

    ``search``: ``exhaustive`` scores every company of the pool per supplier search; ``candidates`` scores
    only the companies its indexes name (``matcher.retrieval.candidates``, each channel's best
    ``candidate_depth``) with the same channels and fusion.
    """

    supplier_: SupplierFeatures  # learned by ``fit``
    semantic_: SemanticFeatures
    buyer_: BuyerFeatures
    profile_sample_: np.ndarray | None  # profile vectors a demand's ``profile`` evidence is measured against

    def __init__(
        self,
        encoder: Encoder | None,
        *,
        weights: Weights | None = None,
        fusion: str = "rrf",
        buyer_fusion: str = "rrf",
        upstream: UpstreamPairs | None = None,
        industry_up: Mapping[str, Mapping[str, float]] | None = None,
        query_encoder: Encoder | None = None,
        profile_encoder: Encoder | None = None,
        profile_query_encoder: Encoder | None = None,
        search: str = "exhaustive",
        candidate_depth: int = 300,
        pool_dir: Path | None = None,
    ) -> None:
        if search not in ("exhaustive", "candidates"):
            raise ValueError(f"未知的供应商检索方式：{search!r}（可选：exhaustive、candidates）")
        self.search = search
        self.candidate_depth = candidate_depth
        self.pool_dir = pool_dir
        self.encoder = encoder
        self.query_encoder = query_encoder  # encodes query items when given (e.g. without a disk cache)
        self.profile_encoder = profile_encoder if encoder is not None else None
        self.profile_query_encoder = profile_query_encoder
        self.weights = weights or Weights()
        self.fusion = fusion
        self.buyer_fusion = buyer_fusion
        self.upstream = upstream
        self.industry_up = industry_up
        self._vectors: Memo[str, np.ndarray] = Memo(VECTOR_CACHE_SIZE)  # item text -> query vector
        self._profile_vectors: Memo[str, np.ndarray] = Memo(VECTOR_CACHE_SIZE)  # focus -> profile space

    def fit(self, docs: Iterable[ProfileDoc | Any], like: MatchCore | None = None) -> MatchCore:
        """Index the pool: ``ProfileDoc``s, registry ``Enterprise``s or corpus dicts.

        ``like``: a fitted core whose vocabularies and IDF this one reuses instead of learning its own, so
        both score on one scale (the delta of a pool beside its main part, ``matcher.ranking.layered``).
        """
        self.docs_ = [as_profile_doc(d) for d in docs]
        self.supplier_, self.semantic_, self.buyer_ = pool_features(
            self.docs_,
            self.encoder,
            self.pool_dir,
            self.upstream,
            self.industry_up,
            profile_encoder=self.profile_encoder,
            like=(like.supplier_, like.semantic_, like.buyer_) if like is not None else None,
        )
        self._symmetric = _symmetric(self.query_encoder or self.encoder)
        profiles = self.semantic_.profiles_vec
        if like is not None:
            self.profile_sample_ = like.profile_sample_  # one scale for both parts of a pool
        elif profiles is not None and len(profiles):
            rows = np.linspace(0, len(profiles) - 1, min(PROFILE_SAMPLE, len(profiles))).astype(np.int64)
            self.profile_sample_ = np.asarray(profiles[rows], dtype=np.float32)
        else:
            self.profile_sample_ = None
        self.candidates_ = None
        if self.search == "candidates":
            self.candidates_ = CandidateIndex(
                self.supplier_,
                self.semantic_,
                self.candidate_depth,
                own_profiles=self.profile_encoder is not None,
            )
            self.candidates_.prepare(self.buyer_)
        return self

    def forget_queries(self) -> None:
        """Drop what earlier queries left in memory (query vectors, graph products' neighbours), so the
        next query costs what a new text costs (``benchmarks/bench_candidates.py``)."""
        self._vectors.clear()
        self._profile_vectors.clear()
        if self.candidates_ is not None:
            self.candidates_.forget()

    def _check(self) -> None:
        if not hasattr(self, "docs_"):
            raise RuntimeError("MatchCore 尚未 fit，请先调用 fit(docs)")

    @property
    def n_companies(self) -> int:
        return self.supplier_.table.n_companies

    @property
    def exhaustive(self) -> bool:
        return self.candidates_ is None

    def supplier_values(
        self, i: int, items: Sequence[str], channels: dict[str, np.ndarray]
    ) -> tuple[str, str, dict[str, float]]:
        """Company ``i``'s matched product, explanation and channel values in a supplier ranking's channels."""
        return self.supplier_.match(i, 0.0, items, channels)

    def _profile_evidence(self, similarity: np.ndarray, focus: Focus | None) -> np.ndarray:
        """``profile``: how far each company's profile cosine lies above what this demand scores against
        most companies (the ``PROFILE_PERCENTILE`` of a fixed sample of the pool's profiles), 0-1.

        A baseline per demand, not per model: profiles read as demands against each other score higher
        (0.80 under e5-graph) than most demands score against any profile, so a model-wide baseline left
        nothing to count (docs/benchmarks-quality.md).
        """
        if focus is None or self.profile_sample_ is None:
            return np.zeros(len(similarity))
        base = float(np.percentile(self.profile_sample_ @ focus.profiles, PROFILE_PERCENTILE))
        if base >= 1.0:
            return np.zeros(len(similarity))
        return np.clip((similarity - base) / (1.0 - base), 0.0, 1.0)

    def buyer_values(
        self, i: int, items: Sequence[str], channels: dict[str, np.ndarray]
    ) -> tuple[str, str, dict[str, float]]:
        """Company ``i``'s matched product, explanation and channel values in a buyer ranking's channels."""
        return self.buyer_.match(i, 0.0, items, channels)

    def _items_vectors(self, items: Sequence[str]) -> np.ndarray | None:
        """Query vectors of the parsed items, remembered in memory: items repeat across demand texts."""
        if self.encoder is None or not items:
            return None
        known = self._vectors.get_many(items)
        names = self.supplier_.names_vec if self._symmetric else None
        if names is not None:  # an item that is a product name of the pool already has its vector
            rows = self.supplier_.table.name_rows
            known.update({t: names[rows[t]] for t in items if t not in known and t in rows})
        return _remembered(self._vectors, self.query_encoder or self.encoder, items, known)

    def foci(self, texts: Sequence[str]) -> list[Focus | None]:
        """Each search text embedded for the product names and for the profiles (None without an encoder)."""
        vectors = self._items_vectors(texts)
        if vectors is None:
            return [None] * len(texts)
        if self.profile_encoder is None:
            return [Focus(v, v) for v in vectors]
        encoder = self.profile_query_encoder or self.profile_encoder
        profiles = _remembered(self._profile_vectors, encoder, texts, self._profile_vectors.get_many(texts))
        return [Focus(v, p) for v, p in zip(vectors, profiles, strict=True)]

    def searched(self, text: str, also: np.ndarray | None = None) -> Ranking:
        """Scores of every company as a supplier for the demand ``text``, before feedback.

        Every search of the demand (each line item of a plan, else the whole focus) is scored and fused on
        its own; a company keeps its best search (``channels["_query"]``), so a plan's suppliers of any item
        rank together, each attributed to its item. With candidate search, the companies ``also`` names
        are scored besides the candidates.
        """
        self._check()
        understood = understand_demand(text)
        queries = search_queries(understood)
        foci = self.foci([q.text for q in queries])
        searched = [self._search(q, focus, also) for q, focus in zip(queries, foci, strict=True)]
        return best_search(understood.items, queries, searched, self.candidates_ is not None)

    def feedback_values(self, names: Sequence[str], companies: np.ndarray) -> np.ndarray:
        rows = CompanyRows.of(self.supplier_.table, companies)
        w = self.weights  # the item channel's weighting of name, characters and meaning, on a 0-1 scale
        scores = self.supplier_.name_scores(names, None, w, rows.names).row / (w.exact + w.lexical + w.dense)
        return rows.max(scores)

    def _search(
        self, query: Query, focus: Focus | None, also: np.ndarray | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """One search's channels and fused score over the pool, and the companies scored (all or candidates).

        With candidates, companies outside them get 0 in every channel and score (row -1): what a company
        no channel finds gets from rank fusion.
        """
        if self.candidates_ is None:
            channels = self._search_channels(query, focus)
            return channels, self._fuse_search(channels), np.arange(self.supplier_.table.n_companies)
        item_vectors = self._items_vectors(query.items)
        found = self.candidates_.companies(query.items, item_vectors, query.text, focus)
        if also is not None and len(also):
            found = found._replace(companies=np.union1d(found.companies, also))
        rows = CompanyRows.of(self.supplier_.table, found.companies)
        sub = self._candidate_channels(query, item_vectors, focus, rows, found.profile_scores)
        n = self.supplier_.table.n_companies
        channels = {}
        for name, values in sub.items():
            full = np.full(n, -1, np.int64) if name.endswith("_row") else np.zeros(n)
            full[found.companies] = values
            channels[name] = full
        fused = np.zeros(n)
        fused[found.companies] = self._fuse_search(sub)
        return channels, fused, found.companies

    def _candidate_channels(
        self,
        query: Query,
        item_vectors: np.ndarray | None,
        focus: Focus | None,
        rows: CompanyRows,
        profile_scores: Mapping[str, np.ndarray],
    ) -> dict[str, np.ndarray]:
        """``_search_channels`` on the ``rows.companies`` only (arrays in their order)."""
        supplier, companies = self.supplier_, rows.companies
        names_vec = None if supplier.names_vec is None else supplier.names_vec[rows.names]  # gathered once
        blocked = supplier.table.names_containing(query.refused)
        names = supplier.name_scores(query.items, item_vectors, self.weights, rows.names, names_vec, blocked)
        out = {
            "item": rows.max(names.row),
            "exact": rows.max(names.exact),
            "lexical": rows.max(names.lexical),
            "dense": rows.max(names.dense),
            "text": profile_scores["text"][companies],
            "words": profile_scores["words"][companies],
            "_best_row": rows.argmax(names.row),
        }
        profiles = self.semantic_.profiles_vec
        if focus is None or names_vec is None or profiles is None:
            out["dense_product"] = out["dense_profile"] = out["profile"] = np.zeros(len(companies))
            out["_dense_row"] = np.full(len(companies), -1, dtype=np.int64)
            return _shown_dense(out)
        by_name = dense_scores(focus.names[None, :], names_vec)[0]
        if blocked is not None:
            by_name = np.where(blocked[rows.names], 0.0, by_name).astype(by_name.dtype)
        out["dense_product"] = rows.max(by_name)
        out["_dense_row"] = rows.argmax(by_name)
        out["dense_profile"] = dense_scores(focus.profiles[None, :], profiles[companies])[0].astype(
            np.float64
        )
        out["profile"] = self._profile_evidence(out["dense_profile"], focus)
        return _shown_dense(out)

    def _search_channels(self, query: Query, focus: Focus | None) -> dict[str, np.ndarray]:
        """All supplier channels of one search: the parsed items per product, the focus against profiles.
        Products of a refused business (贸易商勿扰: names with 贸易) are not matched."""
        items = query.items
        supplier = self.supplier_
        blocked = supplier.table.names_containing(query.refused)
        channels = supplier.channels(items, self._items_vectors(items), query.text, self.weights, blocked)
        channels.update(
            self.semantic_.channels(query.text, focus, supplier.table, supplier.names_vec, blocked)
        )
        channels["profile"] = self._profile_evidence(channels["dense_profile"], focus)
        return _shown_dense(channels)

    def _fuse_search(self, channels: Mapping[str, np.ndarray]) -> np.ndarray:
        return fuse_supplier(channels, self.weights, self.fusion)

    def search_channels(self, text: str) -> tuple[tuple[Query, ...], list[dict[str, np.ndarray]]]:
        """The searches of the demand ``text`` and each one's channels over the whole pool, unfused: what
        ``rank_suppliers`` fuses on the exhaustive path (``benchmarks/bench_fusion.py`` weighs them)."""
        self._check()
        queries = search_queries(understand_demand(text))
        foci = self.foci([q.text for q in queries])
        return queries, [self._search_channels(q, focus) for q, focus in zip(queries, foci, strict=True)]

    def supplier_match(self, i: int, ranking: Ranking) -> tuple[str, str, dict[str, float]]:
        """Company ``i``'s matched product, explanation and channel values; for a plan, the line item first."""
        search = ranking.searches[int(ranking.channels["_query"][i])] if ranking.searches else None
        items = search.items if search is not None else ranking.items
        product, explanation, shown = self.supplier_values(i, items, ranking.channels)
        if "feedback" in ranking.channels and i not in ranking.feedback_from:  # the first read themselves
            shown["feedback"] = round(float(ranking.channels["feedback"][i]), 4)
            explanation = explain_supplier("、".join(items), product, shown)
        if search is not None and search.label:
            explanation = f"{search.label}。{explanation}"
        return product, explanation, shown

    def rank_buyers(self, text: str) -> Ranking:
        """Scores of every company as a buyer of what the offer ``text`` says it makes."""
        self._check()
        items = parse_offer(text).items
        vectors = self._items_vectors(items)
        if self.candidates_ is None:
            channels = self.buyer_.channels(items, vectors, self.weights)
            return Ranking(self.fuse_buyers(channels), items, channels)
        found, sub = self.candidates_.buyers(self.buyer_, items, vectors, self.weights)
        n = self.supplier_.table.n_companies
        channels = {}
        for name, values in sub.items():  # companies outside the candidates: 0, row -1 (as for suppliers)
            full = np.full(n, -1, np.int64) if name.endswith("_row") else np.zeros(n)
            full[found] = values
            channels[name] = full
        scores = np.zeros(n)
        scores[found] = self.fuse_buyers(sub)
        return Ranking(scores, items, channels, candidates=found)

    def fuse_buyers(self, channels: Mapping[str, np.ndarray]) -> np.ndarray:
        """The buyer channels of an offer as one score per company (``buyer_fusion``)."""
        weighted = {"chain": 1.0, "industry": self.weights.industry}
        ranked = ("inputs", "uses", "direct", "industry")
        if self.buyer_fusion == "weighted":
            return get_fusion("weighted")([channels[n] for n in weighted], list(weighted.values()))
        if self.buyer_fusion == "rrf":  # each channel's best BUYER_RRF_DEPTH: candidate search holds them
            values = [channels[n] for n in ranked]
            return rrf(values, self.weights.buyer_rrf, k=RRF_K, depth=BUYER_RRF_DEPTH)
        return get_fusion(self.buyer_fusion)([channels[n] for n in ranked], [1.0] * len(ranked))

    def suppliers_for(self, text: str, k: int = 10, exclude: Iterable[str] = ()) -> list[Match]:
        """The ``k`` best suppliers for a demand, best first, without the ``exclude``d company ids."""
        ranking = self.rank_suppliers(text)
        table = self.supplier_.table
        out = []
        for i in self._top(ranking.scores, k, exclude):
            product, explanation, channels = self.supplier_match(i, ranking)
            out.append(
                Match(table.ids[i], table.names[i], float(ranking.scores[i]), product, channels, explanation)
            )
        return out

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
