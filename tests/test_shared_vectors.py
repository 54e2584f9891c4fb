"""Vector files and mapped indexes: a large list is encoded once into a file every process maps, and the
candidate indexes over it are built once and mapped read-only by every later core."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matcher.encoders.cache import CachedEncoder, EmbeddingCache
from matcher.encoders.fake import FakeEncoder
from matcher.ranking.core import MatchCore
from matcher.sample import generate_sample
from matcher.text.profiles import ProfileDoc


class Counting(FakeEncoder):
    """The fake encoder, counting the texts it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen += len(texts)
        return super().encode(texts)


def test_a_large_list_is_a_shared_vector_file_encoded_once(tmp_path: Path) -> None:
    texts = [f"产品{i}" for i in range(40)]
    inner = Counting()
    first = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"), map_from=10).encode(texts)
    assert isinstance(first, np.memmap) and not first.flags.writeable
    assert inner.seen == 40
    again = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"), map_from=10).encode(texts)
    assert inner.seen == 40 and again.filename == first.filename  # a new worker maps the same file
    assert np.allclose(again, FakeEncoder().encode(texts))
    small = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"), map_from=10).encode(texts[:5])
    assert not isinstance(small, np.memmap) and inner.seen == 40  # below map_from: the cache alone
    reordered = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"), map_from=10).encode(texts[::-1])
    assert inner.seen == 40 and reordered.filename != first.filename  # another list, from the cache
    assert np.allclose(reordered, first[::-1])


def test_candidate_indexes_over_a_vector_file_are_built_once_and_mapped(tmp_path: Path) -> None:
    docs = [ProfileDoc.from_enterprise(e) for e in generate_sample(seed=7, n_enterprises=300).enterprises]
    inner = Counting()

    def core() -> MatchCore:
        cached = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"), map_from=50)
        return MatchCore(cached, search="candidates", query_encoder=FakeEncoder()).fit(docs)

    built = core()
    assert isinstance(built.supplier_.names_vec, np.memmap)
    folders = sorted(p.name for p in (tmp_path / "vectors").iterdir() if p.is_dir())
    assert len(folders) == 2  # product names and profiles, each beside its vector file
    stamps = {p: (tmp_path / "vectors" / p / "manifest.json").stat().st_mtime_ns for p in folders}
    encoded = inner.seen
    mapped = core()
    assert inner.seen == encoded  # nothing encoded again
    assert {p: (tmp_path / "vectors" / p / "manifest.json").stat().st_mtime_ns for p in folders} == stamps
    exhaustive = MatchCore(FakeEncoder()).fit(docs)
    for text in ("采购锂电池隔膜", "寻找三元正极材料供应商"):
        want = exhaustive.top_suppliers(text, 10).order.tolist()
        assert built.top_suppliers(text, 10).order.tolist() == want
        assert mapped.top_suppliers(text, 10).order.tolist() == want


@pytest.mark.parametrize("kind", ["faiss-ivf", "faiss-hnsw", "faiss-flat"])
def test_a_mapped_index_answers_as_the_built_one(tmp_path: Path, kind: str) -> None:
    from matcher.retrieval import load_retriever
    from matcher.retrieval.faiss import FlatRetriever, HNSWRetriever, IVFRetriever

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    make = {"faiss-ivf": lambda: IVFRetriever(32, nlist=20), "faiss-hnsw": lambda: HNSWRetriever(32)}
    built = make.get(kind, lambda: FlatRetriever(32))().index(np.arange(3000) * 3, vectors)
    built.save(tmp_path / kind)
    mapped = load_retriever(tmp_path / kind, mmap=True)
    assert mapped.kind == kind
    want, got = built.search(vectors[:20], 10), mapped.search(vectors[:20], 10)
    assert got.ids.tolist() == want.ids.tolist()


def test_a_new_nprobe_searches_the_saved_index_without_rebuilding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists searched per query are read at search time: changing the setting keeps the index on disk."""
    from matcher.retrieval import candidates
    from matcher.settings import Settings

    monkeypatch.setattr(candidates, "IVF_FROM", 20_000)
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((candidates.IVF_FROM, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(tmp_path / "v.npy", vectors)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    first = candidates._ann(mapped, Settings(ivf_nprobe=2), "names", [])
    folders = [p for p in tmp_path.iterdir() if p.is_dir()]
    stamp = (folders[0] / "manifest.json").stat().st_mtime_ns
    second = candidates._ann(mapped, Settings(ivf_nprobe=9), "names", [])
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == folders  # one index folder, written once
    assert (folders[0] / "manifest.json").stat().st_mtime_ns == stamp
    assert (first.probes(), second.probes()) == (2, 9)  # type: ignore[union-attr]
    assert second.params()["codec"] == "sq8"  # type: ignore[union-attr]


def test_the_mapped_candidate_hnsw_explores_in_proportion_to_the_results_asked(tmp_path: Path) -> None:
    """Few names near each of many vectors (buyer candidates) explore ``EF_PER_K`` nodes per result, a
    channel's full depth the settings' breadth; saved and mapped indexes keep it."""
    from matcher.retrieval import candidates
    from matcher.settings import Settings

    rng = np.random.default_rng(2)
    vectors = rng.standard_normal((2000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(tmp_path / "v.npy", vectors)
    settings = Settings(retriever="auto")
    mapped = candidates._ann(np.load(tmp_path / "v.npy", mmap_mode="r"), settings, "names", [])
    assert mapped.kind == "faiss-hnsw"  # type: ignore[union-attr]
    assert mapped.breadth(30) == 30 * candidates.EF_PER_K  # type: ignore[union-attr]
    assert mapped.breadth(300) == settings.hnsw_ef_search  # type: ignore[union-attr]
    exact = np.argsort(-(vectors[:50] @ vectors.T), axis=1)[:, :30]
    found = mapped.search(vectors[:50], 30).ids
    shares = [len(set(a) & set(b)) / 30 for a, b in zip(found.tolist(), exact.tolist(), strict=True)]
    assert np.mean(shares) >= 0.95
