"""Hand-built cases for every retriever backend: ordering, padding, upsert, removal, ``allowed``, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.retrieval import KINDS, make_retriever, resolve_kind
from matcher.retrieval.base import Retriever, top_k
from matcher.retrieval.faiss import set_threads
from matcher.retrieval.slots import SlotMap
from matcher.settings import Settings


@pytest.fixture(autouse=True, scope="module")
def _one_faiss_thread() -> None:
    set_threads(1)  # tiny indexes: OpenMP threads only add overhead on a shared machine


BACKENDS = ["numpy", "faiss-flat", "faiss-hnsw", "faiss-ivf"]
R = 1 / math.sqrt(2)
# id 10 → e1, id 20 → e2, id 30 → halfway between; by hand, query e1 scores 10: 1, 30: 0.707, 20: 0.
IDS = [10, 20, 30]
VECS = np.array([[1, 0], [0, 1], [R, R]], dtype=np.float32)
E1 = np.array([[1, 0]], dtype=np.float32)


def build(kind: str) -> Retriever:
    return make_retriever(kind, 2, Settings(exact_threshold=10)).index(IDS, VECS)


@pytest.mark.parametrize("kind", BACKENDS)
def test_search_orders_by_score_and_pads(kind: str) -> None:
    hits = build(kind).search(E1, k=5)
    assert hits.ids.tolist() == [[10, 30, 20, -1, -1]]
    assert np.allclose(hits.scores[0, :3], [1.0, R, 0.0], atol=1e-6)
    assert np.isneginf(hits.scores[0, 3:]).all()
    assert hits.ids.dtype == np.int64 and hits.scores.dtype == np.float32


@pytest.mark.parametrize("kind", BACKENDS)
def test_add_existing_id_replaces_its_vector(kind: str) -> None:
    r = build(kind).add([20, 40], np.array([[1, 0], [-1, 0]], dtype=np.float32))
    assert len(r) == 4 and r.ids().tolist() == [10, 20, 30, 40]
    hits = r.search(E1, k=4)
    assert hits.ids.tolist() == [[10, 20, 30, 40]]  # 10 and 20 tie at 1.0: lower id first
    assert np.allclose(hits.scores[0], [1, 1, R, -1], atol=1e-6)


@pytest.mark.parametrize("kind", BACKENDS)
def test_remove_counts_and_hides(kind: str) -> None:
    r = build(kind)
    assert r.remove([30, 99]) == 1
    assert r.remove([30]) == 0
    assert len(r) == 2 and r.ids().tolist() == [10, 20]
    assert r.search(E1, k=3).ids.tolist() == [[10, 20, -1]]


@pytest.mark.parametrize("kind", BACKENDS)
def test_allowed_restricts_results(kind: str) -> None:
    r = build(kind)
    assert r.search(E1, k=2, allowed={20, 30}).ids.tolist() == [[30, 20]]
    assert r.search(E1, k=2, allowed=[20, 77]).ids.tolist() == [[20, -1]]
    assert r.search(E1, k=2, allowed=[]).ids.tolist() == [[-1, -1]]


@pytest.mark.parametrize("kind", BACKENDS)
def test_index_replaces_everything(kind: str) -> None:
    r = build(kind).index([7], np.array([[0, 1]], dtype=np.float32))
    assert r.ids().tolist() == [7] and r.search(E1, k=2).ids.tolist() == [[7, -1]]


@pytest.mark.parametrize("kind", BACKENDS)
def test_bad_input_is_refused(kind: str) -> None:
    r = build(kind)
    with pytest.raises(ValueError, match="重复"):
        r.add([1, 1], np.ones((2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        r.add([1], np.ones((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="k"):
        r.search(E1, k=0)
    with pytest.raises(ValueError, match=r"非负.*\[-5\]"):
        r.add([-5], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        r.add([1], np.array([[np.nan, 0]], dtype=np.float32))


@pytest.mark.parametrize("kind", BACKENDS)
def test_empty_retriever_returns_padding(kind: str) -> None:
    r = make_retriever(kind, 2, Settings())
    assert len(r) == 0 and r.search(E1, k=2).ids.tolist() == [[-1, -1]]


def test_unknown_kind_is_quoted() -> None:
    with pytest.raises(ValueError, match="'annoy'"):
        make_retriever("annoy", 2, Settings())


def test_auto_switches_at_exact_threshold() -> None:
    settings = Settings(exact_threshold=1000)
    assert resolve_kind("auto", expected_size=999, settings=settings) == "faiss-flat"
    assert resolve_kind("auto", expected_size=1000, settings=settings) == "faiss-hnsw"
    assert set(KINDS) == {"auto", "exact", "numpy", "faiss-flat", "faiss-hnsw", "faiss-ivf"}


def test_settings_reach_the_backend() -> None:
    r = make_retriever("faiss-hnsw", 4, Settings(hnsw_m=8, hnsw_ef_search=20))
    assert r.params()["m"] == 8 and r.params()["ef_search"] == 20  # type: ignore[attr-defined]
    assert make_retriever("faiss-ivf", 4, Settings(ivf_nprobe=3)).params()["nprobe"] == 3  # type: ignore[attr-defined]


def test_top_k_breaks_ties_by_id_and_pads() -> None:
    scores = np.array([[0.5, 0.9, 0.5, 0.1]], dtype=np.float32)
    out = top_k(np.array([8, 3, 2, 5]), scores, 3)
    assert out.ids.tolist() == [[3, 2, 8]]
    out = top_k(np.array([[4, -1]]), np.array([[0.2, 0.7]], dtype=np.float32), 3)
    assert out.ids.tolist() == [[4, -1, -1]] and np.isneginf(out.scores[0, 1:]).all()


def test_slot_map_tracks_upserts_and_tombstones() -> None:
    slots = SlotMap()
    slots.append(np.array([30, 10]))  # slots 0, 1
    assert slots.append(np.array([10, 20])) == 1  # 10 moves to slot 2, 20 gets slot 3
    assert slots.lookup(np.array([10, 20, 30, 99])).tolist() == [2, 3, 0, -1]
    assert slots.alive.tolist() == [True, False, True, True]
    assert slots.kill(np.array([30, 30, 99])) == 1
    assert (slots.n_live, slots.n_dead, slots.keys.tolist()) == (2, 2, [10, 20])
    assert np.unpackbits(slots.bitmap(), bitorder="little")[:4].tolist() == [0, 0, 1, 1]
    again = SlotMap.from_arrays(slots.labels, slots.alive)
    assert again.lookup(np.array([10, 20])).tolist() == [2, 3]


@pytest.mark.parametrize("kind", ["faiss-flat", "faiss-hnsw", "faiss-ivf"])
def test_tombstones_compact_past_the_fraction(kind: str) -> None:
    vectors = np.eye(10, dtype=np.float32)
    r = make_retriever(kind, 10, Settings()).index(range(10), vectors)
    r.remove([0, 1])  # 2 dead of 10 slots: at the 0.2 limit, kept as tombstones
    assert r.n_tombstones == 2  # type: ignore[attr-defined]
    r.add([2], vectors[3:4])  # upsert: one more dead slot, 3 of 11 > 0.2 → rebuilt from live vectors
    assert r.n_tombstones == 0 and len(r) == 8  # type: ignore[attr-defined]
    hits = r.search(vectors[3:4], k=2)
    assert hits.ids.tolist() == [[2, 3]] and np.allclose(hits.scores, [[1, 1]])
