"""Issue 11, items 11 and 17 over HTTP: financial figures reach only the enterprise itself, its park's
admins and platform admins (API, exports); authenticated answers are never cached by the browser."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from auth_helpers import PARK_A, USCC, World, app_client, build_world, web_log_in
from fastapi.testclient import TestClient

from matcher.domain import Enterprise
from matcher.io import import_records
from matcher.store import Store

FIGURES = {"revenue": 52000.0, "net_profit": 3100.0, "debt_ratio": 41.5, "rd_expense": 2600.0}


@pytest.fixture
def world(store: Store) -> World:
    w = build_world(store)
    x = Enterprise(
        uscc=USCC["X"],
        name="X测试企业有限公司",
        park=PARK_A,
        industry_code="3841",
        role="leading",
        capabilities="锂电池材料",
        indicators={**FIGURES, "employees": 800, "year": 2025},
    )
    import_records(w.store, enterprises=[x])
    return w


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store) as c:
        yield c


def _get(client: TestClient, world: World, persona: str, path: str) -> dict:  # type: ignore[type-arg]
    response = client.get(path, headers={"Authorization": f"Bearer {world.tokens[persona]}"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("platform", True), ("park_a", True), ("leader_x", True), ("organizer", False), ("sme_y", False)],
)
def test_financial_figures_follow_the_policy(client: TestClient, world: World, persona: str, sees: bool) -> None:
    x = world.enterprise_ids["X"]
    one = _get(client, world, persona, f"/api/enterprises/{x}")
    listed = next(e for e in _get(client, world, persona, "/api/enterprises?limit=500")["data"] if e["id"] == x)
    for shown in (one, listed):
        indicators = shown["record"]["indicators"]
        got = {k: indicators[k] for k in FIGURES}
        assert got == (FIGURES if sees else dict.fromkeys(FIGURES)), persona
        assert indicators["employees"] == 800  # head count is not a financial figure
        assert (shown["size_class"] is not None) == sees  # derived from revenue: hidden with it


def test_exports_blank_the_financials_of_others(client: TestClient, world: World) -> None:
    def rows(persona: str) -> list[dict[str, str]]:
        response = client.get(
            "/api/exports/enterprises.csv", headers={"Authorization": f"Bearer {world.tokens[persona]}"}
        )
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    def revenue(persona: str) -> str:
        return next(r for r in rows(persona) if r["统一社会信用代码"] == USCC["X"])["营业收入（万元）"]

    assert revenue("park_a") == "52000" or float(revenue("park_a")) == 52000
    assert revenue("organizer") == ""


def test_authenticated_answers_are_not_cached(client: TestClient, world: World) -> None:
    api = client.get("/api/demands", headers={"Authorization": f"Bearer {world.tokens['leader_x']}"})
    assert api.headers["cache-control"] == "no-store"
    with app_client(world.store, follow_redirects=False) as web:
        web_log_in(web, "leader_x")
        for path in ("/", f"/demands/{world.demand_ids['X-PRIV']}", "/login"):
            assert web.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


def test_the_api_description_is_public_and_holds_no_data(client: TestClient, world: World) -> None:
    """Decision (README 权限): /docs and /openapi.json stay public; they describe routes, every route
    still needs a token."""
    schema = client.get("/openapi.json")
    assert schema.status_code == 200 and "/api/demands/{demand_id}/candidates" in schema.text
    assert "需求X-PRIV" not in schema.text and USCC["X"] not in schema.text
    assert client.get("/api/demands").status_code == 401
