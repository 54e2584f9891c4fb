"""The Ray paths on small data, with a local Ray started here (2 CPUs, 500 MB object store) and shut down.

Ray Data build vs the single-process build (same vectors, same answers); Ray Serve with 2 shards x 2
replicas vs one index (same top-10), also while a replica is killed under a bounded load; candidate search
of the matching engine reading its dense candidates from the Serve shards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray", reason="Ray 未安装：pip install 'matcher[distributed]'（开发环境 .[dev] 已包含）")

import ray  # noqa: E402
from ray import serve  # noqa: E402

from matcher.distributed.build import build_shards  # noqa: E402
from matcher.distributed.local import LocalEngine, LocalShards  # noqa: E402
from matcher.distributed.positions import _ray_shards  # noqa: E402
from matcher.distributed.ray_build import RayEngine, start_ray  # noqa: E402
from matcher.distributed.ray_serve import APP, RayShards, deploy  # noqa: E402
from matcher.distributed.vectors import read_vectors  # noqa: E402
from matcher.encoders.factory import get_encoder  # noqa: E402
from matcher.ranking.core import MatchCore  # noqa: E402
from matcher.retrieval import candidates  # noqa: E402
from matcher.sample import generate_sample  # noqa: E402
from matcher.settings import Settings  # noqa: E402
from matcher.text.profiles import ProfileDoc, demand_profile  # noqa: E402
from tests.test_distributed_shards import same_top  # noqa: E402

pytestmark = pytest.mark.slow
ENCODER = "use-m3"  # the default encoder: the vectors compared are real ones
MODEL = "use-m3"
LOAD_QUERIES, LOAD_SECONDS = 120, 90.0  # the load run's bounds


@pytest.fixture(scope="module")
def sample() -> tuple[list[ProfileDoc], list[str]]:
    generated = generate_sample(seed=11, n_enterprises=300)
    return [ProfileDoc.from_enterprise(e) for e in generated.enterprises], [
        demand_profile(d) for d in generated.demands
    ]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    assert start_ray(None, num_cpus=2), "a Ray was already running in the test process"
    try:
        yield
    finally:
        _ray_shards.cache_clear()
        serve.shutdown()
        ray.shutdown()


@pytest.fixture(scope="module")
def builds(
    local_ray: None, sample: tuple[list[ProfileDoc], list[str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """One exact index (1 shard, every list probed) and 2 shards, in this process; 2 shards on Ray."""
    docs, root = sample[0], tmp_path_factory.mktemp("ray-shards")
    out = {"one": root / "one", "local": root / "local", "ray": root / "ray"}
    build_shards(docs, out["one"], LocalEngine(ENCODER), n_shards=1, model_id=MODEL, nprobe=10_000)
    build_shards(docs, out["local"], LocalEngine(ENCODER), n_shards=2, model_id=MODEL, nprobe=10_000)
    engine = RayEngine(ENCODER, workers=2)
    try:
        build_shards(docs, out["ray"], engine, n_shards=2, model_id=MODEL, nprobe=10_000)
    finally:
        engine.close()  # the fixture's Ray stays: the engine did not start it
    assert ray.is_initialized()
    return out


@pytest.fixture(scope="module")
def served(builds: dict[str, Path]) -> RayShards:
    deploy(builds["ray"], replicas=2)
    return RayShards()


def test_ray_vectors_equal_single_process_encoding(builds: dict[str, Path]) -> None:
    for role in ("names", "profiles"):
        ids_local, local = read_vectors(builds["local"] / f"vectors/role={role}")
        ids_ray, remote = read_vectors(builds["ray"] / f"vectors/role={role}")
        assert np.array_equal(ids_local, ids_ray)
        cosine = (local * remote).sum(axis=1) / (
            np.linalg.norm(local, axis=1) * np.linalg.norm(remote, axis=1)
        )
        assert cosine.min() >= 0.9999, (role, float(cosine.min()))


def test_ray_index_answers_as_the_single_process_index(builds: dict[str, Path]) -> None:
    _, queries = read_vectors(builds["local"] / "vectors/role=names")
    local, remote = LocalShards(builds["local"]), LocalShards(builds["ray"])
    for role in ("names", "profiles"):
        assert same_top(local.search(role, queries[::7], 11), remote.search(role, queries[::7], 11), 10)


def _replicas(deployment: str) -> list[str]:
    prefix = f"SERVE_REPLICA::{APP}#{deployment}#"
    return [
        a["name"] for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(prefix)
    ]


def test_serve_shards_give_one_index_top10_and_survive_a_replica_kill(
    served: RayShards, builds: dict[str, Path], sample: tuple[list[ProfileDoc], list[str]]
) -> None:
    queries = get_encoder(ENCODER).encode(sample[1])  # the demands of the sample, as the load mix
    one = LocalShards(builds["one"])
    expected = {role: one.search(role, queries, 11) for role in ("names", "profiles")}
    assert served.count("names") == one.count("names")
    victims = _replicas("shard-0")
    assert len(victims) == 2 and len(_replicas("shard-1")) == 2

    done, failures, mismatches, lock = [0], list[str](), [0], threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def client(start: int) -> None:
        for i in range(start, LOAD_QUERIES, 4):
            if time.monotonic() > deadline:
                return
            role, row = ("names", "profiles")[i % 2], i % len(queries)
            try:
                got = served.search(role, queries[row : row + 1], 11)
            except Exception as exc:  # any failed query fails the test below
                with lock:
                    failures.append(repr(exc))
                continue
            want = type(got)(expected[role].ids[row : row + 1], expected[role].scores[row : row + 1])
            with lock:
                done[0] += 1
                mismatches[0] += not same_top(got, want, 10)

    threads = [threading.Thread(target=client, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    while done[0] < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    ray.kill(ray.get_actor(victims[0], namespace="serve"), no_restart=True)
    for t in threads:
        t.join(timeout=LOAD_SECONDS)
    assert not failures, failures[:3]
    assert done[0] == LOAD_QUERIES, (
        f"only {done[0]} of {LOAD_QUERIES} queries answered within {LOAD_SECONDS} s"
    )
    assert mismatches[0] == 0
    assert victims[0] not in _replicas("shard-0")


def test_candidate_search_reads_the_serve_shards(
    served: RayShards, sample: tuple[list[ProfileDoc], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, demands = sample
    encoder = get_encoder(ENCODER)

    def top(engine: str) -> list[list[str]]:
        monkeypatch.setattr(candidates, "get_settings", lambda: Settings(dense_engine=engine))  # type: ignore[arg-type]
        core = MatchCore(encoder, search="candidates", candidate_depth=300).fit(docs)
        if engine == "ray":
            assert type(core.candidates_.names_ann).__name__ == "PositionalShards"
        return [[m.id for m in core.suppliers_for(text, k=10)] for text in demands[:12]]

    assert top("ray") == top("local")


def test_a_build_whose_vectors_outgrow_the_object_store_budget_finishes(
    local_ray: None, tmp_path: Path
) -> None:
    """The encoder actors hold every CPU; were the Parquet writes to ask for one, they would never run, the
    actors' output would fill the object store budget and the build would stall (as it did at 100k)."""
    from ray.data import DataContext, ExecutionResources

    names = [f"产品{i}号" for i in range(40_000)]  # 40,000 x 256-d float32: ~40 MB in 20 blocks
    docs = [ProfileDoc(str(i), f"企业{i}", tuple((n, 0.1) for n in names[i::300])) for i in range(300)]
    context = DataContext.get_current()
    limits = context.execution_options.resource_limits
    context.execution_options.resource_limits = ExecutionResources(object_store_memory=2 * 2**20)
    engine, done = RayEngine("fake", workers=2), threading.Event()
    result: dict[str, object] = {}

    def build() -> None:
        try:
            result["manifest"] = build_shards(docs, tmp_path / "big", engine, n_shards=2, model_id="fake")
        except BaseException as exc:  # reported below
            result["error"] = exc
        finally:
            done.set()

    try:
        threading.Thread(target=build, daemon=True).start()
        assert done.wait(400), (
            "the build stalled: its Parquet writes got no CPU"
        )  # ~1 min on a loaded machine
    finally:
        context.execution_options.resource_limits = limits
        engine.close()
    assert "error" not in result, result.get("error")
    ids, _ = read_vectors(tmp_path / "big" / "vectors/role=names")
    assert len(ids) == len(names)
