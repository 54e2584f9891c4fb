"""The fake hashing encoder, the embedding cache and the factory (no real model)."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matcher.encoders.base import Encoder, encode_queries, l2_normalize
from matcher.encoders.cache import CachedEncoder, EmbeddingCache, text_key
from matcher.encoders.factory import get_encoder
from matcher.encoders.fake import FakeEncoder


def test_fake_is_deterministic_unit_and_similarity_follows_ngrams() -> None:
    enc = FakeEncoder()
    a, b, c = enc.encode(["硫酸", "工业硫酸", "钢材"])
    assert np.allclose(enc.encode(["硫酸"])[0], a)
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-6)
    assert a @ b > a @ c
    assert enc.encode([]).shape == (0, enc.dim)
    assert isinstance(enc, Encoder)


def test_l2_normalize_keeps_zero_rows() -> None:
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(out, [[0.6, 0.8], [0.0, 0.0]])


class CountingEncoder:
    """Counts the texts it is asked to embed; queries get a different vector than documents."""

    model_id = "counting"
    dim = 4

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return l2_normalize(np.array([[len(t), 1.0, 0.0, 0.0] for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return l2_normalize(np.array([[0.0, 0.0, len(t), 1.0] for t in texts]))


def test_cache_encodes_each_text_once_and_keeps_roles_apart(tmp_path: Path) -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"))
    first = cached.encode(["甲", "乙乙", "甲"])
    assert inner.seen == ["甲", "乙乙"]
    again = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite")).encode(["乙乙", "甲"])
    assert inner.seen == ["甲", "乙乙"]  # nothing new computed, even by a fresh cache object
    assert np.allclose(again, first[[1, 0]])
    query = encode_queries(cached, ["甲"])
    assert inner.seen[-1] == "甲" and query[0][2] > 0  # the query role is stored apart


def test_a_chunk_another_process_stored_meanwhile_is_not_encoded_again(tmp_path: Path) -> None:
    """Two processes filling one shared cache: whichever chunk this one encodes first, a peer stores the
    other chunk while it runs, so the second chunk is read from the cache, not encoded."""
    texts = ["甲", "乙乙", "丙丙丙", "丁丁丁丁"]
    peer = EmbeddingCache(tmp_path / "e.sqlite")

    class PeerRacingEncoder(CountingEncoder):
        def encode(self, batch: Sequence[str]) -> np.ndarray:
            rest = [t for t in texts if t not in batch]
            peer.put("counting", "d", [text_key(t) for t in rest], CountingEncoder().encode(rest))
            return super().encode(batch)

    inner = PeerRacingEncoder()
    vectors = CachedEncoder(inner, EmbeddingCache(tmp_path / "e.sqlite"), chunk=2).encode(texts)
    assert len(inner.seen) == 2 and set(inner.seen) < set(texts)
    assert np.allclose(vectors, CountingEncoder().encode(texts))


def test_a_new_query_costs_one_cache_lookup(tmp_path: Path) -> None:
    """The live path encodes one query text at a time: it is looked up once, not again before encoding."""

    class CountingCache(EmbeddingCache):
        lookups = 0

        def get(self, model_id: str, role: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
            CountingCache.lookups += 1
            return super().get(model_id, role, keys)

    cached = CachedEncoder(CountingEncoder(), CountingCache(tmp_path / "e.sqlite"))
    encode_queries(cached, ["新的需求文本"])
    assert CountingCache.lookups == 1


def test_factory_names_and_lazy_sentence_transformers(tmp_path: Path) -> None:
    from matcher.encoders.sentence_transformer import SentenceTransformerEncoder

    assert get_encoder("fake").encode(["硫酸"]).shape == (1, 256)
    other = get_encoder("BAAI/bge-small-zh-v1.5")
    assert isinstance(other, SentenceTransformerEncoder) and other._model is None  # nothing loaded yet
    assert isinstance(get_encoder("fake", cache_dir=tmp_path), CachedEncoder)


@pytest.mark.slow
def test_default_encoder_ranks_a_chinese_pair_first() -> None:
    from matcher.settings import Settings

    enc = get_encoder(Settings().encoder)
    query = encode_queries(enc, ["采购锂电池正极材料"])
    docs = enc.encode(["磷酸铁锂正极材料", "白酒", "房地产开发", "钢结构工程", "婴幼儿奶粉"])
    assert int(np.argmax(docs @ query[0])) == 0


def test_use_takes_its_threads_from_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ray sets OMP_NUM_THREADS to a worker's CPUs; two encoder actors on two cores with two BLAS threads
    each halved the build's throughput."""
    from matcher.encoders.use import UseEncoder

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert UseEncoder().threads == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert UseEncoder().threads == 2
    assert UseEncoder(threads=3).threads == 3
