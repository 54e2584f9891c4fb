"""先试首用 over HTTP on the two-park world of ``auth_helpers``: SME Y registers a product, leading firm X
trials it from 申请 to 采用; each step is taken by the side it belongs to, a passed or failed trial needs a
result, and the park dashboard counts it per leading firm. Another park's SME never sees the trial."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth_helpers import World, app_client, bearer, row_count, said, web_log_in
from fastapi.testclient import TestClient

from matcher.store.tables import InnovationProductRow, NotificationRow, TrialRow

PRODUCT = {
    "name": "高镍三元正极材料",
    "category": "material",
    "specs": "比容量 ≥ 205 mAh/g",
    "reports": ["国家电池质检中心检测报告"],
    "first_sale": "none",
}
PLAN = {
    "scope": "一条产线试用 2 吨",
    "start_date": "2026-12-10",
    "end_date": "2027-01-10",
    "criteria": "循环 1000 次",
}


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def register(client: TestClient, world: World, persona: str = "sme_y", body: Any = None) -> Any:
    return client.post("/api/innovations", json=body or PRODUCT, headers=bearer(world, persona))


def move(client: TestClient, world: World, persona: str, trial: int, state: str, result: str = "") -> Any:
    body = {"state": state, "result": result}
    return client.put(f"/api/trials/{trial}/state", json=body, headers=bearer(world, persona))


def test_a_trial_goes_from_request_to_adoption(client: TestClient, world: World) -> None:
    product = register(client, world)
    assert product.status_code == 201, product.text
    assert product.json()["category_label"] == "首批次新材料"
    pid = product.json()["id"]
    started = client.post(
        f"/api/innovations/{pid}/trial-requests", json={"plan": PLAN}, headers=bearer(world, "leader_x")
    )
    assert started.status_code == 201, started.text
    trial = started.json()
    assert (trial["state_label"], trial["buyer_name"][0], trial["supplier_name"][0]) == ("申请", "X", "Y")
    tid = trial["id"]
    assert move(client, world, "leader_x", tid, "trialling").status_code == 403  # the supplier starts it
    assert move(client, world, "sme_y", tid, "adopted").status_code == 422  # not from 申请
    assert move(client, world, "sme_y", tid, "trialling").json()["state_label"] == "试用中"
    no_result = move(client, world, "leader_x", tid, "passed")
    assert no_result.status_code == 422 and "试用结果" in said(no_result)
    assert move(client, world, "sme_y", tid, "passed", "自评通过").status_code == 403  # the buyer accepts
    assert (
        move(client, world, "leader_x", tid, "passed", "循环 1050 次，达标").json()["state_label"] == "通过"
    )
    adopted = move(client, world, "leader_x", tid, "adopted")
    assert adopted.json()["state_label"] == "采用" and adopted.json()["result"] == "循环 1050 次，达标"
    assert move(client, world, "leader_x", tid, "failed", "x").status_code == 422  # 采用 is final
    titles = [
        n["title"] for n in client.get("/api/notifications", headers=bearer(world, "sme_y")).json()["data"]
    ]
    assert any("申请试用" in t for t in titles) and any("采用" in t for t in titles)
    board = client.get("/api/parks/甲园区/trials", headers=bearer(world, "park_a"))
    assert board.status_code == 200, board.text
    by_firm = {t["group"][0]: (t["trials"], t["adopted"]) for t in board.json()["by_firm"]}
    assert by_firm == {"X": (1, 1)}
    assert client.get("/api/parks/乙园区/trials", headers=bearer(world, "park_a")).status_code == 403


def test_trials_are_seen_by_their_sides_and_parks_only(client: TestClient, world: World) -> None:
    pid = register(client, world).json()["id"]
    url = f"/api/innovations/{pid}/trial-requests"
    tid = client.post(url, json={"plan": PLAN}, headers=bearer(world, "leader_x")).json()["id"]
    for persona, expected in (
        ("sme_y", 200),
        ("leader_x", 200),
        ("park_a", 200),
        ("platform", 200),
        ("sme_z", 404),
    ):
        assert client.get(f"/api/trials/{tid}", headers=bearer(world, persona)).status_code == expected, (
            persona
        )
        listed = {t["id"] for t in client.get("/api/trials", headers=bearer(world, persona)).json()}
        assert (tid in listed) == (expected == 200), persona
    assert move(client, world, "sme_z", tid, "trialling").status_code == 404
    assert move(client, world, "park_a", tid, "trialling").status_code == 200  # on behalf of Y, its park's


def test_refused_and_invalid_trials_write_nothing(client: TestClient, world: World) -> None:
    pid = register(client, world).json()["id"]
    before = [row_count(world, t) for t in (InnovationProductRow, TrialRow, NotificationRow)]
    assert register(client, world, body={**PRODUCT, "category": "food"}).status_code == 422
    assert register(client, world, body={**PRODUCT, "name": ""}).status_code == 422
    assert (
        register(client, world, "sme_z", {**PRODUCT, "enterprise_id": world.enterprise_ids["Y"]}).status_code
        == 403
    )
    url = f"/api/innovations/{pid}/trial-requests"
    late = {**PLAN, "end_date": "2026-01-01"}
    bad = client.post(url, json={"plan": late}, headers=bearer(world, "leader_x"))
    assert bad.status_code == 422 and "早于开始日期" in said(bad)
    own = client.post(
        url, json={"plan": PLAN}, headers=bearer(world, "sme_y")
    )  # Y's own product, Y no leader
    assert own.status_code == 422 and "不是龙头企业" in said(own)
    offer = f"/api/innovations/{pid}/trial-offers"
    stranger = client.post(
        offer, json={"plan": PLAN, "buyer_id": world.enterprise_ids["X"]}, headers=bearer(world, "sme_z")
    )
    assert stranger.status_code == 403
    to_sme = client.post(
        offer, json={"plan": PLAN, "buyer_id": world.enterprise_ids["Z"]}, headers=bearer(world, "sme_y")
    )
    assert to_sme.status_code == 422
    assert [row_count(world, t) for t in (InnovationProductRow, TrialRow, NotificationRow)] == before


def test_the_sme_offers_a_trial_against_a_demand_in_the_web_app(client: TestClient, world: World) -> None:
    web_log_in(client, "sme_y")
    posted = client.post("/innovations/new", data={**PRODUCT, "reports": "检测报告A\n检测报告B"})
    assert posted.status_code == 303
    page = client.get("/trials").text
    assert "高镍三元正极材料" in page and "检测报告A、检测报告B" in page and "首批次新材料" in page
    demand = world.demand_ids["X-PUB"]
    assert "提供试用" in client.get(f"/demands/{demand}").text
    pid = client.get("/api/innovations", headers=bearer(world, "sme_y")).json()[0]["id"]
    offered = client.post(f"/demands/{demand}/offer-trial", data={"product_id": str(pid), **PLAN})
    assert offered.status_code == 303
    page = client.get(offered.headers["location"]).text
    assert "企业提供" in page and "申请" in page and "开始试用" not in page  # the buyer starts an offer
    client.cookies.clear()
    web_log_in(client, "leader_x")
    page = client.get(offered.headers["location"]).text
    assert "开始试用" in page and "关联需求" in page
