"""Candidate search (indexes, then the exact channels on the candidates) against exhaustive scoring.

The reductions over a subset of companies are compared with the whole-pool ones on random pools; the two
paths are compared end to end on the generated sample and through the engine on its settings.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from matcher.encoders.fake import FakeEncoder
from matcher.engine import Engine
from matcher.ranking import buyer
from matcher.ranking.core import MatchCore
from matcher.ranking.knowledge import build_core, chain_knowledge
from matcher.ranking.table import ProductTable
from matcher.retrieval.candidates import CandidateIndex, CompanyRows, _best, _best_of_postings
from matcher.sample import generate_sample
from matcher.settings import Settings
from matcher.store import Store
from matcher.text.profiles import ProfileDoc

N = 2000
DEMANDS = [
    "寻找三元正极材料供应商",
    "采购锂电池隔膜，要求通过IATF 16949认证",
    "我司生产挖掘机，需要液压油缸和高强度钢板",
    "需要一种耐高温、轻质的结构件材料",
    "序号|物料名称|数量\n1|锂电池电解液|50吨\n2|铜箔|20吨\n3|注塑件|1000件",
]


Cores = tuple[MatchCore, MatchCore, MatchCore]


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[ProfileDoc], np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 15))
    names = [f"产品{j}" for j in range(draw(st.integers(1, 8)))]
    docs = [
        ProfileDoc(
            str(i), f"企业{i}", tuple((p, 1.0) for p in draw(st.lists(st.sampled_from(names), max_size=4)))
        )
        for i in range(n)
    ]
    values = np.array(draw(st.lists(st.sampled_from([0.0, 0.3, 0.5, 1.0]), min_size=8, max_size=8)))
    subset = np.array(sorted(draw(st.sets(st.integers(0, n - 1)))), dtype=np.int64)
    return docs, values, subset


@given(pools())
def test_company_rows_reduce_a_subset_as_segments_reduce_the_pool(
    case: tuple[list[ProfileDoc], np.ndarray, np.ndarray],
) -> None:
    docs, values, subset = case
    table = ProductTable.from_docs(docs)
    by_name = values[: len(table.distinct_names)]
    rows = CompanyRows.of(table, subset)
    assert rows.max(by_name[rows.names]).tolist() == table.segments.max(by_name)[subset].tolist()
    assert rows.argmax(by_name[rows.names]).tolist() == table.segments.argmax(by_name)[subset].tolist()


@pytest.fixture(scope="module")
def cores() -> tuple[MatchCore, MatchCore, MatchCore]:
    """Exhaustive, candidates at the least depth the settings allow, and a shallow candidate search (depth 10)."""
    enterprises = generate_sample(7, N).enterprises
    return (
        MatchCore(FakeEncoder(), search="exhaustive").fit(enterprises),
        MatchCore(FakeEncoder(), search="candidates", candidate_depth=300).fit(enterprises),
        MatchCore(FakeEncoder(), search="candidates", candidate_depth=10).fit(enterprises),
    )


@pytest.mark.parametrize("text", DEMANDS)
def test_candidates_rank_the_top_ten_as_exhaustive_scoring_does(cores: Cores, text: str) -> None:
    exhaustive, candidates, _ = cores
    want, got = exhaustive.top_suppliers(text, 10), candidates.top_suppliers(text, 10)
    assert got.order.tolist() == want.order.tolist()
    np.testing.assert_allclose(got.scores, want.scores, rtol=1e-6)
    assert [d[:2] for d in got.described] == [d[:2] for d in want.described]  # product and explanation
    assert want.scored == N and 0 < got.scored <= N


def test_a_shallow_search_scores_few_companies_and_keeps_the_best(cores: Cores) -> None:
    exhaustive, _, shallow = cores
    text = "寻找三元正极材料供应商"
    got = shallow.top_suppliers(text, 3)
    assert got.scored < N / 2  # far fewer companies scored than the pool holds
    assert got.order[0] == exhaustive.top_suppliers(text, 3).order[0]


def test_a_narrow_filter_is_filled_and_ranked_as_exhaustive_scoring_ranks_it(cores: Cores) -> None:
    exhaustive, candidates, _ = cores
    text = "采购液压油缸"
    found = candidates.rank_suppliers(text).candidates
    assert found is not None
    rng = np.random.default_rng(3)
    few = np.zeros(N, dtype=bool)
    few[rng.choice(N, 40, replace=False)] = True  # under the depth: every eligible company is scored
    elsewhere = ~np.isin(np.arange(N), found)  # over the depth, but the candidates hold only 3 of them
    elsewhere[found[:3]] = True
    assert elsewhere.sum() > candidates.candidate_depth
    for eligible in (few, elsewhere):
        want = exhaustive.top_suppliers(text, 10, eligible=eligible)
        got = candidates.top_suppliers(text, 10, eligible=eligible)
        assert len(got.order) == 10 and eligible[got.order].all()
        assert got.order.tolist() == want.order.tolist()


def test_the_setting_chooses_the_path_and_refuses_unknown_ones(cores: Cores) -> None:
    docs = cores[0].docs_[:50]
    assert (
        build_core(docs, Settings(), encoder=None).candidates_ is None
    )  # auto: a small pool is scored whole
    assert build_core(docs, Settings(candidates_from=50), encoder=None).candidates_ is not None  # auto, large
    assert build_core(docs, Settings(candidates_from=51), encoder=None).candidates_ is None
    assert build_core(docs, Settings(supplier_search="candidates"), encoder=None).candidates_ is not None
    assert (
        build_core(docs, Settings(supplier_search="exhaustive", candidates_from=0), encoder=None).candidates_
        is None
    )
    with pytest.raises(ValueError, match="供应商检索方式"):
        MatchCore(None, search="brute")


def test_the_engine_answers_alike_on_both_paths(store: Store, tmp_path: Path) -> None:
    from matcher.io import import_records

    sample = generate_sample(11, 300)
    import_records(store, parks=sample.parks, enterprises=sample.enterprises, demands=sample.demands)
    answers = []
    for path in ("exhaustive", "candidates"):
        engine = Engine(store, Settings(home=tmp_path / path, encoder="fake", supplier_search=path))
        found = [engine.matching.suppliers_for(text=t, k=5) for t in DEMANDS]
        answers.append([[(m.name, m.product, round(m.score, 6)) for m in r.matches] for r in found])
    assert answers[0] == answers[1]
    assert all(answers[0])


OFFERS = ["我司生产锂电池电解液", "供应高强度钢板与液压油缸", "注塑件加工", "碳酸锂"]


@pytest.fixture(scope="module")
def buyer_cores() -> tuple[MatchCore, MatchCore]:
    """Both paths with the chain knowledge (upstream pairs, industry links) that buyer channels read."""
    docs = generate_sample(7, N).enterprises
    known = chain_knowledge(Settings())
    industries = sorted({ProfileDoc.from_enterprise(e).industry for e in docs})
    up = {b: {s: 1.0 + i % 3 for i, s in enumerate(industries) if s != b} for b in industries[::2]}
    knowledge = known._replace(industry_up=up)  # every other industry buys from the others
    return (
        build_core(docs, Settings(), encoder=FakeEncoder(), knowledge=knowledge, search="exhaustive"),
        build_core(
            docs,
            Settings(),
            encoder=FakeEncoder(),
            knowledge=knowledge,
            search="candidates",
            candidate_depth=300,
        ),
    )


@pytest.mark.parametrize("text", OFFERS)
def test_candidate_buyers_rank_the_top_ten_as_exhaustive_scoring_does(
    buyer_cores: tuple[MatchCore, MatchCore], text: str
) -> None:
    exhaustive, candidates = buyer_cores
    want, got = exhaustive.rank_buyers(text), candidates.rank_buyers(text)
    assert got.candidates is not None and 0 < len(got.candidates) < N
    top = [m.id for m in exhaustive.buyers_for(text, 10)]
    assert [m.id for m in candidates.buyers_for(text, 10)] == top
    best = exhaustive.buyers_for(text, 10)
    np.testing.assert_allclose([m.score for m in candidates.buyers_for(text, 10)], [m.score for m in best])
    assert [m.explanation for m in candidates.buyers_for(text, 10)] == [m.explanation for m in best]
    for channel in ("inputs", "uses", "direct", "industry"):  # every channel takes part
        assert want.channels[channel].any()


@given(
    st.integers(1, 3),
    st.integers(1, 12),
    st.lists(st.sampled_from([0.0, 0.0, 0.2, 0.5, 0.5, 1.0]), min_size=36, max_size=36),
    st.integers(1, 6),
)
def test_best_of_postings_picks_what_the_dense_maximum_picks(
    rows: int, cols: int, values: list[float], depth: int
) -> None:
    dense = np.asarray(values[: rows * cols], dtype=np.float32).reshape(rows, cols)
    expected = _best(dense.max(axis=0), depth)  # ties (0.5 twice) go to the lower position in both
    assert _best_of_postings(sparse.csr_matrix(dense), depth).tolist() == expected.tolist()


def test_the_names_near_graph_products_are_remembered_across_offers(
    buyer_cores: tuple[MatchCore, MatchCore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An offer's graph-product neighbours are searched once: the same offer again (or another whose
    materials have the same users) reads them from memory and ranks alike."""
    _, candidates = buyer_cores
    assert candidates.candidates_ is not None
    # fewer remembered than the chain knowledge's graph products: searched per offer, not at fit (``prepare``)
    index = CandidateIndex(
        candidates.supplier_, candidates.semantic_, 300, Settings(graph_neighbour_cache_size=100)
    )
    index.prepare(candidates.buyer_)
    assert index._near is None and index.names_ann is not None
    monkeypatch.setattr(candidates, "candidates_", index)
    candidates.forget_queries()
    searches: list[int] = []
    search = index.names_ann.search

    def counted(queries: np.ndarray, k: int) -> object:
        searches.append(len(queries))
        return search(queries, k)

    monkeypatch.setattr(index.names_ann, "search", counted)
    first = candidates.rank_buyers(OFFERS[0])
    remembered, cold = len(index._like), len(searches)
    assert remembered > 0
    second = candidates.rank_buyers(OFFERS[0])
    assert len(searches) - cold == cold - 1  # the item's own search only
    np.testing.assert_array_equal(first.scores, second.scores)
    monkeypatch.setattr(index._like, "size", 2)
    candidates.rank_buyers(OFFERS[1])
    assert len(index._like) <= 2


def test_graph_products_searched_at_fit_rank_as_searched_per_offer(
    buyer_cores: tuple[MatchCore, MatchCore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each graph product's neighbours searched once at fit give the rankings that searching them per
    offer gives."""
    _, candidates = buyer_cores
    prepared = candidates.candidates_
    assert prepared is not None and prepared._near is not None
    assert len(prepared._near) == candidates.buyer_.gp_lex.shape[0]
    expected = [candidates.rank_buyers(offer) for offer in OFFERS]
    per_offer = CandidateIndex(
        candidates.supplier_, candidates.semantic_, 300, Settings(graph_neighbour_cache_size=10**6)
    )
    monkeypatch.setattr(candidates, "candidates_", per_offer)  # not prepared: searches per offer
    for offer, want in zip(OFFERS, expected, strict=True):
        got = candidates.rank_buyers(offer)
        np.testing.assert_array_equal(got.candidates, want.candidates)
        np.testing.assert_array_equal(got.scores, want.scores)


def test_uses_channel_reads_each_users_nearest_names_as_the_material_formula_says() -> None:
    """``via_uses`` is max over the chosen materials m of sim(item, m) * sim(user of m, name), on the
    pairs ``nearest`` picks (each user's best by TF-IDF and by vector) and 0 elsewhere."""
    assert doctest.testmod(buyer).failed == 0
    rng = np.random.default_rng(3)
    material_sim = rng.uniform(-0.2, 1.0, 12).astype(np.float32)
    uses = tuple(np.unique(rng.integers(0, 9, rng.integers(0, 4))) for _ in range(12))
    lexical = np.where(rng.random((9, 40)) < 0.3, rng.random((9, 40)), 0.0).astype(np.float32)
    dense = rng.uniform(-1, 1, (9, 40)).astype(np.float32)
    users, weight = buyer.chosen_users(material_sim, uses, top=5)
    near_ids = buyer.nearest(lexical[users], dense[users], k=4)
    sim = 0.5 * lexical + 0.5 * dense
    pair_sims = np.concatenate([sim[u, ids] for u, ids in zip(users, near_ids, strict=True)])
    got = buyer.via_uses(weight, near_ids, pair_sims, 40)
    near = np.zeros((9, 40), dtype=bool)
    for u in users:
        positive = np.flatnonzero(lexical[u] > 0)
        near[u, positive[np.argsort(-lexical[u, positive], kind="stable")[:4]]] = True
        near[u, np.argsort(-dense[u], kind="stable")[:4]] = True
    chosen = [m for m in np.argsort(-material_sim)[:5] if material_sim[m] > 0 and len(uses[m])]
    want = np.zeros(40)
    for m in chosen:
        for u in uses[m]:
            want = np.maximum(want, np.where(near[u], material_sim[m] * sim[u], 0.0))
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert np.count_nonzero(got) <= 8 * len(users)
