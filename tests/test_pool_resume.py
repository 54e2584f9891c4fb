"""A restarted worker resumes its matching pool from the last full fit's snapshot (``matcher.engine.snapshot``)
and the change log, instead of fitting the registry whole; a snapshot that does not describe the store is
refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from matcher.cli.demo import load_sample
from matcher.engine import Engine
from matcher.io import import_records
from matcher.settings import Settings
from matcher.store import Store
from matcher.store import repository as repo
from tests.conftest import make_uscc

NEW_PRODUCT = "钛酸锶钡介质陶瓷电容器"
QUERIES = ("采购三元正极材料", "寻找锂电池隔膜供应商", f"采购{NEW_PRODUCT}", "铝合金压铸件")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    load_sample(Store(f"sqlite:///{tmp_path / 'm.db'}"))
    return tmp_path


def _engine(home: Path, **options: Any) -> Engine:
    settings = Settings(home=home, encoder="fake", **{"pool_snapshot_from": 0, **options})
    return Engine(Store(f"sqlite:///{home / 'm.db'}"), settings)


def _answers(engine: Engine) -> list[list[tuple[int, float, str]]]:
    found = [engine.matching.suppliers_for(text=q, k=10).matches for q in QUERIES]
    return [[(m.enterprise_id, m.score, m.product) for m in matches] for matches in found]


def _smes(engine: Engine, n: int) -> list[repo.StoredEnterprise]:
    return [e for e in engine.registry.enterprises(role="sme", limit=200) if e.record.products][:n]


def _no_full_fit(engine: Engine) -> None:
    def refused() -> Any:
        raise AssertionError("the restarted worker fitted the whole registry")

    engine.matching._fit_pool = refused  # type: ignore[method-assign]


@pytest.mark.parametrize("search", ["exhaustive", "candidates"])
def test_a_restart_after_edits_resumes_from_the_snapshot_and_answers_as_the_running_worker(
    home: Path, search: str
) -> None:
    running = _engine(home, supplier_search=search)
    running.matching.match_pool()  # the full fit: saves the snapshot
    assert running.matching.refits == 1 and not running.matching.resumed
    smes = _smes(running, 4)
    running.publishing.update_profile(smes[0].id, {"products": [{"name": NEW_PRODUCT, "share": None}]})
    copy = smes[1].record.model_copy(update={"uscc": make_uscc(99_002), "name": "新增测试公司"})
    import_records(running.store, enterprises=[copy])
    with running.store.session() as s:
        repo.delete_enterprise(s, id=smes[2].id)
    running.matching.registry_changed()
    want = _answers(running)

    restarted = _engine(home, supplier_search=search)
    _no_full_fit(restarted)
    started = time.perf_counter()
    pool = restarted.matching.match_pool()
    assert restarted.matching.resumed and restarted.matching.refits == 0
    assert pool.delta_size == 3 and smes[2].id not in pool.positions
    assert _answers(restarted) == want  # the same main part and the same changes by id
    assert any(m[0] == smes[0].id and m[2] == NEW_PRODUCT for m in want[2])
    assert time.perf_counter() - started < 30


def test_a_snapshot_of_another_database_at_the_same_path_is_refused(home: Path) -> None:
    _engine(home).matching.match_pool()  # saves the snapshot
    (home / "m.db").unlink()
    load_sample(Store(f"sqlite:///{home / 'm.db'}"))  # same sample, same ids, new rows
    fresh = _engine(home)
    fresh.matching.match_pool()
    assert not fresh.matching.resumed and fresh.matching.refits == 1


def test_more_changes_than_an_update_by_id_takes_fit_whole(home: Path) -> None:
    _engine(home).matching.match_pool()
    writer = _engine(home)
    for sme in _smes(writer, 3):
        writer.publishing.update_profile(sme.id, {"capabilities": "精密加工"})
    resumed = _engine(home, pool_delta_limit=3)  # a resume saves no snapshot: the next start sees the same
    assert resumed.matching.match_pool().delta_size == 3 and resumed.matching.resumed
    fresh = _engine(home, pool_delta_limit=2)
    fresh.matching.match_pool()
    assert not fresh.matching.resumed and fresh.matching.refits == 1


def test_no_snapshot_below_the_size_setting(home: Path) -> None:
    _engine(home, pool_snapshot_from=10**6).matching.match_pool()
    fresh = _engine(home)
    fresh.matching.match_pool()
    assert not fresh.matching.resumed and fresh.matching.refits == 1


def test_a_damaged_snapshot_fits_whole(home: Path) -> None:
    _engine(home).matching.match_pool()
    (data,) = (home / "cache" / "pools").glob("*/blob-*.bin")
    raw = bytearray(data.read_bytes())
    raw[-200:] = b"\0" * 200  # the last records' compressed JSON
    data.write_bytes(bytes(raw))
    fresh = _engine(home)
    fresh.matching.match_pool()
    assert not fresh.matching.resumed and fresh.matching.refits == 1
