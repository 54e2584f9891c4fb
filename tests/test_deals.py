"""揭榜与洽谈 over HTTP and through the web forms, on the two-park world of ``auth_helpers``: X publishes,
Y (same park) and Z (other park) are SMEs. An SME never sees another SME's response; contacts pass between
the two sides only once both agreed; every step notifies the other side, and a refused step writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth_helpers import World, app_client, bearer, row_count, said, web_log_in
from fastapi.testclient import TestClient

from matcher.store.tables import DemandResponseRow, InvitationRow, NotificationRow

PROPOSAL = {
    "proposal": "月供 20 吨，附第三方检测报告",
    "products": ["正极材料"],
    "attachments": ["检测报告 2026"],
}


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def deals(client: TestClient, world: World, persona: str, code: str = "X-PUB") -> Any:
    response = client.get(f"/api/demands/{world.demand_ids[code]}/deals", headers=bearer(world, persona))
    assert response.status_code == 200, response.text
    return response.json()


def respond(client: TestClient, world: World, persona: str, code: str = "X-PUB", body: Any = None) -> Any:
    url = f"/api/demands/{world.demand_ids[code]}/responses"
    return client.post(url, json=body or PROPOSAL, headers=bearer(world, persona))


def test_a_response_is_seen_by_the_publisher_and_its_author_only(client: TestClient, world: World) -> None:
    created = respond(client, world, "sme_y")
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "submitted" and created.json()["contact"] is None
    assert respond(client, world, "sme_z").status_code == 201  # Z sees the public demand too
    leader = deals(client, world, "leader_x")
    assert leader["manages"] and {r["enterprise_name"][0] for r in leader["responses"]} == {"Y", "Z"}
    for persona, own in (("sme_y", "Y"), ("sme_z", "Z")):
        seen = deals(client, world, persona)
        assert [r["enterprise_name"][0] for r in seen["responses"]] == [own], persona
        assert not seen["manages"] and seen["publisher_contact"] is None
    park_b_admin_free = deals(client, world, "park_a")  # the publisher's park admin manages it
    assert len(park_b_admin_free["responses"]) == 2
    other = created.json()["id"]
    refused = client.put(
        f"/api/responses/{other}/decision", json={"status": "accepted"}, headers=bearer(world, "sme_z")
    )
    assert refused.status_code == 404 and "需求响应不存在" in said(refused)


def test_contact_is_revealed_to_both_sides_only_after_acceptance(client: TestClient, world: World) -> None:
    rid = respond(client, world, "sme_y").json()["id"]
    shortlisted = client.put(
        f"/api/responses/{rid}/decision", json={"status": "shortlisted"}, headers=bearer(world, "leader_x")
    )
    assert shortlisted.json()["status_label"] == "已入围" and shortlisted.json()["contact"] is None
    assert deals(client, world, "sme_y")["publisher_contact"] is None
    accepted = client.put(
        f"/api/responses/{rid}/decision", json={"status": "accepted"}, headers=bearer(world, "leader_x")
    )
    assert accepted.status_code == 200
    assert deals(client, world, "leader_x")["responses"][0]["contact"]["person"] == "联系人Y"
    assert deals(client, world, "sme_y")["publisher_contact"]["person"] == "联系人X"
    late = client.post(f"/api/responses/{rid}/withdraw", headers=bearer(world, "sme_y"))
    assert late.status_code == 422 and "不能撤回" in said(late)
    again = respond(client, world, "sme_y")
    assert again.status_code == 422 and "已接受" in said(again)


def test_an_invitation_accepted_reveals_both_contacts(client: TestClient, world: World) -> None:
    z = world.enterprise_ids["Z"]
    url = f"/api/demands/{world.demand_ids['X-PUB']}/invitations"
    sent = client.post(
        url, json={"enterprise_id": z, "message": "请来洽谈"}, headers=bearer(world, "leader_x")
    )
    assert sent.status_code == 201, sent.text
    twice = client.post(url, json={"enterprise_id": z}, headers=bearer(world, "leader_x"))
    assert twice.status_code == 422 and "无需重复邀请" in said(twice)
    own = client.post(
        url, json={"enterprise_id": world.enterprise_ids["X"]}, headers=bearer(world, "leader_x")
    )
    assert own.status_code == 422
    iid = sent.json()["id"]
    assert client.get("/api/invitations", headers=bearer(world, "sme_z")).json()[0]["id"] == iid
    assert client.get("/api/invitations", headers=bearer(world, "sme_y")).json() == []
    stranger = client.put(
        f"/api/invitations/{iid}/answer", json={"accept": True}, headers=bearer(world, "sme_y")
    )
    assert stranger.status_code == 404
    assert deals(client, world, "sme_z")["publisher_contact"] is None
    answered = client.put(
        f"/api/invitations/{iid}/answer", json={"accept": True}, headers=bearer(world, "sme_z")
    )
    assert answered.status_code == 200 and answered.json()["status"] == "accepted"
    assert deals(client, world, "sme_z")["publisher_contact"]["phone"] == "13800000008"  # ord("X") % 10
    assert deals(client, world, "leader_x")["invitations"][0]["contact"]["person"] == "联系人Z"
    assert deals(client, world, "sme_y")["publisher_contact"] is None  # Y never agreed to anything


def test_each_step_notifies_the_other_side(client: TestClient, world: World) -> None:
    rid = respond(client, world, "sme_y").json()["id"]
    inbox = client.get("/api/notifications", headers=bearer(world, "leader_x")).json()
    assert inbox["unread"] == 1 and "新的需求响应" in inbox["data"][0]["title"]
    assert client.get("/api/notifications", headers=bearer(world, "sme_z")).json()["unread"] == 0
    client.put(
        f"/api/responses/{rid}/decision",
        json={"status": "declined", "note": "产能不足"},
        headers=bearer(world, "leader_x"),
    )
    told = client.get("/api/notifications", headers=bearer(world, "sme_y")).json()
    assert (
        told["unread"] == 1 and "未采纳" in told["data"][0]["title"] and "产能不足" in told["data"][0]["body"]
    )
    other = told["data"][0]["id"]
    assert (
        client.post("/api/notifications/read", json={"id": other}, headers=bearer(world, "leader_x")).json()[
            "unread"
        ]
        == 1
    )
    assert (
        client.post("/api/notifications/read", json={}, headers=bearer(world, "leader_x")).json()["unread"]
        == 0
    )
    assert client.get("/api/notifications", headers=bearer(world, "sme_y")).json()["unread"] == 1


def test_refused_and_invalid_responses_write_nothing(client: TestClient, world: World) -> None:
    before = (
        row_count(world, DemandResponseRow),
        row_count(world, NotificationRow),
        row_count(world, InvitationRow),
    )
    assert respond(client, world, "sme_y", "X-PRIV").status_code == 404  # 仅发布方: does not exist for Y
    assert respond(client, world, "sme_y", "X-DRAFT").status_code == 404
    assert respond(client, world, "leader_x").status_code == 403  # the publisher itself
    assert respond(client, world, "sme_y", body={"proposal": ""}).status_code == 422
    assert respond(client, world, "sme_y", body={"proposal": "x" * 2001}).status_code == 422
    too_many = {"proposal": "方案", "products": [f"产品{i}" for i in range(21)]}
    assert respond(client, world, "sme_y", body=too_many).status_code == 422
    assert respond(client, world, "park_a").status_code == 403  # the role gate: admins do not respond
    z = world.enterprise_ids["Z"]
    invite = client.post(
        f"/api/demands/{world.demand_ids['W-PUB']}/invitations",
        json={"enterprise_id": z},
        headers=bearer(world, "leader_x"),
    )
    assert invite.status_code == 403  # W's demand is not X's to invite for
    after = (
        row_count(world, DemandResponseRow),
        row_count(world, NotificationRow),
        row_count(world, InvitationRow),
    )
    assert after == before


def test_the_web_journey_respond_accept_and_invite(client: TestClient, world: World) -> None:
    demand = world.demand_ids["X-PUB"]
    web_log_in(client, "sme_y")
    assert f'href="/demands/{demand}"' in client.get("/").text  # demand titles on the home page are links
    page = client.get(f"/demands/{demand}")
    assert page.status_code == 200 and "我要响应" in page.text and "候选供应商（" not in page.text
    form = {
        "proposal": "可供 <b>正极材料</b>",
        "products": "正极材料、负极材料",
        "attachments": "检测报告\n案例",
    }
    posted = client.post(f"/demands/{demand}/respond", data=form)
    assert posted.status_code == 303
    mine = client.get(posted.headers["location"]).text
    assert "响应已提交" in mine and "&lt;b&gt;" in mine and "<b>正极" not in mine and "负极材料" in mine
    client.cookies.clear()
    web_log_in(client, "leader_x")
    assert 'data-testid="unread"' in client.get("/").text
    page = client.get(f"/demands/{demand}").text
    assert "主动响应" in page and "Y测试企业有限公司" in page and "联系人Y" not in page
    rid = client.get(f"/api/demands/{demand}/deals", headers=bearer(world, "leader_x")).json()["responses"][
        0
    ]["id"]
    assert client.post(f"/responses/{rid}/decision", data={"status": "accepted"}).status_code == 303
    assert "联系人Y" in client.get(f"/demands/{demand}").text
    client.cookies.clear()
    web_log_in(client, "sme_y")
    page = client.get(f"/demands/{demand}").text
    assert "已接受" in page and "联系人X" in page
    assert "正极材料" in client.get("/deals").text
    assert "已接受" in client.get("/messages").text
    client.cookies.clear()
    web_log_in(client, "sme_z")  # another SME sees the demand, never Y's response or X's contact
    page = client.get(f"/demands/{demand}").text
    assert "我要响应" in page and "可供" not in page and "Y测试企业" not in page and "联系人X" not in page
