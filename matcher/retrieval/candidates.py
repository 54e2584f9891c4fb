"""Candidate generation for supplier search: indexes name a few thousand companies, the exact channels score
only them.

The exhaustive path scores every distinct product name of the pool per query (a dense product over all
name vectors, character TF-IDF postings), so its cost follows the vocabulary: ~10 distinct names per
company in a real registry. Here each search of a demand (``matcher.text.demand.Query``) first collects
candidates, each channel's best ``depth``:

- dense ANN over the product-name vectors (the item vectors and the focus vector) and over the company
  profile vectors (the focus vector), in a ``matcher.retrieval`` retriever (FAISS HNSW; ids are name /
  company positions);
- lexical: the character TF-IDF postings of the item names over product names and of the focus over
  profiles, the jieba-word postings over profiles (the sparse indexes the channels own), and the products
  named exactly as an item;

maps names to the companies that sell them and takes the union. ``MatchCore`` then computes the same
channels and the same fusion on those companies only (``CompanyRows`` reduces product rows per company
as ``Segments`` does over the whole pool); reciprocal rank fusion reads each channel's first 200 ranks,
so a candidate set holding every channel's best 200 ranks them exactly as the whole pool would.
``benchmarks/bench_candidates.py`` prints both paths' dev-set quality and the candidate recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import sparse

from matcher.ranking.features import SupplierFeatures
from matcher.ranking.scoring import top_k
from matcher.ranking.semantic import SemanticFeatures
from matcher.ranking.table import ProductTable
from matcher.retrieval.base import TopK
from matcher.retrieval.factory import faiss_available, make_retriever
from matcher.settings import Settings, get_settings
from matcher.text.normalize import product_key


@dataclass(frozen=True)
class CompanyRows:
    """The product rows of some companies (sorted positions), back to back, and the distinct names they use.

    ``max`` and ``argmax`` give per company what ``Segments.max`` / ``Segments.argmax`` give over the whole
    pool, from values per name id in ``names`` (the first best row wins ties; companies without products
    get 0 and row -1).
    """

    companies: np.ndarray
    rows: np.ndarray  # global product rows, company by company
    sizes: np.ndarray  # rows per company (0 for a company without products)
    names: np.ndarray  # the distinct name ids of ``rows``, sorted
    row_name: np.ndarray  # each row's index into ``names``

    @classmethod
    def of(cls, table: ProductTable, companies: np.ndarray) -> CompanyRows:
        companies = np.asarray(companies, dtype=np.int64)
        lo = np.searchsorted(table.product_company, companies, side="left")
        sizes = np.searchsorted(table.product_company, companies, side="right") - lo
        begin = np.cumsum(sizes) - sizes
        rows = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(lo - begin, sizes)
        names, row_name = np.unique(table.product_name[rows], return_inverse=True)
        return cls(companies, rows, sizes, names, row_name.astype(np.int64))

    def _per_row(self, name_values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = np.asarray(name_values, dtype=np.float64)[self.row_name]
        has = self.sizes > 0
        starts = (np.cumsum(self.sizes) - self.sizes)[has]
        best = np.maximum.reduceat(values, starts) if len(starts) else np.zeros(0)
        return values, has, best

    def max(self, name_values: np.ndarray) -> np.ndarray:
        """Each company's best value over its products (0 without products)."""
        _, has, best = self._per_row(name_values)
        out = np.zeros(len(self.companies), dtype=np.float64)
        out[has] = best
        return out

    def argmax(self, name_values: np.ndarray) -> np.ndarray:
        """Each company's first product row with its best value (a global row), -1 without products."""
        values, has, best = self._per_row(name_values)
        owner = np.repeat(np.arange(len(best)), self.sizes[has])
        hit = np.flatnonzero(values >= best[owner])
        _, first = np.unique(owner[hit], return_index=True)  # hits ascend: the first per company
        out = np.full(len(self.companies), -1, dtype=np.int64)
        out[has] = self.rows[hit[first]]
        return out


def _ann(vectors: np.ndarray | None, settings: Settings, role: str, keys: Sequence[str]) -> TopK | None:
    """A dense index over ``vectors`` whose ids are their positions: HNSW unless ``Settings.retriever`` names
    another backend. Candidates need each channel's best few hundred, not an exact order, and a flat scan
    costs what exhaustive scoring costs (100k vectors: flat search p95 27 ms, HNSW 1.5 ms, recall@10 0.966,
    ``docs/benchmarks-speed.md``). With ``Settings.dense_engine == "ray"``, the index shards of ``role``
    served on Ray, read as positions of ``keys`` (``matcher.distributed``)."""
    if vectors is None or len(vectors) == 0:
        return None
    if settings.dense_engine == "ray":
        from matcher.distributed.positions import remote_index

        return remote_index(role, keys, settings)
    kind = "faiss-hnsw" if settings.retriever == "auto" and faiss_available() else settings.retriever
    retriever = make_retriever(kind, vectors.shape[1], settings, expected_size=len(vectors))
    if retriever.kind.startswith("faiss"):
        from matcher.retrieval.faiss import set_threads

        set_threads(1)  # one query's search is small; OpenMP's helper threads only spin on a shared machine
    return retriever.index(np.arange(len(vectors), dtype=np.int64), vectors)


def _best(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the ``depth`` best positive scores."""
    return top_k(np.where(scores > 0, scores, -np.inf), depth)


class Candidates(NamedTuple):
    """One search's candidate companies (sorted positions) and the profile channels scored on the way
    (``text``: character TF-IDF, ``words``: jieba words, over the whole pool: their postings are the index)."""

    companies: np.ndarray
    profile_scores: dict[str, np.ndarray]


class CandidateIndex:
    """The indexes a supplier search draws candidates from, built once per pool by ``MatchCore.fit``.

    ``features`` and ``semantic`` are the core's ``SupplierFeatures`` and ``SemanticFeatures``: their
    sparse postings serve the lexical candidates as they are.
    """

    def __init__(
        self,
        features: SupplierFeatures,
        semantic: SemanticFeatures,
        depth: int,
        settings: Settings | None = None,
    ) -> None:
        if depth < 1:
            raise ValueError(f"候选深度必须为正整数，实际为 {depth!r}")
        settings = settings or get_settings()
        table = features.table
        self.features, self.semantic, self.depth = features, semantic, int(depth)
        n_names = len(table.distinct_names)
        ones = np.ones(len(table.product_name), dtype=np.int8)
        self.name_companies = sparse.csr_matrix(
            (ones, (table.product_name, table.product_company)), shape=(n_names, table.n_companies)
        )
        self.key_names: dict[str, list[int]] = {}
        for j, key in enumerate(table.distinct_keys):
            self.key_names.setdefault(key, []).append(j)
        self.names_ann = _ann(features.names_vec, settings, "names", table.distinct_names)
        self.profiles_ann = _ann(semantic.profiles_vec, settings, "profiles", table.ids)

    def _dense(self, retriever: TopK | None, queries: list[np.ndarray]) -> np.ndarray:
        if retriever is None or not queries or len(retriever) == 0:
            return np.zeros(0, dtype=np.int64)
        found = retriever.search(np.stack(queries).astype(np.float32), min(self.depth, len(retriever)))
        return found.ids[found.ids >= 0]

    def companies(
        self,
        items: Sequence[str],
        item_vectors: np.ndarray | None,
        focus: str,
        focus_vector: np.ndarray | None,
    ) -> Candidates:
        """The candidate companies of one search (its items, its focus text)."""
        f, depth = self.features, self.depth
        wanted = [] if item_vectors is None else list(item_vectors)
        if focus_vector is not None:
            wanted.append(focus_vector)
        names = [self._dense(self.names_ann, wanted)]
        if items:
            lexical = f.names_lex.scores(f.lexical.transform(list(items))).max(axis=0)
            names.append(_best(lexical, depth))
            names.append(
                np.asarray([j for i in items for j in self.key_names.get(product_key(i), ())], dtype=np.int64)
            )
        name_ids = np.unique(np.concatenate(names))
        profile_scores = {"text": f.text_scores(focus), "words": self.semantic.word_scores(focus)}
        companies = [
            self.name_companies[name_ids].indices.astype(np.int64),
            self._dense(self.profiles_ann, [] if focus_vector is None else [focus_vector]),
            *(_best(scores, depth) for scores in profile_scores.values()),
        ]
        return Candidates(np.unique(np.concatenate(companies)), profile_scores)
