"""The 对接会 pages through TestClient: who sees which events, creating by upload or form (Chinese errors,
nothing written on failure), an organizer who creates an event manages it, the event page's sections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from auth_helpers import PARK_A, PARK_B, PASSWORD, USCC, World, app_client, build_world, web_log_in
from fastapi.testclient import TestClient

from matcher import clock
from matcher.auth.accounts import login, principal_for_token
from matcher.engine import Engine
from matcher.store import Store


def definition(code: str, park: str, buyer: str, sme: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": code,
        "name": f"{code} 供需对接会",
        "park": park,
        "sessions": [{"day": "2025-07-16", "start": "09:00", "slot_count": 3, "label": "上午场"}],
        "tables": 2,
        "participants": [
            {"id": "B01", "enterprise_id": USCC[buyer]},
            {"id": "S01", "enterprise_id": USCC[sme]},
        ],
        **extra,
    }


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = build_world(Store(f"sqlite:///{tmp_path / 'w.db'}"))
    engine = Engine(w.store)
    # the organizer persona is assigned event id 1: E-A; E-B belongs to the other park and nobody's
    wish = [{"participant_id": "B01", "target_id": "S01", "level": "must"}]
    assert engine.events.create_event(definition("E-A", PARK_A, "X", "Y", preferences=wish)).id == 1
    engine.events.create_event(definition("E-B", PARK_B, "W", "Z"))
    return w


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, persona: str) -> None:
    web_log_in(client, persona)


def upload(client: TestClient, name: str, content: bytes | str, **form: str) -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post("/events", files={"file": (name, data, "application/octet-stream")}, data=form)


def codes(world: World) -> list[str]:
    return [e.code for e in Engine(world.store).events.events()]


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [("organizer", ["E-A"], ["E-B"]), ("park_a", ["E-A"], ["E-B"]), ("platform", ["E-A", "E-B"], [])],
)
def test_each_role_lists_the_events_it_manages(
    client: TestClient, persona: str, present: list[str], absent: list[str]
) -> None:
    log_in(client, persona)
    page = client.get("/events")
    assert page.status_code == 200 and "创建对接会" in page.text
    for code in present:
        assert f'href="/events/{code}"' in page.text
    for code in absent:
        assert code not in page.text


def test_an_organizer_cannot_open_an_event_it_is_not_assigned(client: TestClient) -> None:
    log_in(client, "organizer")
    refused = client.get("/events/E-B")
    assert refused.status_code == 403 and "无权管理对接会“E-B”" in refused.text
    assert "X测试企业有限公司" not in refused.text and "W测试企业有限公司" not in refused.text
    missing = client.get("/events/NOPE")
    assert missing.status_code == 404 and "对接会“NOPE”不存在" in missing.text
    own = client.get("/events/E-A")
    assert own.status_code == 200
    assert "X测试企业有限公司" in own.text and "Y测试企业有限公司" in own.text
    assert "必须见" in own.text and "尚未生成推荐名单" in own.text and "尚未排程" in own.text


def test_enterprise_users_get_no_create_form_and_cannot_post(client: TestClient, world: World) -> None:
    log_in(client, "sme_y")
    page = client.get("/events")
    assert page.status_code == 200 and "暂无可管理的对接会" in page.text and 'name="file"' not in page.text
    refused = upload(client, "e.yaml", yaml.safe_dump(definition("E-S", PARK_A, "X", "Y")))
    assert refused.status_code == 403 and "中小企业用户无权新建对接会" in refused.text
    assert client.get("/events/E-A").status_code == 403
    assert codes(world) == ["E-A", "E-B"]


BAD_FILES = [
    (  # unknown enterprise, bad field values, unknown key
        "bad.yaml",
        "id: E-BAD\nname: 坏定义\nsessions:\n  - {day: 2025-13-40, start: '09:00', slot_count: 0}\n"
        "tables: 2\nvenu: 某地\nparticipants:\n  - {id: B01, enterprise_id: '91320506000000099X'}\n",
        ["统一社会信用代码 91320506000000099X 未登记"],
    ),
    (
        "bad2.yaml",
        "id: E-BAD\nname: 坏定义\nsessions:\n  - {day: 2025-13-40, start: '09:00', slot_count: 0}\n"
        "tables: 2\nvenu: 某地\nparticipants:\n  - {id: B01, name: 外地企业, role: 老板}\n",
        [
            "场次（sessions）第 1 项 · 日期（day）：应为日期（如 2026-09-30）",
            "场次（sessions）第 1 项 · 时段数（slot_count）：应不小于 1",
            "venu：不认识的字段",
            "参会企业（participants）第 1 项（B01） · 角色（role）：应为 龙头企业、中小企业 或 其他",
        ],
    ),
    ("broken.yaml", "id: E-BAD\nsessions: [\n", ["broken.yaml：YAML 格式错误（第 3 行"]),
    ("broken.json", '{"id": "E-BAD",', ["broken.json：JSON 格式错误"]),
    ("e.txt", "id: E-BAD", ["须为 .yaml、.yml 或 .json"]),
    ("list.yaml", "- id: E-BAD", ["顶层应为键值映射"]),
]


@pytest.mark.parametrize(("name", "content", "messages"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_definition_file_is_refused_in_chinese_and_nothing_is_created(
    client: TestClient, world: World, name: str, content: str, messages: list[str]
) -> None:
    log_in(client, "organizer")
    response = upload(client, name, content)
    assert response.status_code == 422
    assert "未能创建对接会" in response.text and "未写入任何数据" in response.text
    for message in messages:
        assert message in response.text, message
    assert codes(world) == ["E-A", "E-B"]


def test_a_duplicate_code_and_another_parks_event_are_refused(client: TestClient, world: World) -> None:
    log_in(client, "park_a")
    foreign = upload(
        client, "b.yaml", yaml.safe_dump(definition("E-C", PARK_B, "W", "Z"), allow_unicode=True)
    )
    assert foreign.status_code == 403 and "园区管理员只能为所辖园区创建对接会" in foreign.text
    again = upload(client, "a.json", '{"id": "E-A", "name": "重复", "sessions": [], "tables": 1}')
    assert again.status_code == 422 and "场次（sessions）：至少需要 1 项" in again.text
    duplicate = upload(
        client, "a.yaml", yaml.safe_dump(definition("E-A", PARK_A, "X", "Y"), allow_unicode=True)
    )
    assert duplicate.status_code == 400 and "对接会“E-A”已存在" in duplicate.text
    assert codes(world) == ["E-A", "E-B"]


def test_an_organizer_who_uploads_an_event_manages_it(client: TestClient, world: World) -> None:
    log_in(client, "organizer")
    text = yaml.safe_dump(definition("E-C", PARK_A, "X", "Y"), allow_unicode=True)
    created = upload(client, "新对接会.yaml", text)
    assert created.status_code == 303 and created.headers["location"] == "/events/E-C?created=1"
    assert "对接会已创建" in client.get(created.headers["location"]).text
    assert 'href="/events/E-C"' in client.get("/events").text
    token = login(world.store, username="organizer", password=PASSWORD).plain
    assert Engine(world.store).events.event("E-C").id in principal_for_token(world.store, token).event_ids
    made = client.post("/api/events/E-C/shortlists", headers={"X-Requested-With": "t"})
    assert made.status_code == 200, made.text
    # replacing someone else's event is still refused
    other = upload(client, "b.yaml", yaml.safe_dump(definition("E-B", PARK_B, "W", "Z")), replace="true")
    assert other.status_code == 403 and "无权管理对接会“E-B”" in other.text


def test_the_short_form_lists_the_parks_firms_and_creates_the_event(client: TestClient, world: World) -> None:
    log_in(client, "park_a")
    page = client.get("/events/new", params={"park": PARK_A})
    assert page.status_code == 200
    assert USCC["X"] in page.text and USCC["Y"] in page.text and USCC["W"] not in page.text
    assert PARK_B not in client.get("/events/new").text  # a park admin picks among its own parks
    later = (clock.today() + dt.timedelta(days=30)).isoformat()
    fields = {"code": "E-F", "name": "表单对接会", "park": PARK_A, "day": later, "start": "14:00"}
    fields |= {"slot_count": "4", "slot_minutes": "15", "tables": "3"}
    empty = client.post("/events/new", data=fields)
    assert empty.status_code == 422 and "请至少选择一家龙头企业和一家中小企业" in empty.text
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    past = client.post(
        "/events/new", data={**fields, "day": yesterday, "leading": USCC["X"], "smes": USCC["Y"]}
    )
    assert past.status_code == 422 and "对接会日期不能早于今天" in past.text and yesterday in past.text
    wrong = client.post(
        "/events/new", data={**fields, "slot_count": "0", "leading": USCC["X"], "smes": USCC["Y"]}
    )
    assert wrong.status_code == 422 and "时段数（slot_count）：应不小于 1" in wrong.text
    assert codes(world) == ["E-A", "E-B"]
    created = client.post("/events/new", data={**fields, "leading": [USCC["X"]], "smes": [USCC["Y"]]})
    assert created.status_code == 303, created.text
    event = Engine(world.store).events.event("E-F")
    assert event.park == PARK_A and event.event.slot_count == 4 and len(event.event.tables) == 3
    assert [p.name for p in event.event.participants] == ["X测试企业有限公司", "Y测试企业有限公司"]


def test_the_event_page_shows_shortlists_schedule_and_downloads(client: TestClient, world: World) -> None:
    engine = Engine(world.store)
    engine.events.shortlist_event("E-A")
    engine.events.schedule_event("E-A", time_limit=2)
    log_in(client, "organizer")
    page = client.get("/events/E-A").text
    assert 'data-testid="buyer-B01"' in page and "重新生成推荐名单" in page
    assert 'data-testid="schedule-grid"' in page and "第 1 版排程" in page and "最优解" in page
    grid = page.split('data-testid="schedule-grid"')[1].split("</table>")[0]
    assert 'title="X测试企业有限公司 × Y测试企业有限公司"' in grid and 'class="meet must"' in grid
    assert '<span class="b">X测试企业</span><span class="s">Y测试企业</span>' in grid
    for what in ("master", "agendas", "shortlists", "html", "cards"):
        assert f"/api/events/E-A/exports/{what}" in page
    xlsx = client.get("/api/events/E-A/exports/master")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/events/E-A", params={"version": 9}).status_code == 404
    assert "/static/events.js" in page and "<script>" not in page  # CSP: no inline scripts


def test_grid_cells_use_short_names() -> None:
    from api.web.event_views import short_name

    assert short_name("苏州旭光半导体科技集团股份有限公司") == "苏州旭光半导体科技"
    assert short_name("正凯光伏电力股份有限公司") == "正凯光伏电力"
    assert short_name("有限公司") == "有限公司"  # nothing left to show: keep the name


def test_the_engine_assigns_an_organizer_its_new_event_and_checks_parks(world: World) -> None:
    from matcher.auth.errors import PermissionDenied

    engine = Engine(world.store)

    def who(persona: str) -> Any:
        return principal_for_token(world.store, login(world.store, username=persona, password=PASSWORD).plain)

    created = engine.events.create_event(definition("E-O", PARK_A, "X", "Y"), principal=who("organizer"))
    assert created.id in who("organizer").event_ids
    again = engine.events.create_event(definition("E-O", PARK_A, "X", "Y"), replace=True, principal=who("organizer"))
    assert again.id == created.id and created.id in who("organizer").event_ids
    assert [e.code for e in engine.events.managed_events(who("organizer"))] == ["E-A", "E-O"]
    for persona in ("park_a", "organizer"):  # neither creates events in a park it does not serve
        with pytest.raises(PermissionDenied, match="只能为所辖园区创建对接会"):
            engine.events.create_event(definition("E-P", PARK_B, "W", "Z"), principal=who(persona))
    with pytest.raises(PermissionDenied, match="无权管理对接会“E-B”"):
        engine.events.create_event(definition("E-B", PARK_A, "X", "Y"), replace=True, principal=who("organizer"))
    assert codes(world) == ["E-A", "E-B", "E-O"]
    assert engine.events.event("E-O").park == PARK_A and engine.events.event("E-B").park == PARK_B
