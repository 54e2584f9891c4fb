"""The store-following search index: drift found exactly, mended incrementally, saved crash-safely."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matcher.domain import Demand, Enterprise, Park, Product
from matcher.encoders.cache import CachedEncoder, EmbeddingCache
from matcher.encoders.fake import FakeEncoder
from matcher.errors import IndexError_
from matcher.retrieval.storage import Writer
from matcher.search import SLOTS, SearchIndex, product_texts, storage, store_texts
from matcher.settings import Settings
from matcher.store import Store
from matcher.store import repository as repo
from matcher.text.profiles import ProfileDoc
from tests.conftest import make_uscc

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


class CountingEncoder(FakeEncoder):
    """The fake encoder, counting the texts it is really asked to encode."""

    def __init__(self, dim: int = 256) -> None:
        super().__init__(dim)
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return super().encode(texts)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", encoder="fake", retriever="exact")


@pytest.fixture
def counting() -> CountingEncoder:
    return CountingEncoder()


@pytest.fixture
def encoder(counting: CountingEncoder, settings: Settings) -> CachedEncoder:
    return CachedEncoder(counting, EmbeddingCache(settings.cache_dir / "embeddings.sqlite"))


def firm(serial: int, park: Park, products: list[str], role: str = "sme") -> Enterprise:
    return Enterprise(
        uscc=make_uscc(serial),
        name=f"测试企业{serial}有限公司",
        park=park.name,
        industry_code="3985",
        role=role,
        products=[Product(name=p) for p in products],
    )


def procurement(code: str, publisher: Enterprise, product: str) -> Demand:
    return Demand(
        code=code, kind="procurement", title=f"采购{product}", publisher_uscc=publisher.uscc, product=product
    )


@pytest.fixture
def filled(store: Store, park: Park, leader: Enterprise, sme: Enterprise, demand: Demand) -> dict[str, int]:
    """Leader (2 products), SME (1), a third firm (2), the leader's demand; their store ids by name."""
    third = firm(3, park, ["铝塑膜", "电池隔膜"])
    with store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=[leader, sme, third])
        repo.upsert_demands(s, demands=[demand])
        ids = repo.enterprise_ids(s)
        demand_id = repo.get_demand(s, code=demand.code).id
    return {"leader": ids[leader.uscc], "sme": ids[sme.uscc], "third": ids[third.uscc], "demand": demand_id}


def test_plan_reports_exactly_what_changed_and_apply_mends_it(
    store: Store,
    settings: Settings,
    encoder: CachedEncoder,
    counting: CountingEncoder,
    filled: dict[str, int],
    park: Park,
    sme: Enterprise,
    leader: Enterprise,
) -> None:
    index = SearchIndex.open(settings, encoder)
    first = index.sync(store)
    assert (first.drift.products.missing, first.drift.demands.missing) == (
        (filled["leader"], filled["sme"], filled["third"]),
        (filled["demand"],),
    )
    assert (index.held("products"), index.held("demands")) == (5, 1)
    with store.session() as s:  # one update, one delete, one new demand
        changed = sme.model_copy(
            update={"products": [Product(name="三元正极材料"), Product(name="磷酸铁锂")]}
        )
        repo.upsert_enterprises(s, enterprises=[changed])
        repo.delete_enterprise(s, id=filled["third"])
        repo.upsert_demands(s, demands=[procurement("XQ-2025-002", leader, "电解液")])
        new_demand = repo.get_demand(s, code="XQ-2025-002").id
    drift = SearchIndex.open(settings, encoder).plan(store)
    assert (drift.products.missing, drift.products.stale, drift.products.orphaned) == (
        (),
        (filled["sme"],),
        (filled["third"],),
    )
    assert (drift.demands.missing, drift.demands.stale, drift.demands.orphaned) == ((new_demand,), (), ())
    before = len(counting.texts)
    applied = index.apply(drift, store)
    assert counting.texts[before:] == ["磷酸铁锂", "采购电解液，采购电解液"]  # the rest came from the cache
    assert (applied.added, applied.removed) == (3, 3)  # SME 2 + demand 1 in; SME's old 1 + third's 2 out
    reopened = SearchIndex.open(settings, encoder)
    assert reopened.plan(store).empty
    assert (reopened.held("products"), reopened.held("demands")) == (4, 2)
    hits = reopened.search_products(encoder.encode(["磷酸铁锂"]), k=1)
    assert (hits.enterprise_ids[0, 0], hits.positions[0, 0]) == (filled["sme"], 1)


def test_store_texts_are_the_product_names_ranking_encodes(store: Store, park: Park) -> None:
    odd = firm(5, park, ["动力电池电芯", "其他业务收入", "（动力）电池电芯", "ＰＶＣ管材", "电池模组"])
    with store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=[odd, firm(6, park, [])])
        stored = repo.list_enterprises(s)
    texts = store_texts(store).products
    assert texts == {e.id: product_texts(ProfileDoc.from_enterprise(e.record)) for e in stored[:1]}
    assert texts[stored[0].id] == (
        "动力电池电芯",
        "ＰＶＣ管材",
        "电池模组",
    )  # no accounting line, no duplicate


def test_unchanged_rebuild_encodes_nothing_new(
    store: Store,
    settings: Settings,
    encoder: CachedEncoder,
    counting: CountingEncoder,
    filled: dict[str, int],
) -> None:
    index = SearchIndex.open(settings, encoder)
    index.sync(store)
    encoded = len(counting.texts)
    assert encoded == 6  # 5 product names + 1 demand
    seen: list[tuple[int, int]] = []
    applied = index.rebuild(store, on_progress=lambda done, total: seen.append((done, total)))
    assert len(counting.texts) == encoded and applied.texts == 6 and seen[-1] == (6, 6)
    assert index.sync(store).texts == 0
    assert SearchIndex.open(settings, encoder).plan(store).empty


def test_search_never_leaves_the_allowed_sets(
    store: Store,
    settings: Settings,
    encoder: CachedEncoder,
    filled: dict[str, int],
    park: Park,
    leader: Enterprise,
) -> None:
    with store.session() as s:
        repo.upsert_enterprises(
            s, enterprises=[firm(10 + i, park, [f"产品{i}", f"材料{i}"]) for i in range(20)]
        )
        repo.upsert_demands(s, demands=[procurement(f"XQ-{i}", leader, f"材料{i}") for i in range(10)])
    index = SearchIndex.open(settings, encoder)
    index.sync(store)
    queries = encoder.encode(["电池隔膜", "三元正极材料", "材料3", "产品"])
    allowed = {filled["third"], filled["sme"]}
    hits = index.search_products(queries, k=10, allowed_enterprises=allowed)
    assert set(hits.enterprise_ids.ravel().tolist()) == allowed | {-1}  # 3 products held: padded to 10
    assert ((hits.ids >= 0).sum(axis=1) == 3).all()
    assert (hits.ids[hits.ids >= 0] // SLOTS == hits.enterprise_ids[hits.ids >= 0]).all()
    demand_ids = [r.id for r in index_demands(store)][:4]
    found = index.search_demands(queries, k=3, allowed=demand_ids)
    assert set(found.ids.ravel().tolist()) <= set(demand_ids)


def index_demands(store: Store) -> list[repo.StoredDemand]:
    with store.session() as s:
        return repo.list_demands(s)


def partial_then_fail(path: Path, write: Writer) -> None:
    """A writer that dies half-way through its temporary file, as a killed process would."""
    tmp = path.with_name(f".{path.name}.dying.tmp")

    class Half:
        def write(self, data: bytes) -> int:
            with open(tmp, "wb") as handle:
                handle.write(bytes(data)[: len(data) // 2])
            raise OSError("磁盘已满（模拟）")

    write(Half())  # type: ignore[arg-type]


def test_a_save_killed_midway_leaves_the_previous_index_whole(
    store: Store,
    settings: Settings,
    encoder: CachedEncoder,
    filled: dict[str, int],
    sme: Enterprise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = SearchIndex.open(settings, encoder)
    index.sync(store)
    committed = index.version
    with store.session() as s:
        repo.upsert_enterprises(
            s, enterprises=[sme.model_copy(update={"products": [Product(name="钴酸锂")]})]
        )
    monkeypatch.setattr(storage, "atomic_write", partial_then_fail)  # fingerprints and CURRENT writes
    with pytest.raises(OSError, match="模拟"):
        index.sync(store)
    monkeypatch.undo()
    index.refresh()  # the failed instance drops what it did not manage to save
    assert index.version == committed and index.plan(store).products.stale == (filled["sme"],)
    again = SearchIndex.open(settings, encoder)  # verify(): vectors and fingerprints name the same records
    assert again.version == committed and (again.held("products"), again.held("demands")) == (5, 1)
    assert again.plan(store).products.stale == (filled["sme"],)
    (settings.index_dir / "v-20000101T000000-dead0000").mkdir()  # left by a kill after its files were written
    again.sync(store)
    assert [p.name for p in settings.index_dir.glob("v-*")] == [again.version]
    assert SearchIndex.open(settings, encoder).plan(store).empty


def test_a_retriever_killed_midway_leaves_the_previous_index_whole(
    store: Store,
    settings: Settings,
    encoder: CachedEncoder,
    filled: dict[str, int],
    leader: Enterprise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matcher.retrieval import storage as bundles

    index = SearchIndex.open(settings, encoder)
    index.sync(store)
    with store.session() as s:
        repo.upsert_demands(s, demands=[procurement("XQ-9", leader, "电解液")])
    monkeypatch.setattr(bundles, "atomic_write", partial_then_fail)
    with pytest.raises(OSError):
        index.sync(store)
    monkeypatch.undo()
    again = SearchIndex.open(settings, encoder)
    assert again.held("demands") == 1 and len(again.plan(store).demands.missing) == 1


def test_an_index_of_another_model_is_set_aside_and_a_tampered_one_refused(
    store: Store, settings: Settings, encoder: CachedEncoder, filled: dict[str, int]
) -> None:
    SearchIndex.open(settings, encoder).sync(store)
    other = SearchIndex.open(settings, FakeEncoder(dim=64))
    drift = other.plan(store)
    assert drift.reset and len(drift.products.missing) == 3 and not drift.empty
    other.sync(store)
    assert other.retrievers["products"] is not None and other.retrievers["products"].dim == 64
    assert SearchIndex.open(settings, FakeEncoder(dim=64)).plan(store).empty
    table = settings.index_dir / str(other.version) / storage.FINGERPRINTS
    body = json.loads(table.read_text(encoding="utf-8"))
    del body["products"][str(filled["sme"])]
    table.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(IndexError_, match="不一致"):
        SearchIndex.open(settings, FakeEncoder(dim=64))


def test_engine_imports_follow_an_existing_index_only(store: Store, settings: Settings) -> None:
    from matcher.engine import Engine

    engine = Engine(store, settings)
    engine.registry.import_file(TEMPLATES / "parks.csv")
    engine.registry.import_file(TEMPLATES / "enterprises.csv")
    assert not SearchIndex.exists(settings.index_dir)  # no first index built inside an import
    assert len(engine.search.index_check().products.missing) == 2
    engine.search.index_sync()
    engine.registry.import_file(TEMPLATES / "demands.csv")
    assert engine.search.index_check().empty and engine.search.index_status().vectors["demands"] == 2


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": "", "MATCHER_ENCODER": "fake"}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_check_exits_1_on_drift_and_0_after_sync(tmp_path: Path) -> None:
    assert run(tmp_path, "import", str(TEMPLATES / "import_template.xlsx")).returncode == 0
    check = run(tmp_path, "index", "--check")
    assert check.returncode == 1, check.stderr
    assert "发现差异 4 处" in check.stdout
    sync = run(tmp_path, "index")
    assert sync.returncode == 0, sync.stderr
    assert "新增向量 6" in sync.stdout
    check = run(tmp_path, "index", "--check")
    assert check.returncode == 0, check.stderr
    assert "索引与登记库一致" in check.stdout
