"""Issue 11, items 1, 2 and 12 over HTTP: candidates and decisions are the publisher's and its park
admins' only; organizers run events of their own parks, whose shortlists read only public demands;
demands are published for leading firms only, whatever the path."""

from __future__ import annotations

from typing import Any

import pytest
from auth_helpers import PARK_A, PARK_B, USCC, World, as_
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matcher.auth import accounts
from matcher.auth.principal import AccountRole
from matcher.domain import Demand, Enterprise, Product
from matcher.errors import ValidationError
from matcher.io import import_records
from matcher.store import repository as repo
from matcher.store.tables import DemandRow, EventRow


def test_organizers_and_their_system_keys_do_not_read_candidates(client: TestClient, world: World) -> None:
    x_pub, y = world.demand_ids["X-PUB"], world.enterprise_ids["Y"]
    path = f"/api/demands/{x_pub}/candidates"
    note = "样品合格，报价偏高（内部备注）"
    decided = as_(client, world, "leader_x", "PUT", f"{path}/{y}", {"decision": "shortlist", "note": note})
    assert decided.status_code == 200
    accounts.create_account(
        world.store, username="erp_organizer", role=AccountRole.ORGANIZER, password=None, parks=[PARK_A]
    )
    key = accounts.issue_api_key(world.store, username="erp_organizer", name="活动系统").plain
    for headers in ({"Authorization": f"Bearer {world.tokens['organizer']}"}, {"X-API-Key": key}):
        for url in (path, f"/api/demands/{x_pub}/suppliers"):
            refused = client.get(url, headers=headers)
            assert refused.status_code == 403, (url, refused.text)
            assert "候选供应商" in refused.json()["message"]
            assert note not in refused.text
    assert note in as_(client, world, "leader_x", "GET", path).text
    assert note in as_(client, world, "park_a", "GET", path).text


def _event(code: str, park: str, buyer: str, sme: str) -> dict[str, Any]:
    return {
        "id": code,
        "name": f"{code} 供需对接会",
        "park": park,
        "sessions": [{"day": "2030-07-16", "start": "09:00", "slot_count": 3}],
        "tables": 2,
        "participants": [
            {"id": "B01", "enterprise_id": USCC[buyer]},
            {"id": "S01", "enterprise_id": USCC[sme]},
        ],
    }


def event_count(world: World) -> int:
    with world.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(EventRow)) or 0)


def test_an_organizer_creates_events_in_its_own_parks_only(client: TestClient, world: World) -> None:
    before = event_count(world)
    other = as_(client, world, "organizer", "POST", "/api/events", _event("E-B", PARK_B, "W", "Z"))
    assert other.status_code == 403 and "只能为所辖园区创建对接会" in other.json()["message"]
    assert event_count(world) == before, "nothing written"
    own = as_(client, world, "organizer", "POST", "/api/events", _event("E-A", PARK_A, "X", "Y"))
    assert own.status_code == 201, own.text
    assert as_(client, world, "organizer", "POST", "/api/events/E-A/shortlists").status_code == 200


def test_event_shortlists_never_quote_a_demand_the_participants_may_not_read(
    client: TestClient, world: World
) -> None:
    secret = "钠离子电池隔膜"
    y = Enterprise(
        uscc=USCC["Y"], name="Y测试企业有限公司", park=PARK_A, industry_code="3841", role="sme",
        products=[Product(name=secret)], capabilities="隔膜涂覆",
    )
    private = Demand(
        code="X-SECRET", kind="procurement", title=f"机密采购{secret}", publisher_uscc=USCC["X"],
        product=secret, visibility="private", status="open",
    )
    import_records(world.store, enterprises=[y], demands=[private])
    assert as_(client, world, "park_a", "POST", "/api/events", _event("E-A", PARK_A, "X", "Y")).status_code == 201
    lists = as_(client, world, "park_a", "POST", "/api/events/E-A/shortlists")
    assert lists.status_code == 200, lists.text
    assert secret not in lists.text and "机密" not in lists.text
    public = Demand(
        code="X-OPEN", kind="procurement", title=f"公开采购{secret}", publisher_uscc=USCC["X"],
        product=secret, visibility="public", status="open",
    )
    import_records(world.store, demands=[public])
    assert secret in as_(client, world, "park_a", "POST", "/api/events/E-A/shortlists").text


def demand_count(world: World) -> int:
    with world.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(DemandRow)) or 0)


def test_demands_are_published_for_leading_firms_only(client: TestClient, world: World) -> None:
    before = demand_count(world)
    body = {"kind": "procurement", "title": "采购正极材料", "product": "正极材料", "publisher_uscc": USCC["Y"]}
    refused = as_(client, world, "park_a", "POST", "/api/demands", body)
    assert refused.status_code == 422, refused.text
    assert "不是龙头企业，只有龙头企业可发布需求" in " ".join(refused.json()["problems"])
    assert demand_count(world) == before
    sme_demand = Demand(code="Y-1", kind="procurement", title="采购", publisher_uscc=USCC["Y"], product="铜箔")
    with pytest.raises(ValidationError, match="不是龙头企业"), world.store.session() as s:
        repo.upsert_demands(s, demands=[sme_demand])
    assert demand_count(world) == before
