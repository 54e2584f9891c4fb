"""Property tests: FAISS flat equals the NumPy reference, ``allowed`` is never violated and always fills k,
and random add/remove/upsert sequences leave every backend holding exactly what a dict model holds.

Vectors have small integer components, so every inner product is an exact float32 integer whatever the
summation order: scores can be compared with ``==``, and only ids tied at a row's last score may differ.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.retrieval.base import Retriever, SearchResults
from matcher.retrieval.faiss import FlatRetriever, HNSWRetriever, IVFRetriever, set_threads
from matcher.retrieval.numpy import NumpyRetriever


@pytest.fixture(autouse=True, scope="module")
def _one_faiss_thread() -> None:
    set_threads(1)  # tiny indexes: OpenMP threads only add overhead on a shared machine


FAST = settings(max_examples=60, deadline=None)


@st.composite
def collections(draw: st.DrawFn, max_n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, vectors, queries): unique ids, integer-valued float32 vectors of a shared small dimension."""
    dim = draw(st.integers(1, 6))
    n = draw(st.integers(1, max_n))
    ids = np.array(draw(st.lists(st.integers(0, 2**40), min_size=n, max_size=n, unique=True)))
    ints = st.integers(-3, 3)
    vectors = np.array(draw(st.lists(st.lists(ints, min_size=dim, max_size=dim), min_size=n, max_size=n)))
    queries = np.array(draw(st.lists(st.lists(ints, min_size=dim, max_size=dim), min_size=1, max_size=4)))
    return ids.astype(np.int64), vectors.astype(np.float32), queries.astype(np.float32)


def backends(dim: int) -> list[Retriever]:
    """Every FAISS backend, forced through the FAISS selector path and tuned to come back short often."""
    return [
        FlatRetriever(dim, exact_below=0),
        FlatRetriever(dim),
        HNSWRetriever(dim, m=4, ef_search=2, exact_below=0),
        IVFRetriever(dim, nprobe=1, nlist=4, exact_below=0),
    ]


def true_scores(model: dict[int, np.ndarray], hits: SearchResults, queries: np.ndarray) -> np.ndarray:
    """The score each returned id really has for its query (-inf for padding)."""
    out = np.full(hits.ids.shape, -np.inf, dtype=np.float32)
    for (row, col), found in np.ndenumerate(hits.ids):
        if found >= 0:
            out[row, col] = float(queries[row] @ model[int(found)])
    return out


def assert_same_results(ref: SearchResults, got: SearchResults) -> None:
    """Equal scores everywhere; equal ids except among ids tied at a row's last (boundary) score."""
    assert np.array_equal(ref.scores, got.scores)
    boundary = ref.scores[:, -1:]
    above = ref.scores > boundary
    assert np.array_equal(ref.ids[above], got.ids[above])


@FAST
@given(data=collections(), k=st.integers(1, 45), pick=st.randoms(use_true_random=False))
def test_flat_matches_numpy_exactly(data: tuple[np.ndarray, ...], k: int, pick) -> None:  # type: ignore[no-untyped-def]
    ids, vectors, queries = data
    allowed = [i for i in ids.tolist() if pick.random() < 0.5] + [123]  # 123: an unknown id, ignored
    ref = NumpyRetriever(vectors.shape[1]).index(ids, vectors)
    model = dict(zip(ids.tolist(), vectors, strict=True))
    for flat in backends(vectors.shape[1])[:2]:
        flat.index(ids, vectors)
        for eligible in (None, allowed):
            want, got = ref.search(queries, k, eligible), flat.search(queries, k, eligible)
            assert_same_results(want, got)
            assert np.array_equal(true_scores(model, got, queries), got.scores)


@FAST
@given(data=collections(), k=st.integers(1, 12), pick=st.randoms(use_true_random=False))
def test_allowed_is_never_violated_and_fills_k(data: tuple[np.ndarray, ...], k: int, pick) -> None:  # type: ignore[no-untyped-def]
    ids, vectors, queries = data
    dropped = [i for i in ids.tolist() if pick.random() < 0.2]
    allowed = {i for i in ids.tolist() if pick.random() < 0.4} | {-7}
    eligible = allowed & (set(ids.tolist()) - set(dropped))
    for retriever in [NumpyRetriever(vectors.shape[1]), *backends(vectors.shape[1])]:
        retriever.index(ids, vectors).remove(dropped)
        hits = retriever.search(queries, k, allowed=allowed)
        for row in hits.ids.tolist():
            found = [i for i in row if i >= 0]
            assert set(found) <= eligible and len(found) == len(set(found))
            assert len(found) == min(k, len(eligible)), type(retriever).__name__
            assert row[len(found) :] == [-1] * (k - len(found))


operations = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "index"]), st.lists(st.integers(0, 30), unique=True)),
    min_size=1,
    max_size=8,
)


@FAST
@given(ops=operations, seed=st.integers(0, 2**16))
def test_mutations_match_a_dict_model(ops: list[tuple[str, list[int]]], seed: int) -> None:
    rng = np.random.default_rng(seed)
    retrievers = [NumpyRetriever(3), *backends(3)]
    model: dict[int, np.ndarray] = {}
    for op, ids in ops:
        vectors = rng.integers(-3, 4, size=(len(ids), 3)).astype(np.float32)
        if op == "remove":
            expected = sum(i in model for i in ids)
            assert all(r.remove(ids) == expected for r in retrievers)
            model = {i: v for i, v in model.items() if i not in ids}
            continue
        model = (model if op == "add" else {}) | dict(zip(ids, vectors, strict=True))
        for r in retrievers:
            getattr(r, op)(ids, vectors)
    query = rng.integers(-3, 4, size=(2, 3)).astype(np.float32)
    for r in retrievers:
        assert r.ids().tolist() == sorted(model) and len(r) == len(model)
        hits = r.search(query, k=len(model) or 1)
        assert sorted(i for i in hits.ids[0].tolist() if i >= 0) == sorted(model)
        assert np.array_equal(true_scores(model, hits, query), hits.scores)
