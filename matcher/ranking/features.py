"""Channel features of the pool for both matching directions, built once by ``MatchCore.fit``.

Each ``channels`` call returns company-level arrays by channel name plus ``_best_row`` (each company's
best product row), which the explanations read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from matcher.encoders.base import Encoder
from matcher.ranking import buyer
from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.dense import dense_scores
from matcher.ranking.explain import explain_buyer, explain_supplier
from matcher.ranking.lexical import CharTfidf, cosine_scores
from matcher.ranking.scoring import exact_scores, group_argmax, group_max
from matcher.ranking.table import ProductTable
from matcher.text.normalize import product_key
from matcher.text.profiles import ProfileDoc, enterprise_profile

Channels = dict[str, np.ndarray]


def _mix(lexical: np.ndarray, dense: np.ndarray | None, alpha: float = 0.5) -> np.ndarray:
    """``(1 - alpha) * lexical + alpha * dense`` similarity; lexical alone without an encoder."""
    return lexical if dense is None else (1.0 - alpha) * lexical + alpha * dense


@dataclass
class SupplierFeatures:
    """Per-product lexical and dense representations of the pool, and a whole-profile lexical index."""

    table: ProductTable
    lexical: CharTfidf
    rows_lex: sparse.csr_matrix
    rows_vec: np.ndarray | None
    profiles: CharTfidf
    profiles_lex: sparse.csr_matrix
    weights: Any = None

    @classmethod
    def build(cls, docs: Sequence[ProfileDoc], encoder: Encoder | None) -> SupplierFeatures:
        table = ProductTable.from_docs(docs)
        lexical = CharTfidf((1, 2)).fit(table.product_names or [" "])
        texts = [enterprise_profile(d) for d in docs]
        profiles = CharTfidf((1, 2)).fit(texts or [" "])
        vectors = encoder.encode(list(table.product_names)) if encoder is not None else None
        return cls(
            table,
            lexical,
            lexical.transform(table.product_names),
            vectors,
            profiles,
            profiles.transform(texts),
        )

    def item_sims(
        self, items: Sequence[str], vectors: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Best lexical and dense similarity of each product row to any of the items."""
        n = len(self.table.product_names)
        if not items:
            return np.zeros(n, np.float32), (None if vectors is None else np.zeros(n, np.float32))
        lex = cosine_scores(self.lexical.transform(items), self.rows_lex).max(axis=0)
        dense = None
        if vectors is not None and self.rows_vec is not None:
            dense = dense_scores(vectors, self.rows_vec).max(axis=0)
        return lex, dense

    def channels(self, items: Sequence[str], vectors: np.ndarray | None, text: str, w: Any) -> Channels:
        t = self.table
        lex, dense = self.item_sims(items, vectors)
        exact = exact_scores([product_key(i) for i in items], t.product_keys)
        dense_or_lex = lex if dense is None else dense
        row = w.exact * exact + w.lexical * lex + w.dense * dense_or_lex
        n, groups = t.n_companies, t.product_company
        text_sim = cosine_scores(self.profiles.transform([text]), self.profiles_lex).ravel()
        return {
            "item": group_max(row, groups, n),
            "exact": group_max(exact, groups, n),
            "lexical": group_max(lex, groups, n),
            "dense": group_max(dense_or_lex, groups, n),
            "text": text_sim.astype(np.float64),
            "_best_row": group_argmax(row, groups, n),
        }

    def match(
        self, i: int, score: float, items: Sequence[str], ch: Channels
    ) -> tuple[str, str, dict[str, float]]:
        row = int(ch["_best_row"][i])
        product = self.table.product_names[row] if row >= 0 else ""
        shown = {k: round(float(ch[k][i]), 4) for k in ("exact", "lexical", "dense", "text")}
        return product, explain_supplier("、".join(items), product, shown), shown


@dataclass
class BuyerFeatures:
    """Chain pairs indexed against the pool's product rows, with their lexical and dense forms."""

    supplier: SupplierFeatures
    chain: buyer.ChainIndex | None = None
    lexical: CharTfidf | None = None
    mat_lex: sparse.csr_matrix | None = None
    mat_vec: np.ndarray | None = None
    gp_lex: sparse.csr_matrix | None = None
    gp_vec: np.ndarray | None = None
    rows_lex: sparse.csr_matrix | None = None
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
    ) -> BuyerFeatures:
        out = cls(supplier)
        if upstream is not None and upstream.pairs:
            out._build_chain(upstream, encoder)
        if industry_up:
            names, matrix = buyer.industry_matrix(supplier.table.industries, industry_up)
            where = {n: i for i, n in enumerate(names)}
            out.industry_names, out.industry_up = tuple(names), matrix
            out.company_industry = np.asarray([where[n] for n in supplier.table.industries], dtype=np.int64)
        return out

    def _build_chain(self, upstream: UpstreamPairs, encoder: Encoder | None) -> None:
        keys = self.supplier.table.product_keys
        self.chain = chain = buyer.ChainIndex.build(upstream, keys)
        self.lexical = lexical = CharTfidf((1, 2)).fit([*chain.materials, *chain.graph_products, *keys])
        self.mat_lex, self.gp_lex = (
            lexical.transform(chain.materials),
            lexical.transform(chain.graph_products),
        )
        self.rows_lex = lexical.transform(self.supplier.table.product_names)
        if encoder is not None:
            self.mat_vec = encoder.encode(list(chain.materials))
            self.gp_vec = encoder.encode(list(chain.graph_products))

    def _material_sim(self, items: Sequence[str], vectors: np.ndarray | None, alpha: float) -> np.ndarray:
        assert self.lexical is not None and self.mat_lex is not None
        lex = cosine_scores(self.lexical.transform(items), self.mat_lex).max(axis=0)
        dense = (
            None
            if vectors is None or self.mat_vec is None
            else dense_scores(vectors, self.mat_vec).max(axis=0)
        )
        return _mix(lex, dense, alpha)

    def _rows_like(self, users: np.ndarray, alpha: float) -> np.ndarray:
        assert self.gp_lex is not None and self.rows_lex is not None
        lex = cosine_scores(self.gp_lex[users], self.rows_lex)
        rows_vec = self.supplier.rows_vec
        dense = (
            None if self.gp_vec is None or rows_vec is None else dense_scores(self.gp_vec[users], rows_vec)
        )
        return _mix(lex, dense, alpha)

    def channels(self, items: Sequence[str], vectors: np.ndarray | None, w: Any) -> Channels:
        t = self.supplier.table
        n, groups, n_rows = t.n_companies, t.product_company, len(t.product_names)
        direct = _mix(*self.supplier.item_sims(items, vectors), w.mix)
        inputs = uses = np.zeros(n_rows, np.float32)
        if self.chain is not None and items:
            material_sim = self._material_sim(items, vectors, w.mix)
            inputs = buyer.via_inputs(self.chain, material_sim)
            uses = buyer.via_uses(
                material_sim, self.chain.material_uses, lambda users: self._rows_like(users, w.mix), n_rows
            )
        row = w.inputs * inputs + w.uses * uses + w.direct * direct
        industry = np.zeros(n)
        if self.industry_up is not None and self.company_industry is not None:
            sellers = group_max(direct, groups, n)
            industry = buyer.industry_scores(sellers, self.company_industry, self.industry_up).astype(
                np.float64
            )
        return {
            "chain": group_max(row, groups, n),
            "inputs": group_max(inputs, groups, n),
            "uses": group_max(uses, groups, n),
            "direct": group_max(direct, groups, n),
            "industry": industry,
            "_best_row": group_argmax(row, groups, n),
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
