"""A fitted pool updated by enterprise id without refitting it: a frozen main part, a small delta, tombstones.

As Lucene adds a segment for new documents and marks deleted ones instead of rewriting its index, the pool
keeps its fitted ``MatchCore`` (the main part) and answers changes with a second core fitted on the added
or changed enterprises alone (the delta, in the main part's vocabularies and IDF: ``MatchCore.fit(like=)``)
while the main rows of changed or removed enterprises are dead. Positions ``0 .. n_main - 1`` are the main
part's, the delta follows. Per search both parts compute the same channels, dead rows score 0 in every
channel (rank fusion gives them no rank), and the channels are joined before fusion: a company's rank is
the one it would have in a core fitted on the live enterprises, up to the statistics the delta borrows.

Where it can differ from a full refit: the IDF of the character and word TF-IDF channels stays the main
part's (n-grams that only delta enterprises use are unknown to it and do not count), and an industry the
main part has not seen gets no industry evidence on the buyer side; both are put right by the next full fit,
which the engine starts when the delta outgrows ``settings.pool_delta_limit``. The dense channels are exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.ranking import buyer
from matcher.ranking.core import MatchCore, Ranking, Searched, TopRanker, TopSuppliers, best_search
from matcher.ranking.semantic import Focus
from matcher.text.demand import Query, search_queries, understand_demand


def delta_core(main: MatchCore, docs: Sequence[object]) -> MatchCore:
    """A core over ``docs`` that scores on ``main``'s scale (its vocabularies, IDF and chain knowledge),
    scored exhaustively (it is small) and sharing ``main``'s memory of query vectors."""
    core = MatchCore(
        main.encoder,
        weights=main.weights,
        fusion=main.fusion,
        buyer_fusion=main.buyer_fusion,
        upstream=main.upstream,
        industry_up=main.industry_up,
        query_encoder=main.query_encoder,
        profile_encoder=main.profile_encoder,
        profile_query_encoder=main.profile_query_encoder,
    )
    core._vectors = main._vectors  # a query item is encoded once (the memo carries its lock)
    core._profile_vectors = main._profile_vectors
    return core.fit(docs, like=main)


def _dead_zero(channels: dict[str, np.ndarray], dead: np.ndarray) -> dict[str, np.ndarray]:
    """The channels with every score of a dead row 0 (row indexes, named ``_...``, are kept)."""
    if not dead.any():
        return channels
    return {k: v if k.startswith("_") else np.where(dead, 0, v).astype(v.dtype) for k, v in channels.items()}


def _joined(main: dict[str, np.ndarray], delta: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    return main if delta is None else {k: np.concatenate([v, delta[k]]) for k, v in main.items()}


class LayeredCore(TopRanker):
    """A main core, the delta core of the enterprises added or changed since it was fitted (or None), and
    ``dead``: the main rows those and the removed enterprises replace. See the module's docstring."""

    def __init__(self, main: MatchCore, delta: MatchCore | None, dead: np.ndarray) -> None:
        if len(dead) != main.n_companies:
            raise ValueError(f"dead 的长度 {len(dead)} 与主体企业数 {main.n_companies} 不一致")
        self.main, self.delta, self.dead = main, delta, dead
        self.n_main = main.n_companies
        self.n_delta = 0 if delta is None else delta.n_companies
        self.live = np.concatenate([~dead, np.ones(self.n_delta, dtype=bool)])
        self.candidate_depth, self.weights = main.candidate_depth, main.weights
        self.encoder, self.query_encoder = main.encoder, main.query_encoder
        self.supplier_ = (
            main.supplier_
        )  # the vocabulary and scale both parts share (reasons, relevance baseline)

    @property
    def n_companies(self) -> int:
        return self.n_main + self.n_delta

    @property
    def exhaustive(self) -> bool:
        return self.main.exhaustive

    @property
    def layered(self) -> bool:
        """Whether anything changed since the main part was fitted."""
        return self.delta is not None or bool(self.dead.any())

    def top_suppliers(
        self, text: str, k: int, *, eligible: np.ndarray | None = None, boosts: Sequence = ()
    ) -> TopSuppliers:
        """``MatchCore.top_suppliers`` over the live companies (dead rows are never eligible)."""
        allowed = self.live if eligible is None else eligible & self.live
        return super().top_suppliers(text, k, eligible=allowed, boosts=boosts)

    # -- suppliers -----------------------------------------------------------------------------------------

    def searched(self, text: str, also: np.ndarray | None = None) -> Ranking:
        """``MatchCore.searched`` over both parts: the same searches, channels joined before fusion."""
        if not self.layered:
            return self.main.searched(text, also)
        understood = understand_demand(text)
        queries = search_queries(understood)
        foci = self.main.foci([q.text for q in queries])
        in_main = None if also is None else also[also < self.n_main]
        searched = [self._search(q, focus, in_main) for q, focus in zip(queries, foci, strict=True)]
        return best_search(understood.items, queries, searched, not self.exhaustive)

    def _search(self, query: Query, focus: Focus | None, also: np.ndarray | None) -> Searched:
        main = self.main
        if main.exhaustive:
            channels, found = main._search_channels(query, focus), np.arange(self.n_main)
        else:
            channels, _, found = main._search(query, focus, also)
        channels = _dead_zero(channels, self.dead)
        found = found[~self.dead[found]]
        delta = None if self.delta is None else self.delta._search_channels(query, focus)
        joined = _joined(channels, delta)
        scored = np.concatenate([found, np.arange(self.n_main, self.n_companies)])
        return joined, main._fuse_search(joined), scored

    def feedback_values(self, names: Sequence[str], companies: np.ndarray) -> np.ndarray:
        out = np.zeros(len(companies))
        in_main = companies < self.n_main
        out[in_main] = self.main.feedback_values(names, companies[in_main])
        if self.delta is not None and not in_main.all():
            out[~in_main] = self.delta.feedback_values(names, companies[~in_main] - self.n_main)
        return out

    def supplier_match(self, i: int, ranking: Ranking) -> tuple[str, str, dict[str, float]]:
        if i < self.n_main or self.delta is None:
            return self.main.supplier_match(i, ranking)
        own = ranking._replace(channels={k: v[self.n_main :] for k, v in ranking.channels.items()})
        return self.delta.supplier_match(i - self.n_main, own)

    def supplier_values(
        self, i: int, items: Sequence[str], channels: dict[str, np.ndarray]
    ) -> tuple[str, str, dict[str, float]]:
        part, j, own = self._part(i, channels)
        return part.supplier_values(j, items, own)

    def _part(self, i: int, channels: dict[str, np.ndarray]) -> tuple[MatchCore, int, dict[str, np.ndarray]]:
        """The core that holds position ``i``, its position there, and the channels of that core's rows."""
        if i < self.n_main or self.delta is None:
            return self.main, i, channels
        return self.delta, i - self.n_main, {k: v[self.n_main :] for k, v in channels.items()}

    # -- buyers --------------------------------------------------------------------------------------------

    def rank_buyers(self, text: str) -> Ranking:
        """``MatchCore.rank_buyers`` over both parts; the industry channel, which reads the best sellers of
        the whole pool, is computed again over the joined pool."""
        ranking = self.main.rank_buyers(text)
        if not self.layered:
            return ranking
        items = ranking.items
        delta = None
        if self.delta is not None:
            vectors = self.main._items_vectors(items)
            delta = self.delta.buyer_.channels(items, vectors, self.main.weights)
        channels = _joined(_dead_zero(ranking.channels, self.dead), delta)
        industry = self._industry(channels["direct"])
        if industry is not None and ranking.candidates is not None:  # only the companies scored, as there
            scored = np.zeros(self.n_companies, dtype=bool)
            scored[ranking.candidates] = scored[self.n_main :] = True
            industry = np.where(scored, industry, 0.0)
        if industry is not None:
            channels["industry"] = industry
        return Ranking(self.main.fuse_buyers(channels), items, channels)

    def _industry(self, direct: np.ndarray) -> np.ndarray | None:
        """The industry channel over the joined pool from each company's ``direct`` similarity."""
        main, delta = self.main.buyer_, None if self.delta is None else self.delta.buyer_
        if main.industry_up is None or main.company_industry is None:
            return None
        sellers = np.asarray(direct, dtype=np.float64).copy()
        sellers[: self.n_main][self.dead] = 0.0
        if delta is None or delta.industry_up is None or delta.company_industry is None:
            codes, matrix = main.company_industry, main.industry_up
        else:  # the delta's matrix is the main one plus a code for unseen industries
            codes, matrix = np.concatenate([main.company_industry, delta.company_industry]), delta.industry_up
        return buyer.industry_scores(sellers, codes, matrix).astype(np.float64)

    def buyer_values(
        self, i: int, items: Sequence[str], channels: dict[str, np.ndarray]
    ) -> tuple[str, str, dict[str, float]]:
        part, j, own = self._part(i, channels)
        return part.buyer_values(j, items, own)
