"""Index shards built in this process (no Ray): ids, the shard split, merging, atomic builds, the CLI."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("pyarrow", reason="向量分片需要 pyarrow：pip install 'matcher[distributed]'（.[dev] 已包含）")

from matcher.cli.main import app  # noqa: E402
from matcher.distributed import make_engine  # noqa: E402
from matcher.distributed.base import BuildEngine, ShardSearch  # noqa: E402
from matcher.distributed.build import build_shards  # noqa: E402
from matcher.distributed.local import LocalEngine, LocalShards  # noqa: E402
from matcher.distributed.positions import PositionalShards  # noqa: E402
from matcher.distributed.shards import RoleTexts, read_shard_manifest, role_texts, stable_ids  # noqa: E402
from matcher.distributed.vectors import read_vectors  # noqa: E402
from matcher.errors import IndexError_  # noqa: E402
from matcher.retrieval.base import SearchResults  # noqa: E402
from matcher.retrieval.numpy import NumpyRetriever  # noqa: E402
from matcher.sample import generate_sample  # noqa: E402
from matcher.text.profiles import ProfileDoc  # noqa: E402


def same_top(a: SearchResults, b: SearchResults, k: int) -> bool:
    """Equal top-k up to ties: equal scores per rank, and per query the same ids among those scoring above
    the k-th score (tied ids may come in another order, and those tied at the k-th may be cut differently)."""
    if not np.allclose(a.scores[:, :k], b.scores[:, :k], atol=1e-5):
        return False
    for row in range(a.ids.shape[0]):
        cut = a.scores[row, k - 1] + 1e-5
        clear_a = set(a.ids[row, :k][a.scores[row, :k] > cut].tolist())
        clear_b = set(b.ids[row, :k][b.scores[row, :k] > cut].tolist())
        if clear_a != clear_b:
            return False
    return True


@pytest.fixture(scope="module")
def docs() -> list[ProfileDoc]:
    return [ProfileDoc.from_enterprise(e) for e in generate_sample(seed=7, n_enterprises=400).enterprises]


@pytest.fixture(scope="module")
def builds(docs: list[ProfileDoc], tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The same registry in 1 and in 3 shards, probing every list (exact search)."""
    root = tmp_path_factory.mktemp("shards")
    for n in (1, 3):
        build_shards(docs, root / str(n), LocalEngine("fake"), n_shards=n, model_id="fake-hash-256", nprobe=10_000)
    return {n: root / str(n) for n in (1, 3)}


def test_stable_ids_are_non_negative_and_the_same_in_every_call() -> None:
    ids = stable_ids(["硫酸", "钛白粉", "硫酸"])
    assert ids.dtype == np.int64 and (ids >= 0).all()
    assert ids[0] == ids[2] != ids[1]
    assert stable_ids(["硫酸"])[0] == ids[0]


def test_role_texts_are_the_distinct_names_and_one_profile_per_company() -> None:
    docs = [ProfileDoc("a", "甲", (("硫酸", 0.7), ("钛白粉", 0.3))), ProfileDoc("b", "乙", (("硫酸", 1.0),))]
    texts = role_texts(docs)
    assert texts["names"].texts == ["硫酸", "钛白粉"]
    assert texts["profiles"].texts == ["硫酸 钛白粉", "硫酸"]
    assert list(texts["profiles"].ids) == list(stable_ids(["a", "b"]))


def test_every_vector_lands_in_exactly_one_shard(builds: dict[int, Path], docs: list[ProfileDoc]) -> None:
    manifest = read_shard_manifest(builds[3])
    names = role_texts(docs)["names"]
    assert manifest.roles["names"].count == len(names.texts)
    held = np.concatenate([LocalShards(builds[3]).shards["names"][s].ids() for s in range(3)])
    assert np.array_equal(np.sort(held), np.sort(names.ids))
    for s in range(3):
        assert (LocalShards(builds[3]).shards["names"][s].ids() % 3 == s).all()


def test_merged_shards_answer_as_one_index_and_as_exact_search(builds: dict[int, Path]) -> None:
    ids, vectors = read_vectors(builds[1] / "vectors/role=names")
    exact = NumpyRetriever(vectors.shape[1]).index(ids, vectors)
    queries = vectors[::25]
    one, three = LocalShards(builds[1]), LocalShards(builds[3])
    for k in (1, 10):
        reference = exact.search(queries, k + 1)
        assert same_top(one.search("names", queries, k + 1), reference, k)
        assert same_top(three.search("names", queries, k + 1), reference, k)


def test_a_failed_build_leaves_the_previous_one_in_place(builds: dict[int, Path], docs: list[ProfileDoc]) -> None:
    class Failing(LocalEngine):
        def fill_shards(self, vectors_at: Path, quantizer: Path, outs: Sequence[Path], model_id: str) -> list[int]:
            raise RuntimeError("节点失联")

    before = read_shard_manifest(builds[3])
    with pytest.raises(RuntimeError, match="节点失联"):
        build_shards(docs, builds[3], Failing("fake"), n_shards=2, model_id="fake-hash-256")
    assert read_shard_manifest(builds[3]) == before
    assert not [p for p in builds[3].parent.iterdir() if p.name.endswith(".tmp")]


def test_positions_translate_shard_ids_and_drop_names_the_pool_lost() -> None:
    class Fixed(ShardSearch):
        def search(self, role: str, queries: np.ndarray, k: int) -> SearchResults:
            ids = np.array([stable_ids(["乙", "丙", "甲"])], dtype=np.int64)
            return SearchResults(ids, np.array([[0.9, 0.8, 0.7]], dtype=np.float32))

        def count(self, role: str) -> int:
            return 3

    found = PositionalShards(Fixed(), "names", ["甲", "乙"]).search(np.zeros((1, 4), np.float32), 3)
    assert found.ids.tolist() == [[1, -1, 0]]
    assert np.isneginf(found.scores[0, 1])


def test_unknown_engine_and_missing_manifest_are_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="未知的建索引引擎"):
        make_engine("spark", "fake")
    with pytest.raises(IndexError_, match="matcher index build"):
        read_shard_manifest(tmp_path)


def test_cli_builds_shards_from_a_jsonl_file(tmp_path: Path, docs: list[ProfileDoc]) -> None:
    source = tmp_path / "firms.jsonl"
    records = [{"id": d.id, "name": d.name, "products": [{"name": n, "weight": w} for n, w in d.products]} for d in docs[:50]]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    out = tmp_path / "shards"
    result = CliRunner().invoke(app, ["index", "build", "--input", str(source), "--shards", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "50 家企业" in result.output
    manifest = read_shard_manifest(out)
    assert manifest.engine == "local" and manifest.n_shards == 2 and manifest.roles["profiles"].count == 50


class _Recording(BuildEngine):
    """Checks what ``build_shards`` hands an engine: every role at once, the shard count."""

    name = "recording"
    workers = 1

    def __init__(self) -> None:
        self.inner, self.seen = LocalEngine("fake"), list[tuple[str, ...]]()

    def encode(self, texts: Mapping[str, RoleTexts], out: Path, n_shards: int) -> None:
        self.seen.append(tuple(texts))
        self.inner.encode(texts, out, n_shards)

    def fill_shards(self, vectors_at: Path, quantizer: Path, outs: Sequence[Path], model_id: str) -> list[int]:
        return self.inner.fill_shards(vectors_at, quantizer, outs, model_id)

    def close(self) -> None:
        self.inner.close()


def test_one_encoding_pass_serves_both_roles(tmp_path: Path, docs: list[ProfileDoc]) -> None:
    engine = _Recording()
    manifest = build_shards(docs[:40], tmp_path / "s", engine, n_shards=2, model_id="fake-hash-256")
    assert engine.seen == [("names", "profiles")]
    assert manifest.engine == "recording"
