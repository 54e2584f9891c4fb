"""A full refit never stalls matching (issue 11 item 9), over HTTP: while a slow refit of the matching pool
runs (here: changes past ``pool_delta_limit``, which are not applied by id), queries answer at once from the
old pool; when it is done, the new data shows. Edits applied by id: ``test_pool_incremental.py``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_api_fuzz import World

from matcher.store.repository import StoredEnterprise

NEW_PRODUCT = "钛酸锶钡介质陶瓷电容器"


@pytest.fixture
def world(tmp_path: Any) -> World:
    return World(tmp_path)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app, headers=world.headers) as c:
        yield c


def _sme(world: World) -> StoredEnterprise:
    return next(e for e in world.engine.registry.enterprises(role="sme", limit=50) if e.record.products)


def _hit(client: TestClient, enterprise_id: int) -> tuple[bool, float]:
    """Whether ``enterprise_id`` is matched on the new product, and how long the answer took."""
    started = time.perf_counter()
    answer = client.post("/api/match", json={"text": f"采购{NEW_PRODUCT}", "top": 20})
    took = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    return any(
        m["enterprise_id"] == enterprise_id and m["product"] == NEW_PRODUCT for m in answer.json()["data"]
    ), took


def test_queries_during_a_slow_refit_answer_from_the_old_pool(client: TestClient, world: World) -> None:
    engine = world.engine
    engine.settings.pool_background_refit = 0  # every pool counts as big: refits go to the background
    engine.settings.pool_delta_limit = 0  # every change is too big to apply by id: a full refit
    sme = _sme(world)
    assert _hit(client, sme.id)[0] is False  # the first fit happens on the spot

    release, fitting = threading.Event(), threading.Event()
    fit = engine.matching._fit_pool

    def slow_fit() -> Any:
        fitting.set()
        release.wait(10)  # a 140k registry takes ~30 s; the test decides when this one ends
        return fit()

    engine.matching._fit_pool = slow_fit  # type: ignore[method-assign]
    products = [{"name": NEW_PRODUCT, "share": None}]
    assert client.patch(f"/api/enterprises/{sme.id}", json={"products": products}).status_code == 200

    for _ in range(3):
        found, took = _hit(client, sme.id)
        assert took < 2.0, f"a query waited {took:.1f} s behind the refit"
        assert found is False, "answered from the old pool"
    assert fitting.wait(5), "the edit started a refit"

    release.set()
    deadline = time.monotonic() + 30
    while not _hit(client, sme.id)[0]:
        assert time.monotonic() < deadline, "the new pool never replaced the old one"
        time.sleep(0.1)
