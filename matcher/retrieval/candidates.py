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

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse

from matcher.ranking import buyer
from matcher.ranking.features import BuyerFeatures, SupplierFeatures, _mix
from matcher.ranking.memo import Memo
from matcher.ranking.scoring import top_k
from matcher.ranking.semantic import Focus, SemanticFeatures
from matcher.ranking.table import ProductTable
from matcher.retrieval.base import Retriever, TopK
from matcher.retrieval.factory import faiss_available, load_retriever, make_retriever
from matcher.retrieval.storage import MANIFEST_NAME, locked
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
    """A dense index over ``vectors`` whose ids are their positions, unless ``Settings.retriever`` names a
    backend: HNSW below ``IVF_FROM`` vectors, IVF with sqrt(n) lists and 8-bit codes from there (HNSW's graph
    over ~10M product names would take over an hour to build on two cores and sit in each process's own
    memory; IVF trains and fills in minutes, and its lists are memory-mapped and shared), searching one list in
    16 unless ``Settings.ivf_nprobe`` says otherwise; HNSW explores at most ``EF_PER_K`` nodes per result
    wanted. Builds use every core, searches one. Candidates need each channel's best few hundred, not an
    exact order, and a flat scan costs what exhaustive scoring costs (``benchmarks/bench_candidates.py``
    measures both paths, and recall per nprobe).

    Vectors from a vector file (``CachedEncoder`` maps large lists, ``matcher.encoders.cache``) get their
    index saved beside the file, ``<file>.<backend>-<params hash>/``: the first process builds it under a
    file lock, every process then maps it read-only, so workers share one copy in the page cache and a
    restart builds nothing.

    With ``Settings.dense_engine == "ray"``, the index shards of ``role`` served on Ray, read as positions
    of ``keys`` (``matcher.distributed``).
    """
    if vectors is None or len(vectors) == 0:
        return None
    if settings.dense_engine == "ray":
        from matcher.distributed.positions import remote_index

        return remote_index(role, keys, settings)
    n, dim = vectors.shape
    retriever: Retriever
    if settings.retriever == "auto" and faiss_available() and n >= IVF_FROM:
        from matcher.retrieval.faiss import IVFRetriever

        nlist = max(1, int(math.sqrt(n)))  # the channels re-score each candidate exactly: 8-bit codes do
        retriever = IVFRetriever(dim, nprobe=settings.ivf_nprobe, nlist=nlist, codec="sq8")
    else:
        kind = "faiss-hnsw" if settings.retriever == "auto" and faiss_available() else settings.retriever
        retriever = make_retriever(kind, dim, settings, expected_size=n)
        if retriever.kind == "faiss-hnsw":
            from matcher.retrieval.faiss import HNSWRetriever

            assert isinstance(retriever, HNSWRetriever)
            retriever.ef_per_k = EF_PER_K
    if retriever.kind.startswith("faiss"):
        from matcher.retrieval.faiss import set_threads

        set_threads(os.cpu_count() or 1)  # a build is large: every core (HNSW inserts, IVF training)
    try:
        return _built(retriever, vectors)
    finally:
        if retriever.kind.startswith("faiss"):
            # one query's search is small; OpenMP's helper threads only spin on a shared machine
            set_threads(1)


def _built(retriever: Retriever, vectors: np.ndarray) -> TopK:
    """``retriever`` filled with ``vectors`` (ids: positions); from a vector file, saved beside it once and
    mapped (see ``_ann``)."""
    source = getattr(vectors, "filename", None)
    if source is None:
        return retriever.index(np.arange(len(vectors), dtype=np.int64), vectors)
    built = {k: v for k, v in retriever.params().items() if k not in SEARCH_TIME}
    tag = hashlib.sha1(json.dumps(built, sort_keys=True).encode()).hexdigest()[:8]
    folder = Path(source).with_name(f"{Path(source).stem}.{retriever.kind}-{tag}")
    searched = {k: getattr(retriever, k) for k in SEARCH_TIME if hasattr(retriever, k)}
    with locked(folder.parent, f".{folder.name}.lock"):
        if not (folder / MANIFEST_NAME).exists():
            retriever.index(np.arange(len(vectors), dtype=np.int64), vectors).save(folder)
        del retriever  # the built copy: the mapped one is shared
        loaded = load_retriever(folder, mmap=True)
    for key, value in searched.items():  # today's settings, not those the index was saved with
        setattr(loaded, key, value)
    return loaded


SEARCH_TIME = ("nprobe", "ef_search", "ef_per_k")  # read per search: not part of a saved index's identity
# HNSW breadth per result wanted (``HNSWRetriever.ef_per_k``): a channel's 300 names explore ef_search (512)
# nodes, the 30 near each of dozens of graph products that use an offered material 120, not 512 each
EF_PER_K = 4


# vectors from which candidates use IVF; below, HNSW. 20k realistic companies (212,689 names): top-10 recall
# 0.9955 against IVF's 0.9865. 100k (997,090 names, docs/benchmarks-speed.md): recall 0.987 against 0.9775,
# supplier p50 57.6 against 80.1 ms (~14 ms of it a top-k fix between the runs); HNSW built in 502 s on two cores (once: saved beside the vector file
# and mapped by every worker), its graph ~0.3 GB in each worker's private memory. At 1M companies (~10M
# names) that would be over an hour and ~3 GB per worker: IVF's lists, memory-mapped and shared, cost less.
IVF_FROM = 2_000_000


def _best(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the ``depth`` best positive scores."""
    return top_k(np.where(scores > 0, scores, -np.inf), depth)


def _best_of_postings(scores: sparse.spmatrix, depth: int) -> np.ndarray:
    """``_best`` of the column-wise maximum of sparse ``scores`` (a row per query text), reading only the
    entries the postings reached: over ~1M product names a dense row (or SciPy's column maximum, which
    goes through a column-major copy) costs more than the postings themselves.

    A column among the best ``depth`` has at most ``depth * rows`` entries at or above its maximum (its
    own and those of the columns ranked before it), so the entries at or above the ``depth * rows``-th
    best value hold every such column's maximum; those few are sorted by value, then position.

    >>> _best_of_postings(sparse.csr_matrix([[0.0, 0.5, 0.2], [0.0, 0.1, 0.7]]), 2).tolist()
    [2, 1]
    """
    entries = sparse.coo_matrix(scores)
    cols, values = entries.col.astype(np.int64), entries.data.astype(np.float64)
    cols, values = cols[values > 0], values[values > 0]
    many = depth * max(entries.shape[0], 1)
    if many < len(values):
        kept = values >= np.partition(values, len(values) - many)[len(values) - many]
        cols, values = cols[kept], values[kept]
    cols = cols[np.lexsort((cols, -values))]  # best first, ties to the lower position
    _, first = np.unique(cols, return_index=True)  # each column's first entry is its maximum
    return cols[np.sort(first)][:depth]


class Candidates(NamedTuple):
    """One search's candidate companies (sorted positions) and the profile channels scored on the way
    (``text``: character TF-IDF, ``words``: jieba words, over the whole pool: their postings are the index)."""

    companies: np.ndarray
    profile_scores: dict[str, np.ndarray]


class CandidateIndex:
    """The indexes a supplier search draws candidates from, built once per pool by ``MatchCore.fit``.

    ``features`` and ``semantic`` are the core's ``SupplierFeatures`` and ``SemanticFeatures``: their
    sparse postings serve the lexical candidates as they are. ``own_profiles``: the profile vectors come from
    an encoder of their own (``Settings.profile_encoder``), so their index is built here even with
    ``dense_engine == "ray"`` (the Ray shards hold the main encoder's profile vectors).
    """

    def __init__(
        self,
        features: SupplierFeatures,
        semantic: SemanticFeatures,
        depth: int,
        settings: Settings | None = None,
        *,
        own_profiles: bool = False,
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
        codes, of_name = table.key_codes  # the exact-name channel's numbering, reused: no second dict
        self.key_order = np.argsort(of_name, kind="stable")  # name ids grouped by key, ascending in each
        self.key_bounds = np.searchsorted(of_name[self.key_order], np.arange(len(codes) + 1))
        self.names_ann = _ann(features.names_vec, settings, "names", table.distinct_names)
        local = settings.model_copy(update={"dense_engine": "local"}) if own_profiles else settings
        self.profiles_ann = _ann(semantic.profiles_vec, local, "profiles", table.ids)
        # graph product -> the pool's name ids nearest it (``_like_users``)
        self._like: Memo[int, np.ndarray] = Memo(settings.graph_neighbour_cache_size)
        # every graph product's nearest names, searched at fit (``prepare``)
        self._near: list[np.ndarray] | None = None

    def _dense(self, retriever: TopK | None, queries: list[np.ndarray]) -> np.ndarray:
        """The ids nearest the ``queries``, ``depth`` each."""
        if retriever is None or not queries or len(retriever) == 0:
            return np.zeros(0, dtype=np.int64)
        found = retriever.search(np.stack(queries).astype(np.float32), min(self.depth, len(retriever)))
        return found.ids[found.ids >= 0]

    def _item_names(self, items: Sequence[str], vectors: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Name ids near the ``vectors`` (ANN), the items' best by character TF-IDF and the names equal to one."""
        f, depth = self.features, self.depth
        names = [self._dense(self.names_ann, list(vectors))]
        if items:
            names.append(_best_of_postings(f.lexical.transform(list(items)) @ f.names_lex.by_term, depth))
            names.append(self._named(items))
        return names

    def _named(self, items: Sequence[str]) -> np.ndarray:
        """The ids of the names whose ``product_key`` is an item's."""
        codes = self.features.table.key_codes[0]
        found = [c for c in map(codes.get, map(product_key, items)) if c is not None]
        lo, hi = self.key_bounds[found], self.key_bounds[np.asarray(found, dtype=np.int64) + 1]
        return np.concatenate(
            [self.key_order[a:b] for a, b in zip(lo, hi, strict=True)] + [np.zeros(0, np.int64)]
        )

    def _companies_of(self, name_ids: np.ndarray) -> np.ndarray:
        return self.name_companies[name_ids].indices.astype(np.int64)

    def companies(
        self,
        items: Sequence[str],
        item_vectors: np.ndarray | None,
        focus: str,
        focus_vector: Focus | None,
    ) -> Candidates:
        """The candidate companies of one search (its items, its focus text and its embeddings)."""
        f, depth = self.features, self.depth
        wanted = [] if item_vectors is None else list(item_vectors)
        if focus_vector is not None:
            wanted.append(focus_vector.names)
        name_ids = np.unique(np.concatenate(self._item_names(items, wanted)))
        profile_scores = {"text": f.text_scores(focus), "words": self.semantic.word_scores(focus)}
        companies = [
            self._companies_of(name_ids),
            self._dense(self.profiles_ann, [] if focus_vector is None else [focus_vector.profiles]),
            *(_best(scores, depth) for scores in profile_scores.values()),
        ]
        return Candidates(np.unique(np.concatenate(companies)), profile_scores)

    def forget(self) -> None:
        """Drop the remembered neighbours of graph products (``_like_users``; not those ``prepare`` made)."""
        self._like.clear()

    def prepare(self, features: BuyerFeatures, batch: int = 64) -> None:
        """Search every graph product's nearest names now (``_like_users``), when the chain knowledge has no
        more of them than ``_like`` may remember: an offer then reads them instead of searching (the built-in
        templates' 522 graph products; ChainKnowledgeGraph's 27,961 are searched on demand and remembered)."""
        if features.gp_lex is None or features.names_lex is None or features.chain is None:
            return
        n = features.gp_lex.shape[0]
        if n == 0 or n > self._like.size:
            return
        near = []
        for start in range(0, n, batch):
            near.extend(self._search_near(features, np.arange(start, min(start + batch, n))))
        self._near = near

    def _search_near(self, features: BuyerFeatures, users: np.ndarray) -> list[np.ndarray]:
        """Each graph product's ``buyer.NEIGHBOURS`` best names by character TF-IDF and nearest by vector
        (``buyer.nearest`` over the whole pool), as sorted name ids."""
        assert features.gp_lex is not None and features.names_lex is not None
        k = buyer.NEIGHBOURS
        lexical = (features.gp_lex[users] @ features.names_lex.by_term).tocsr()
        dense = None
        if features.gp_vec is not None and self.names_ann is not None and len(self.names_ann):
            found = self.names_ann.search(
                features.gp_vec[users].astype(np.float32), min(k, len(self.names_ann))
            )
            dense = found.ids
        near = []
        for i in range(len(users)):
            ids = [_best_of_postings(lexical[i], k)]
            if dense is not None:
                ids.append(dense[i][dense[i] >= 0])
            near.append(np.unique(np.concatenate(ids)))
        return near

    def _like_users(self, features: BuyerFeatures, users: np.ndarray) -> list[np.ndarray]:
        """The nearest names of each graph product in ``users`` (``_search_near``): searched at fit by
        ``prepare``, else on demand and remembered (least recently used dropped past
        ``Settings.graph_neighbour_cache_size``): the users of an offer's materials come back in other offers,
        and at 100k companies their postings and vector searches were 80% of an SME recommendation
        (``docs/benchmarks-speed.md``)."""
        if self._near is not None:
            return [self._near[int(u)] for u in users]
        known = self._like.get_many(int(u) for u in users)
        missing = np.asarray([int(u) for u in users if int(u) not in known], dtype=np.int64)
        if len(missing):
            fresh = dict(zip(missing.tolist(), self._search_near(features, missing), strict=True))
            known.update(fresh)
            self._like.put_many(fresh)
        return [known[int(u)] for u in users]

    def buyers(
        self, features: BuyerFeatures, items: Sequence[str], vectors: np.ndarray | None, w: Any
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """An offer's candidate buyers (sorted positions) and ``BuyerFeatures.channels`` on them only.

        Candidates: the product names near the items (as for suppliers), the names whose known inputs are
        most like the items (the chain postings, over every name: a sparse product), the names nearest
        the graph products that use such inputs (ANN and character TF-IDF, ``buyer.NEIGHBOURS`` each: the
        only names the uses channel reads, over the whole pool too), and each company-level channel's best
        ``depth``. The channels are then computed exactly on every product of those companies, so each
        channel's best ``depth`` companies rank as over the whole pool.
        """
        f, table, depth = self.features, self.features.table, self.depth
        names = self._item_names(items, [] if vectors is None else list(vectors))
        material_sim = inputs = None
        users = weight = np.zeros(0)
        near: list[np.ndarray] = []
        chain = features.chain
        if chain is not None and items:
            material_sim = features._material_sim(items, vectors, w.mix)
            inputs = buyer.via_inputs(chain, material_sim)
            names.append(_best(inputs, depth))
            users, weight = buyer.chosen_users(material_sim, chain.material_uses)
        if len(users):
            near = self._like_users(features, users)
            names.extend(near)
        found = np.unique(self._companies_of(np.unique(np.concatenate(names))))

        def direct_of(rows: CompanyRows) -> tuple[np.ndarray, np.ndarray | None]:
            """The items' similarity to the names of ``rows``, and those names' vectors (gathered once)."""
            names_vec = None if f.names_vec is None else f.names_vec[rows.names]
            return _mix(*f.name_sims(items, vectors, rows.names, names_vec), w.mix), names_vec

        rows = CompanyRows.of(table, found)
        direct, names_vec = direct_of(rows)
        industry = np.zeros(table.n_companies)
        if features.industry_up is not None and features.company_industry is not None:
            sellers = np.zeros(table.n_companies)
            sellers[found] = rows.max(direct)  # the best sellers are among the candidates
            industry = buyer.industry_scores(sellers, features.company_industry, features.industry_up)
            industry = industry.astype(np.float64)
            extra = np.setdiff1d(_best(industry, depth), found)
            if len(extra):
                found = np.union1d(found, extra)
                rows = CompanyRows.of(table, found)
                direct, names_vec = direct_of(rows)
        n = len(rows.names)
        chain_inputs = np.zeros(n, np.float32) if inputs is None else inputs[rows.names]
        uses = np.zeros(n, np.float32)
        if len(users):  # every near name is a candidate's
            uses = features.uses(users, weight, near, w.mix, n, rows.names)
        row = w.inputs * chain_inputs + w.uses * uses + w.direct * direct
        return found, {
            "chain": rows.max(row),
            "inputs": rows.max(chain_inputs),
            "uses": rows.max(uses),
            "direct": rows.max(direct),
            "industry": industry[found],
            "_best_row": rows.argmax(row),
        }
