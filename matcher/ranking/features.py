"""Channel features of the pool for both matching directions, built once by ``MatchCore.fit``.

Each ``channels`` call returns company-level arrays by channel name plus ``_best_row`` (each company's
best product row), which the explanations read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse

from matcher.encoders.base import Encoder
from matcher.ranking import buyer
from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.dense import dense_scores
from matcher.ranking.explain import explain_buyer, explain_supplier
from matcher.ranking.lexical import CharTfidf, DocIndex, cosine_scores
from matcher.ranking.scoring import exact_scores
from matcher.ranking.table import ProductTable
from matcher.text.normalize import product_key
from matcher.text.profiles import ProfileDoc, enterprise_profile

Channels = dict[str, np.ndarray]

# the supplier channel values a match shows (reasons, relevance): the product-level ones, then how near the
# business as a whole is (``MatchCore._profile_evidence``)
SHOWN = ("exact", "lexical", "dense", "text", "profile")


def _mix(lexical: np.ndarray, dense: np.ndarray | None, alpha: float = 0.5) -> np.ndarray:
    """``(1 - alpha) * lexical + alpha * dense`` similarity; lexical alone without an encoder."""
    return lexical if dense is None else (1.0 - alpha) * lexical + alpha * dense


class NameScores(NamedTuple):
    """Similarity of the wanted items to each distinct product name of the pool (``table.distinct_names``)."""

    exact: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray  # the lexical similarity again when there is no encoder
    row: np.ndarray  # the weighted per-product score: exact, lexical and dense together


@dataclass
class SupplierFeatures:
    """Lexical and dense representations of the pool's distinct product names, and a whole-profile index.

    Products are scored once per distinct name and read per row: the 100k-enterprise sample has 210k
    product rows but 720 names. The name TF-IDF learns its IDF from the rows, as before.
    """

    table: ProductTable
    lexical: CharTfidf
    names_lex: DocIndex
    names_vec: np.ndarray | None
    profiles: CharTfidf
    profiles_lex: DocIndex
    weights: Any = None

    @classmethod
    def build(
        cls, docs: Sequence[ProfileDoc], encoder: Encoder | None, like: SupplierFeatures | None = None
    ) -> SupplierFeatures:
        """Index ``docs``; with ``like``, in its fitted TF-IDF vocabularies and IDF instead of learning new
        ones, so the scores of both pools are on one scale (a pool's delta beside its main part)."""
        table = ProductTable.from_docs(docs)
        texts = [enterprise_profile(d) for d in docs]
        if like is None:
            lexical = CharTfidf((1, 2)).fit(table.product_names or [" "])
            profiles = CharTfidf((1, 2)).fit(texts or [" "])
        else:
            lexical, profiles = like.lexical, like.profiles
        vectors = encoder.encode(list(table.distinct_names)) if encoder is not None else None
        return cls(
            table,
            lexical,
            DocIndex.of(lexical.transform(table.distinct_names)),
            vectors,
            profiles,
            DocIndex.of(profiles.transform(texts)),
        )

    @property
    def rows_vec(self) -> np.ndarray | None:
        """The dense vector of every product row (a view by name; built on demand)."""
        return None if self.names_vec is None else self.names_vec[self.table.product_name]

    def name_sims(
        self,
        items: Sequence[str],
        vectors: np.ndarray | None,
        names: np.ndarray | None = None,
        names_vec: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Best lexical and dense similarity of each distinct product name (or of the ``names`` ids given,
        whose vectors ``names_vec`` may already hold) to any of the items."""
        n = len(self.table.distinct_names) if names is None else len(names)
        if not items:
            return np.zeros(n, np.float32), (None if vectors is None else np.zeros(n, np.float32))
        query = self.lexical.transform(items)
        if names is None:
            lex = self.names_lex.scores(query).max(axis=0)
        else:
            lex = np.asarray((self.names_lex.rows[names] @ query.T).toarray(), np.float32).max(axis=1)
        dense = None
        if vectors is not None and self.names_vec is not None:
            docs = (
                self.names_vec if names is None else self.names_vec[names] if names_vec is None else names_vec
            )
            dense = dense_scores(vectors, docs).max(axis=0)
        return lex, dense

    def item_sims(
        self, items: Sequence[str], vectors: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Best lexical and dense similarity of each product row to any of the items."""
        lex, dense = self.name_sims(items, vectors)
        rows = self.table.product_name
        return lex[rows], (None if dense is None else dense[rows])

    def name_scores(
        self,
        items: Sequence[str],
        vectors: np.ndarray | None,
        w: Any,
        names: np.ndarray | None = None,
        names_vec: np.ndarray | None = None,
        blocked: np.ndarray | None = None,
    ) -> NameScores:
        """The item scores of every distinct product name, or of the ``names`` ids given (candidates);
        names ``blocked`` (a mask over every distinct name: a refused business) score 0."""
        lex, dense = self.name_sims(items, vectors, names, names_vec)
        keys = [product_key(i) for i in items]
        table = self.table
        exact = exact_scores(keys, table.distinct_keys) if names is None else table.exact_names(keys, names)
        dense_or_lex = lex if dense is None else dense
        scores = NameScores(
            exact, lex, dense_or_lex, w.exact * exact + w.lexical * lex + w.dense * dense_or_lex
        )
        if blocked is None:
            return scores
        keep = ~(blocked if names is None else blocked[names])
        return NameScores(*(np.where(keep, s, 0.0).astype(s.dtype) for s in scores))

    def text_scores(self, text: str, companies: np.ndarray | None = None) -> np.ndarray:
        """Whole-profile similarity to ``text`` of every company, or of the ``companies`` given."""
        query = self.profiles.transform([text])
        sims = (
            self.profiles_lex.scores(query)
            if companies is None
            else self.profiles_lex.scores_of(query, companies)
        )
        return sims.ravel().astype(np.float64)

    def channels(
        self,
        items: Sequence[str],
        vectors: np.ndarray | None,
        text: str,
        w: Any,
        blocked: np.ndarray | None = None,
    ) -> Channels:
        names = self.name_scores(items, vectors, w, blocked=blocked)
        seg = self.table.segments
        return {
            "item": seg.max(names.row),
            "exact": seg.max(names.exact),
            "lexical": seg.max(names.lexical),
            "dense": seg.max(names.dense),
            "text": self.text_scores(text),
            "_best_row": seg.argmax(names.row),
        }

    def company_values(self, i: int, names: NameScores, text: float) -> tuple[int, dict[str, float]]:
        """Company ``i``'s best product row and its channel values, as ``channels`` gives them."""
        t = self.table
        first = int(t.segments.first[i])
        if first < 0:
            return -1, {"exact": 0.0, "lexical": 0.0, "dense": 0.0, "text": text}
        size = int(np.searchsorted(t.product_company, i, side="right")) - first
        ids = t.product_name[first : first + size]
        row = first + int(np.argmax(names.row[ids]))  # argmax: the first best row, as group_argmax
        values = {k: float(np.max(getattr(names, k)[ids])) for k in ("exact", "lexical", "dense")}
        return row, {**values, "text": text}

    def match(
        self, i: int, score: float, items: Sequence[str], ch: Channels
    ) -> tuple[str, str, dict[str, float]]:
        values = {
            k: float(ch[k][i]) for k in SHOWN if k in ch
        }  # ``profile``: only where a focus was embedded
        return self.describe(int(ch["_best_row"][i]), items, values)

    def describe(
        self, row: int, items: Sequence[str], values: Mapping[str, float]
    ) -> tuple[str, str, dict[str, float]]:
        """The matched product, the Chinese explanation and the shown channel values."""
        product = self.table.product_names[row] if row >= 0 else ""
        shown = {k: round(float(values[k]), 4) for k in SHOWN if k in values}
        return product, explain_supplier("、".join(items), product, shown), shown


@dataclass
class BuyerFeatures:
    """Chain pairs indexed against the pool's distinct product names, with their lexical and dense forms.

    Everything per product is computed per distinct name and reduced to companies through
    ``table.segments``, as on the supplier side.
    """

    supplier: SupplierFeatures
    chain: buyer.ChainIndex | None = None
    lexical: CharTfidf | None = None
    mat_lex: sparse.csr_matrix | None = None
    mat_vec: np.ndarray | None = None
    gp_lex: sparse.csr_matrix | None = None
    gp_vec: np.ndarray | None = None
    names_lex: DocIndex | None = None
    industry_names: tuple[str, ...] = ()
    industry_up: np.ndarray | None = None
    company_industry: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        supplier: SupplierFeatures,
        encoder: Encoder | None,
        upstream: UpstreamPairs | None,
        industry_up: Mapping[str, Mapping[str, float]] | None,
        like: BuyerFeatures | None = None,
    ) -> BuyerFeatures:
        """The buyer channels' indexes over ``supplier``'s pool; with ``like``, its fitted TF-IDF, chain
        vectors and industry codes are reused (``SupplierFeatures.build``'s ``like``)."""
        out = cls(supplier)
        if upstream is not None and upstream.pairs:
            out._build_chain(upstream, like)
        return out.completed(encoder, industry_up, like)

    def completed(
        self,
        encoder: Encoder | None,
        industry_up: Mapping[str, Mapping[str, float]] | None,
        like: BuyerFeatures | None = None,
    ) -> BuyerFeatures:
        """The parts a saved pool does not hold (``matcher.ranking.shared``): the chain's vectors and the
        industry links, both small; with ``like``, its industry codes."""
        if self.chain is not None and encoder is not None and self.mat_vec is None:
            self.mat_vec = encoder.encode(list(self.chain.materials))
            self.gp_vec = encoder.encode(list(self.chain.graph_products))
        if industry_up and like is not None and like.industry_up is not None:
            self._industries_like(like)
        elif industry_up:
            industries = self.supplier.table.industries
            names, matrix = buyer.industry_matrix(industries, industry_up)
            where = {n: i for i, n in enumerate(names)}
            self.industry_names, self.industry_up = tuple(names), matrix
            self.company_industry = np.asarray([where[n] for n in industries], dtype=np.int64)
        return self

    def _industries_like(self, like: BuyerFeatures) -> None:
        """``like``'s industry codes, plus one code without links (a zero row and column) for industries
        it has not seen: those firms get no industry evidence until the next full fit."""
        assert like.industry_up is not None
        where = {n: i for i, n in enumerate(like.industry_names)}
        unseen = len(where)
        self.industry_names = (*like.industry_names, "")
        self.industry_up = np.pad(like.industry_up, ((0, 1), (0, 1)))
        codes = [where.get(n, unseen) for n in self.supplier.table.industries]
        self.company_industry = np.asarray(codes, dtype=np.int64)

    def _build_chain(self, upstream: UpstreamPairs, like: BuyerFeatures | None) -> None:
        table = self.supplier.table
        self.chain = chain = buyer.ChainIndex.build(upstream, table.distinct_keys)
        if like is not None and like.lexical is not None:
            self.lexical, self.mat_lex, self.gp_lex = like.lexical, like.mat_lex, like.gp_lex
            self.mat_vec, self.gp_vec = like.mat_vec, like.gp_vec
            self.names_lex = DocIndex.of(like.lexical.transform(table.distinct_names))
            return
        keys = table.product_keys  # every row, so the IDF is the one learned before names were distinct
        self.lexical = lexical = CharTfidf((1, 2)).fit([*chain.materials, *chain.graph_products, *keys])
        self.mat_lex, self.gp_lex = (
            lexical.transform(chain.materials),
            lexical.transform(chain.graph_products),
        )
        self.names_lex = DocIndex.of(lexical.transform(table.distinct_names))

    def _material_sim(self, items: Sequence[str], vectors: np.ndarray | None, alpha: float) -> np.ndarray:
        assert self.lexical is not None and self.mat_lex is not None
        lex = cosine_scores(self.lexical.transform(items), self.mat_lex).max(axis=0)
        dense = (
            None
            if vectors is None or self.mat_vec is None
            else dense_scores(vectors, self.mat_vec).max(axis=0)
        )
        return _mix(lex, dense, alpha)

    def names_like(self, users: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Lexical and dense similarity of the graph products ``users`` to every distinct product name."""
        assert self.gp_lex is not None and self.names_lex is not None
        lex = self.names_lex.scores(self.gp_lex[users])
        names_vec = self.supplier.names_vec
        dense = (
            None if self.gp_vec is None or names_vec is None else dense_scores(self.gp_vec[users], names_vec)
        )
        return lex, dense

    def uses(
        self,
        users: np.ndarray,
        weight: np.ndarray,
        near: Sequence[np.ndarray],
        alpha: float,
        n_rows: int,
        rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """``buyer.via_uses`` of the graph products ``users`` (with their ``weight``, ``buyer.chosen_users``)
        on their ``near`` name ids: each pair's similarity computed here (the same arithmetic whether the
        whole pool is scored or the candidate names ``rows``)."""
        assert self.gp_lex is not None and self.names_lex is not None
        if not len(near):
            return np.zeros(n_rows, np.float32)
        pair_user = np.repeat(users, [len(a) for a in near])
        names = np.concatenate(near)
        lex = np.asarray(self.names_lex.rows[names].multiply(self.gp_lex[pair_user]).sum(axis=1), np.float32)
        pool_vec = self.supplier.names_vec
        dense = None
        if self.gp_vec is not None and pool_vec is not None:
            dense = np.einsum("ij,ij->i", self.gp_vec[pair_user], pool_vec[names]).astype(np.float32)
        return buyer.via_uses(weight, near, _mix(lex.ravel(), dense, alpha), n_rows, rows)

    def channels(self, items: Sequence[str], vectors: np.ndarray | None, w: Any) -> Channels:
        t = self.supplier.table
        seg, n_names = t.segments, len(t.distinct_names)
        direct = _mix(*self.supplier.name_sims(items, vectors), w.mix)
        inputs = uses = np.zeros(n_names, np.float32)
        if self.chain is not None and items:
            material_sim = self._material_sim(items, vectors, w.mix)
            inputs = buyer.via_inputs(self.chain, material_sim)
            users, weight = buyer.chosen_users(material_sim, self.chain.material_uses)
            if len(users):
                near = buyer.nearest(*self.names_like(users))
                uses = self.uses(users, weight, near, w.mix, n_names)
        row = w.inputs * inputs + w.uses * uses + w.direct * direct
        industry = np.zeros(t.n_companies)
        if self.industry_up is not None and self.company_industry is not None:
            sellers = seg.max(direct)
            industry = buyer.industry_scores(sellers, self.company_industry, self.industry_up).astype(
                np.float64
            )
        return {
            "chain": seg.max(row),
            "inputs": seg.max(inputs),
            "uses": seg.max(uses),
            "direct": seg.max(direct),
            "industry": industry,
            "_best_row": seg.argmax(row),
        }

    def match(
        self, i: int, score: float, items: Sequence[str], ch: Channels
    ) -> tuple[str, str, dict[str, float]]:
        row = int(ch["_best_row"][i])
        product = self.supplier.table.product_names[row] if row >= 0 else ""
        shown = {k: round(float(ch[k][i]), 4) for k in ("inputs", "uses", "direct", "industry")}
        via = ""
        if shown["inputs"] >= max(shown["uses"], 0.3):
            via = "其已知原料与该产品相近"
        elif shown["uses"] >= 0.3:
            via = "产业链中使用同类原料的产品与其相近"
        elif shown["industry"] > 0:
            via = "所属行业常从该产品所在行业采购"
        return product, explain_buyer("、".join(items), product, via, shown), shown
