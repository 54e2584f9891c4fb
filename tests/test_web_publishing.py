"""The leading firm's and the SME's pages through TestClient: publish a demand with the form, see and
decide candidates, edit the profile and see recommendations; refused and invalid posts change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_helpers import World, app_client, build_world, web_log_in
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matcher.store import Store
from matcher.store.tables import AuditRow, CandidateDecisionRow, DemandRow


@pytest.fixture
def world(tmp_path: object) -> World:
    return build_world(Store(f"sqlite:///{tmp_path}/w.db"))


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, persona: str) -> None:
    web_log_in(client, persona)


def count(world: World, table: type) -> int:
    with world.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


FORM = {
    "kind": "procurement",
    "title": "采购<b>正极材料</b>",
    "product": "正极材料",
    "quantity": "20",
    "unit": "吨",
    "required_certifications": "",
    "status": "open",
    "visibility": "public",
}


def test_publish_then_shortlist_and_reject(client: TestClient, world: World) -> None:
    log_in(client, "leader_x")
    assert "发布新需求" in client.get("/demands").text
    assert "需求类型" in client.get("/demands/new").text
    posted = client.post("/demands/new", data=FORM)
    assert posted.status_code == 303
    page = client.get(posted.headers["location"])
    assert (
        "需求已发布" in page.text
        and "&lt;b&gt;正极材料&lt;/b&gt;" in page.text
        and "<b>正极" not in page.text
    )
    demand_id = int(posted.headers["location"].split("/")[2].split("?")[0])
    y, z = world.enterprise_ids["Y"], world.enterprise_ids["Z"]
    assert "Y测试企业有限公司" in page.text and "Z测试企业有限公司" in page.text
    assert (
        client.post(f"/demands/{demand_id}/candidates/{y}", data={"decision": "shortlist"}).status_code == 303
    )
    r = client.post(f"/demands/{demand_id}/candidates/{z}", data={"decision": "reject", "note": "产能不足"})
    assert r.status_code == 303 and r.headers["location"] == f"/demands/{demand_id}#c{z}"
    page = client.get(f"/demands/{demand_id}").text
    assert "入围名单（1 家）" in page and "已淘汰（1 家）" in page and "产能不足" in page
    listing = client.get("/demands").text
    overview = client.get("/candidates").text
    assert "采购&lt;b&gt;正极材料" in overview and "Y测试企业有限公司" in overview
    assert "&lt;b&gt;" in listing
    closed = client.post(f"/demands/{demand_id}/status", data={"status": "closed"})
    assert closed.status_code == 303 and "已关闭" in client.get(f"/demands/{demand_id}").text
    with world.store.session() as s:
        audit = s.execute(select(AuditRow.username, AuditRow.resource, AuditRow.action, AuditRow.path)).all()
    assert ("leader_x", "match", "update", f"/demands/{demand_id}/candidates/{z}") in audit
    assert ("leader_x", "demand", "create", "/demands/new") in audit


def test_an_invalid_demand_is_shown_again_with_chinese_problems(client: TestClient, world: World) -> None:
    log_in(client, "leader_x")
    before = count(world, DemandRow)
    r = client.post("/demands/new", data={**FORM, "product": "", "quantity": "很多"})
    assert r.status_code == 422
    assert "采购计划须填写采购产品" in r.text or "数量" in r.text
    assert 'value="采购&lt;b&gt;正极材料&lt;/b&gt;"' in r.text  # what was typed is kept
    assert count(world, DemandRow) == before


def test_an_sme_cannot_publish_or_decide(client: TestClient, world: World) -> None:
    log_in(client, "sme_y")
    before = count(world, DemandRow), count(world, CandidateDecisionRow)
    assert client.post("/demands/new", data=FORM).status_code == 403
    x_pub, y = world.demand_ids["X-PUB"], world.enterprise_ids["Y"]
    assert client.post(f"/demands/{x_pub}/candidates/{y}", data={"decision": "shortlist"}).status_code == 403
    seen = client.get(f"/demands/{x_pub}")  # the demand itself, to respond to; never its candidates
    assert seen.status_code == 200 and "我要响应" in seen.text and 'data-testid="candidates"' not in seen.text
    assert (count(world, DemandRow), count(world, CandidateDecisionRow)) == before


def test_a_leader_cannot_open_another_parks_private_demand(client: TestClient, world: World) -> None:
    log_in(client, "leader_x")
    hidden = client.get(f"/demands/{world.demand_ids['W-PARK']}")
    assert hidden.status_code == 404 and "需求不存在" in hidden.text
    foreign = client.post(f"/demands/{world.demand_ids['W-PUB']}/status", data={"status": "closed"})
    assert foreign.status_code == 403 and "发布企业" in foreign.text


def test_cross_site_form_posts_are_refused(client: TestClient, world: World) -> None:
    log_in(client, "leader_x")
    r = client.post("/demands/new", data=FORM, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "跨站" in r.text
    ok = client.post("/demands/new", data=FORM, headers={"Origin": "http://testserver"})
    assert ok.status_code == 303


def test_sme_edits_profile_and_sees_recommendations(client: TestClient, world: World) -> None:
    log_in(client, "sme_y")
    page = client.get("/profile").text
    assert "联系人Y" in page and "主要产品" in page
    form = {
        "products": "正极材料 60%\n磷酸铁锂",
        "capabilities": "锂电池正极材料烧结",
        "certifications": "ISO 9001、IATF 16949",
        "capacity": "年产 5000 吨",
        "contact_person": "王经理",
        "contact_phone": "13800000000",
        "contact_email": "y@x.cn",
    }
    saved = client.post("/profile", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == "/recommendations?saved=1"
    rec = client.get("/recommendations?saved=1").text
    assert "档案已保存" in rec and "正极材料" in rec and "需求X-PUB" in rec
    again = client.get("/profile").text
    assert "正极材料 60%" in again and "ISO 9001、IATF 16949" in again and "王经理" in again
    bad = client.post("/profile", data={**form, "products": "甲 70%\n乙 60%"})
    assert bad.status_code == 422 and "超过 100%" in bad.text
    assert "王经理" in client.get("/profile").text


def test_organizer_types_an_offer_for_recommendations(client: TestClient, world: World) -> None:
    log_in(client, "organizer")
    assert client.get("/profile").status_code == 403
    page = client.get("/recommendations", params={"q": "我公司生产正极材料"})
    assert page.status_code == 200 and "描述被解读为供应" in page.text
