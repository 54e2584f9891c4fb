"""Event shortlists start from what the two sides said (入围, responses, invitations), organizers edit them
(必须见/想见/不见, add, clear), and a minimum match score keeps weak pairs out unless one side must meet.

World of ``auth_helpers``: leading firm X publishes X-PUB; SMEs Y and Z respond to it. Pure parts are
checked on a hand-built event; the rest through the engine and over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_helpers import PARK_A, USCC, World, app_client, bearer, build_world, web_log_in
from fastapi.testclient import TestClient

from matcher.engine import Engine
from matcher.events import Level
from matcher.events.model import Event
from matcher.events.wishes import seed_wishes, set_wish, strongest
from matcher.store import Store


def event(preferences: list[dict[str, str]] | None = None) -> Event:
    return Event.model_validate(
        {
            "id": "E-W",
            "name": "意愿测试",
            "sessions": [{"day": "2026-12-20", "start": "09:00", "slot_count": 3}],
            "tables": [{"id": "1"}],
            "participants": [
                {"id": "B01", "name": "X", "role": "leading", "enterprise_id": USCC["X"]},
                {"id": "S01", "name": "Y", "role": "sme", "enterprise_id": USCC["Y"]},
                {"id": "S02", "name": "Z", "role": "sme", "enterprise_id": USCC["Z"]},
            ],
            "preferences": preferences or [],
        }
    )


def levels(e: Event) -> dict[tuple[str, str], str]:
    return {(p.participant_id, p.target_id): p.level.value for p in e.preferences}


def test_seeded_wishes_never_override_a_wish_already_set() -> None:
    given = event([{"participant_id": "B01", "target_id": "S02", "level": "must"}])
    wishes = {
        (USCC["X"], USCC["Y"]): (Level.WANT, Level.MUST),
        (USCC["X"], USCC["Z"]): (Level.NO, None),  # the organizer's 必须见 stays
        (USCC["Y"], USCC["Z"]): (Level.WANT, None),  # not a buyer-SME pair of this event
        ("91320506999999999X", USCC["Y"]): (Level.WANT, None),  # not a participant
    }
    seeded = seed_wishes(given, wishes)
    assert levels(seeded) == {("B01", "S02"): "must", ("B01", "S01"): "want", ("S01", "B01"): "must"}
    assert seed_wishes(seeded, wishes) == seeded  # seeding again adds nothing


def test_the_organizers_edit_replaces_the_buyers_wish_and_clear_takes_it_back() -> None:
    e = set_wish(
        event([{"participant_id": "S01", "target_id": "B01", "level": "want"}]), "B01", "S01", Level.NO
    )
    assert levels(e) == {("S01", "B01"): "want", ("B01", "S01"): "no"}
    assert levels(set_wish(e, "B01", "S01", None)) == {("S01", "B01"): "want"}
    assert strongest([Level.NO, Level.WANT]) is Level.WANT and strongest([Level.NO]) is Level.NO
    assert strongest([Level.WANT, Level.MUST]) is Level.MUST and strongest([]) is None


@pytest.fixture
def world(tmp_path: object) -> World:
    w = build_world(Store(f"sqlite:///{tmp_path}/e.db"))
    engine = Engine(w.store)
    definition = event().model_dump(mode="json") | {"park": PARK_A}
    engine.events.create_event(definition)  # id 1: the organizer persona's event
    return w


def respond(client: TestClient, world: World, persona: str) -> int:
    url = f"/api/demands/{world.demand_ids['X-PUB']}/responses"
    answer = client.post(url, json={"proposal": "可供货"}, headers=bearer(world, persona))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def shortlisted(client: TestClient, world: World) -> dict[str, str | None]:
    lists = client.get("/api/events/E-W/shortlists", headers=bearer(world, "organizer")).json()
    return {e["counterpart_id"]: e["buyer_level"] for e in lists["by_buyer"].get("B01", [])}


def test_shortlists_start_from_responses_and_follow_the_organizers_edits(
    client: TestClient, world: World
) -> None:
    engine = Engine(world.store)
    y, z = respond(client, world, "sme_y"), respond(client, world, "sme_z")
    decide = {"Y": (y, "accepted"), "Z": (z, "declined")}
    for rid, status in decide.values():
        answer = client.put(
            f"/api/responses/{rid}/decision", json={"status": status}, headers=bearer(world, "leader_x")
        )
        assert answer.status_code == 200
    min_score = client.put(
        "/api/events/E-W/min-score", json={"min_score": 60}, headers=bearer(world, "organizer")
    )
    assert min_score.status_code == 200 and min_score.json()["event"]["min_score"] == 60
    engine.events.shortlist_event("E-W", scorer=lambda b, s: (0.5, ["产品相近"]))  # every pair below 0.6
    assert shortlisted(client, world) == {"S01": "must"}  # accepted: 必须见 despite the low score
    stored = {(p.participant_id, p.target_id): p.level.value for p in engine.events.event("E-W").event.preferences}
    assert stored == {
        ("B01", "S01"): "must",
        ("S01", "B01"): "must",
        ("B01", "S02"): "no",
        ("S02", "B01"): "want",
    }

    def wish(sme: str, level: str, persona: str = "organizer") -> int:
        body = {"buyer": "B01", "sme": sme, "level": level}
        return client.put("/api/events/E-W/wishes", json=body, headers=bearer(world, persona)).status_code

    assert wish("S02", "want") == 200 and shortlisted(client, world) == {"S01": "must"}  # 0.5 < 0.6
    assert wish("S02", "must") == 200 and shortlisted(client, world) == {"S01": "must", "S02": "must"}
    assert wish("S01", "no") == 200 and shortlisted(client, world) == {"S02": "must"}
    assert wish("S02", "clear") == 200 and shortlisted(client, world) == {}
    assert wish("S02", "must", "sme_y") == 403 and wish("S09", "must") == 404
    bad = client.put("/api/events/E-W/min-score", json={"min_score": 101}, headers=bearer(world, "organizer"))
    assert bad.status_code == 422


def test_the_event_page_edits_wishes_and_the_picker_has_its_tools(client: TestClient, world: World) -> None:
    Engine(world.store).events.shortlist_event("E-W", scorer=lambda b, s: (0.8, ["产品相近"]))
    web_log_in(client, "park_a")
    page = client.get("/events/E-W").text
    assert 'data-testid="shortlist-tools"' in page and "移出" in page and "最低匹配分" in page
    moved = client.post("/events/E-W/wishes", data={"buyer": "B01", "sme": "S01", "level": "no"})
    assert moved.status_code == 303 and moved.headers["location"] == "/events/E-W#b-B01"
    assert shortlisted(client, world) == {"S02": None}
    assert 'name="min_score" min="0" max="100"' in page  # typed on the 0-100 scale the page shows
    assert client.post("/events/E-W/min-score", data={"min_score": "90"}).status_code == 303
    assert shortlisted(client, world) == {}  # 80 < 90: no pair is proposed
    form = client.get(f"/events/new?park={PARK_A}").text
    assert form.count("pick-search") == 2 and "全选（当前筛选）" in form and "picker.js" in form
    client.cookies.clear()
    web_log_in(client, "sme_y")
    assert (
        client.post("/events/E-W/wishes", data={"buyer": "B01", "sme": "S01", "level": "must"}).status_code
        == 403
    )
