"""Buyer-side chain features: how likely each product row is to use an offered item as an input.

Three generalizing signals, none of which needs the exact (product, item) edge:
- ``via_inputs``: the product's known materials resemble the item (PVC管 uses PVC树脂 ~ PVC塑料粒子);
- ``via_uses``: products known to use items like it resemble the product (不锈钢 -> 不锈钢管材 ~
  不锈钢管), where "resemble" means being among the ``NEIGHBOURS`` pool names nearest that user, by character
  TF-IDF or by vector (``nearest``): the same few pairs whether the whole pool is scored or an index
  names them (``matcher.retrieval.candidates``), and no product of all users against all names per offer;
- ``industry``: the product's industry takes inputs from the industries that sell items like it.
All are pure functions of similarity arrays and index structures built once by ``ChainIndex``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.scoring import group_max, top_k

# pool names a graph product resembles for ``via_uses``: its best by character TF-IDF and its nearest by
# vector, each this many
NEIGHBOURS = 30


@dataclass(frozen=True)
class ChainIndex:
    """Materials and graph products of the upstream pairs, indexed against the pool's product names."""

    materials: tuple[str, ...]
    graph_products: tuple[str, ...]
    row_inputs: sparse.csr_matrix  # pool product names (keys) x materials, 1 where the product uses it
    material_uses: tuple[np.ndarray, ...]  # per material: indices into graph_products that use it

    @classmethod
    def build(cls, upstream: UpstreamPairs, row_keys: Sequence[str]) -> ChainIndex:
        uses = upstream.uses()
        materials = tuple(sorted(uses))
        graph_products = tuple(sorted({p for ps in uses.values() for p in ps}))
        m_index = {m: i for i, m in enumerate(materials)}
        g_index = {p: i for i, p in enumerate(graph_products)}
        inputs = upstream.inputs()
        rows, cols = [], []
        for r, key in enumerate(row_keys):
            for m in inputs.get(key, ()):
                rows.append(r)
                cols.append(m_index[m])
        matrix = sparse.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(row_keys), len(materials))
        )
        material_uses = tuple(
            np.asarray(sorted(g_index[p] for p in uses[m]), dtype=np.int64) for m in materials
        )
        return cls(materials, graph_products, matrix, material_uses)


def via_inputs(index: ChainIndex, material_sim: np.ndarray) -> np.ndarray:
    """Per pool row: the best similarity between the item and any of the row's known materials."""
    weighted = index.row_inputs.multiply(np.clip(material_sim, 0.0, None)[None, :]).tocsr()
    return np.asarray(weighted.max(axis=1).toarray()).ravel()


def via_uses(
    weight: np.ndarray,
    near: Sequence[np.ndarray],
    sims: np.ndarray,
    n_rows: int,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Per pool row: max over the chosen materials m of sim(item, m) * sim(user of m, row), read on each
    user's ``near`` rows only (``nearest``; others get 0). ``weight``: per user, from ``chosen_users``;
    ``sims``: the similarity of each (user, near row) pair, user by user; ``rows``: the sorted row ids the
    output covers when not every row (the near rows are among them).

    >>> via_uses(np.array([0.5, 0.8]), [np.array([0]), np.array([0, 2])], np.array([0.5, 0.25, -0.5]), 3)
    array([0.25, 0.  , 0.  ], dtype=float32)
    """
    out = np.zeros(n_rows, dtype=np.float32)
    if len(near):
        at = np.concatenate(near) if rows is None else np.searchsorted(rows, np.concatenate(near))
        np.maximum.at(out, at, (np.repeat(weight, [len(a) for a in near]) * sims).astype(np.float32))
    return out


def nearest(lexical: np.ndarray, dense: np.ndarray | None, k: int = NEIGHBOURS) -> list[np.ndarray]:
    """Per row (a user), the sorted ids of its ``k`` (``NEIGHBOURS``) best positive ``lexical`` scores and
    ``k`` best ``dense`` ones, both ties to the lower id, as an index over all names gives them.

    >>> nearest(np.array([[0.0, 0.5, 0.2]]), np.array([[0.9, 0.1, 0.8]]), 1)
    [array([0, 1])]
    """
    out = []
    for u in range(lexical.shape[0]):
        best = [top_k(np.where(lexical[u] > 0, lexical[u], -np.inf), k)]
        if dense is not None:
            best.append(top_k(dense[u], k))
        out.append(np.unique(np.concatenate(best)))
    return out


def _chosen(material_sim: np.ndarray, uses: Sequence[np.ndarray], top: int) -> list[int]:
    """The ``top`` materials most like the item that some graph product uses."""
    return [int(m) for m in np.argsort(-material_sim)[:top] if material_sim[m] > 0 and len(uses[m])]


def chosen_users(
    material_sim: np.ndarray, uses: Sequence[np.ndarray], top: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """The graph products ``via_uses`` reads, sorted: the users of the ``top`` materials most like the item,
    each with its weight, the best similarity to the item of those materials it uses. max over materials m
    of sim(item, m) * sim(u, row) is sim(u, row) times this weight wherever it is positive (each chosen m
    has sim(item, m) > 0), so each user's similarities are read once.

    >>> chosen_users(np.array([0.5, 0.8, -0.1]), (np.array([0]), np.array([0, 1]), np.array([2])))
    (array([0, 1]), array([0.8, 0.8]))
    """
    chosen = _chosen(material_sim, uses, top)
    if not chosen:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=material_sim.dtype)
    users = np.unique(np.concatenate([uses[m] for m in chosen]))
    weight = np.zeros(len(users), dtype=material_sim.dtype)
    for m in chosen:
        at = np.searchsorted(users, uses[m])
        weight[at] = np.maximum(weight[at], material_sim[m])
    return users, weight


def industry_matrix(
    industries: Sequence[str], industry_up: Mapping[str, Mapping[str, float]]
) -> tuple[list[str], np.ndarray]:
    """Industry names and U[buyer, supplier] = share of the buyer industry's upstream links to the supplier."""
    names = sorted(set(industries))
    where = {n: i for i, n in enumerate(names)}
    matrix = np.zeros((len(names), len(names)), dtype=np.float32)
    for buyer, ups in industry_up.items():
        total = sum(ups.values())
        if buyer not in where or total <= 0:
            continue
        for supplier, count in ups.items():
            if supplier in where:
                matrix[where[buyer], where[supplier]] = count / total
    return names, matrix


def industry_scores(
    seller_scores: np.ndarray, company_industry: np.ndarray, matrix: np.ndarray, top: int = 20
) -> np.ndarray:
    """Per company: how much its industry buys from the industries of the ``top`` likely sellers of the item."""
    best = np.argsort(-seller_scores)[:top]
    dist = np.zeros(matrix.shape[0], dtype=np.float64)
    np.add.at(dist, company_industry[best], np.clip(seller_scores[best], 0.0, None))
    if dist.sum() <= 0:
        return np.zeros(len(company_industry), dtype=np.float32)
    return (matrix @ (dist / dist.sum()))[company_industry].astype(np.float32)


def company_best(row_scores: np.ndarray, row_company: np.ndarray, n_companies: int) -> np.ndarray:
    """Company scores as the best of their product rows."""
    return group_max(row_scores, row_company, n_companies)
