"""Publishing over HTTP, on SQLite and PostgreSQL: a leading firm publishes and changes demands and decides
on candidates; an enterprise edits its profile. Each refused or invalid write leaves the store unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from auth_helpers import USCC, World, as_
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matcher.store.tables import CandidateDecisionRow, DemandRow


def demand_count(world: World) -> int:
    with world.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(DemandRow)) or 0)


NEW = {
    "kind": "procurement",
    "title": "年度采购六氟磷酸锂",
    "product": "六氟磷酸锂",
    "quantity": 30,
    "unit": "吨",
}


def test_leading_firm_publishes_for_itself_with_a_generated_code(client: TestClient, world: World) -> None:
    r = as_(client, world, "leader_x", "POST", "/api/demands", NEW)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["publisher_id"] == world.enterprise_ids["X"]
    assert body["record"]["code"].startswith("XQ") and body["record"]["code"].endswith("-001")
    again = as_(client, world, "leader_x", "POST", "/api/demands", NEW).json()
    assert again["record"]["code"].endswith("-002")
    listed = as_(client, world, "sme_y", "GET", "/api/demands?limit=100").json()["data"]
    assert body["record"]["code"] in {d["record"]["code"] for d in listed}


def test_a_leading_user_cannot_publish_in_another_firms_name(client: TestClient, world: World) -> None:
    before = demand_count(world)
    r = as_(client, world, "leader_x", "POST", "/api/demands", {**NEW, "publisher_uscc": USCC["W"]})
    assert r.status_code == 403 and "本企业" in r.json()["message"]
    assert demand_count(world) == before


def test_park_admin_publishes_for_its_park_only(client: TestClient, world: World) -> None:
    ok = as_(client, world, "park_a", "POST", "/api/demands", {**NEW, "publisher_uscc": USCC["X"]})
    assert ok.status_code == 201 and ok.json()["publisher_id"] == world.enterprise_ids["X"]
    before = demand_count(world)
    refused = as_(client, world, "park_a", "POST", "/api/demands", {**NEW, "publisher_uscc": USCC["W"]})
    assert refused.status_code == 403
    missing = as_(client, world, "park_a", "POST", "/api/demands", NEW)
    assert missing.status_code == 422 and "发布企业" in missing.json()["problems"][0]
    assert demand_count(world) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "procurement", "title": "缺产品"}, "采购计划须填写采购产品"),
        ({"kind": "technology", "title": "缺难题"}, "科技创新需求须填写技术难题"),
        ({**NEW, "budget_min": 50, "budget_max": 10}, "预算下限"),
        ({**NEW, "code": "X-PUB"}, "需求编号 X-PUB 已存在"),
    ],
)
def test_invalid_demands_are_refused_in_chinese_and_write_nothing(
    client: TestClient, world: World, body: dict[str, Any], expected: str
) -> None:
    before = demand_count(world)
    r = as_(client, world, "leader_x", "POST", "/api/demands", body)
    assert r.status_code == 422
    assert any(expected in p for p in r.json()["problems"]), r.json()
    assert demand_count(world) == before


def test_the_publisher_closes_its_demand_others_cannot(client: TestClient, world: World) -> None:
    x_pub, w_pub, w_park = (world.demand_ids[c] for c in ("X-PUB", "W-PUB", "W-PARK"))
    r = as_(client, world, "leader_x", "PATCH", f"/api/demands/{x_pub}", {"status": "closed"})
    assert r.status_code == 200 and r.json()["record"]["status"] == "closed"
    assert r.json()["record"]["title"] == "需求X-PUB"  # the rest is kept
    assert (
        as_(client, world, "sme_y", "PATCH", f"/api/demands/{x_pub}", {"status": "open"}).status_code == 403
    )
    visible_not_own = as_(client, world, "leader_x", "PATCH", f"/api/demands/{w_pub}", {"status": "closed"})
    assert visible_not_own.status_code == 403
    invisible = as_(client, world, "leader_x", "PATCH", f"/api/demands/{w_park}", {"status": "closed"})
    assert invisible.status_code == 404
    bad = as_(client, world, "leader_x", "PATCH", f"/api/demands/{x_pub}", {"publisher_uscc": USCC["W"]})
    assert bad.status_code == 422
    emptied = as_(client, world, "leader_x", "PATCH", f"/api/demands/{x_pub}", {"product": ""})
    assert emptied.status_code == 422 and "采购计划须填写采购产品" in emptied.json()["problems"][0]
    with world.store.session() as s:
        assert s.scalar(select(DemandRow.product).where(DemandRow.id == x_pub)) == "正极材料"
        assert s.scalar(select(DemandRow.status).where(DemandRow.id == w_pub)) == "open"


def test_profile_edit_reaches_matching_and_is_the_owners_alone(client: TestClient, world: World) -> None:
    y, z = world.enterprise_ids["Y"], world.enterprise_ids["Z"]
    x_pub = world.demand_ids["X-PUB"]

    def first_candidate() -> int:
        found = as_(client, world, "leader_x", "GET", f"/api/demands/{x_pub}/candidates")
        return int(found.json()["suppliers"]["data"][0]["enterprise_id"])

    as_(client, world, "platform", "PATCH", f"/api/enterprises/{z}", {"products": [{"name": "正极材料"}]})
    assert first_candidate() == z
    edit = {"products": [{"name": "正极材料", "share": 0.8}], "certifications": ["ISO 9001"]}
    r = as_(client, world, "sme_y", "PATCH", f"/api/enterprises/{y}", edit)
    assert r.status_code == 200 and r.json()["record"]["products"][0]["name"] == "正极材料"
    as_(client, world, "platform", "PATCH", f"/api/enterprises/{z}", {"products": [{"name": "隔膜"}]})
    assert first_candidate() == y
    other = as_(client, world, "sme_y", "PATCH", f"/api/enterprises/{z}", {"capabilities": "改别人的档案"})
    assert other.status_code == 403
    locked = as_(client, world, "sme_y", "PATCH", f"/api/enterprises/{y}", {"tier": "little_giant"})
    assert locked.status_code == 422
    too_much = as_(
        client,
        world,
        "sme_y",
        "PATCH",
        f"/api/enterprises/{y}",
        {"products": [{"name": "甲", "share": 0.7}, {"name": "乙", "share": 0.6}]},
    )
    assert too_much.status_code == 422 and "超过 100%" in too_much.json()["problems"][0]
    assert (
        as_(client, world, "sme_y", "GET", f"/api/enterprises/{z}").json()["record"]["capabilities"]
        == "锂电池材料"
    )


def test_shortlist_and_reject_candidates(client: TestClient, world: World) -> None:
    x_pub, w_pub = world.demand_ids["X-PUB"], world.demand_ids["W-PUB"]
    y, z = world.enterprise_ids["Y"], world.enterprise_ids["Z"]
    path = f"/api/demands/{x_pub}/candidates"
    r = as_(client, world, "leader_x", "PUT", f"{path}/{y}", {"decision": "shortlist", "note": "样品合格"})
    assert r.status_code == 200 and r.json()["decision_label"] == "入围" and r.json()["score"] is not None
    as_(client, world, "leader_x", "PUT", f"{path}/{z}", {"decision": "reject", "note": "产能不足"})
    seen = as_(client, world, "leader_x", "GET", path).json()
    assert [(d["enterprise_id"], d["decision"]) for d in seen["decisions"]] == [
        (y, "shortlist"),
        (z, "reject"),
    ]
    changed = as_(client, world, "leader_x", "PUT", f"{path}/{z}", {"decision": "shortlist"}).json()
    assert changed["decision"] == "shortlist"
    cleared = as_(client, world, "leader_x", "PUT", f"{path}/{z}", {"decision": "clear"})
    assert cleared.status_code == 200 and cleared.json() is None
    own = as_(
        client, world, "leader_x", "PUT", f"{path}/{world.enterprise_ids['X']}", {"decision": "shortlist"}
    )
    assert own.status_code == 422
    assert as_(client, world, "sme_y", "PUT", f"{path}/{y}", {"decision": "reject"}).status_code == 403
    other = as_(
        client, world, "leader_x", "PUT", f"/api/demands/{w_pub}/candidates/{y}", {"decision": "reject"}
    )
    assert other.status_code == 403
    assert as_(client, world, "park_a", "GET", path).status_code == 200
    assert as_(client, world, "organizer", "GET", path).status_code == 403  # another firm's sourcing
    assert as_(client, world, "organizer", "PUT", f"{path}/{y}", {"decision": "reject"}).status_code == 403
    bad = as_(client, world, "leader_x", "PUT", f"{path}/{y}", {"decision": "maybe"})
    assert bad.status_code == 422
    with world.store.session() as s:
        rows = s.execute(select(CandidateDecisionRow.enterprise_id, CandidateDecisionRow.decision)).all()
    assert sorted(rows) == [(y, "shortlist")]
