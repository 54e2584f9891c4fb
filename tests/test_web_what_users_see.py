"""What a user sees when something is wrong or missing, through TestClient: Chinese HTML pages for unknown
pages and invalid links (the API keeps its JSON), no English validation text, past dates refused, a favicon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from auth_helpers import World, app_client, build_world, web_log_in
from fastapi.testclient import TestClient

from matcher import clock
from matcher.store import Store

ENGLISH = ("Input should", "Not Found", "Field required", "valid integer", "valid number")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Store(f"sqlite:///{tmp_path_factory.mktemp('seen') / 'w.db'}"))


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def chinese_page(response: object, status: int, *texts: str) -> str:
    html = response.text  # type: ignore[attr-defined]
    assert response.status_code == status, html  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert '<html lang="zh-CN">' in html and "返回首页" in html
    for text in texts:
        assert text in html, text
    for english in ENGLISH:
        assert english not in html, english
    return html


def test_an_unknown_page_is_a_chinese_html_404_and_the_api_keeps_json(client: TestClient) -> None:
    chinese_page(client.get("/no-such-page"), 404, "页面不存在")
    web_log_in(client, "leader_x")
    html = chinese_page(client.get("/demands/new/extra"), 404, "页面不存在")
    assert 'data-testid="who"' in html  # the signed-in shell, with its navigation
    api = client.get("/api/no-such-endpoint")
    assert api.status_code == 404 and api.json()["code"] == "http_404"


def test_an_invalid_link_is_a_chinese_html_422(client: TestClient) -> None:
    web_log_in(client, "leader_x")
    chinese_page(client.get("/demands/abc"), 422, "链接中的“需求编号”应为整数", "abc")
    chinese_page(client.get("/tiers/enterprise/x1"), 422, "链接中的“企业编号”应为整数")
    api = client.get("/api/demands/abc")
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"
    assert not any(english in api.text for english in ENGLISH), api.text


def test_form_values_of_the_wrong_type_are_named_in_chinese(client: TestClient) -> None:
    web_log_in(client, "leader_x")
    form = {"kind": "procurement", "title": "采购正极材料", "product": "正极材料", "quantity": "二十吨"}
    form |= {"status": "open", "visibility": "public", "deadline": "下个月"}
    page = client.post("/demands/new", data=form)
    assert page.status_code == 422
    assert "数量应为数字" in page.text and "二十吨" in page.text
    assert "截止日期应为日期（如 2026-09-30）" in page.text
    assert not any(english in page.text for english in ENGLISH), page.text


def test_a_past_deadline_is_refused_and_today_is_shanghais(client: TestClient) -> None:
    web_log_in(client, "leader_x")
    yesterday = clock.today() - dt.timedelta(days=1)
    form = {"kind": "procurement", "title": "采购正极材料", "product": "正极材料", "status": "open"}
    form |= {"visibility": "public", "deadline": yesterday.isoformat()}
    page = client.post("/demands/new", data=form)
    assert page.status_code == 422 and "截止日期不能早于今天" in page.text and "北京时间" in page.text
    api = client.post("/api/demands", json=form, headers={"X-Requested-With": "matcher-web"})
    assert api.status_code == 422 and "截止日期不能早于今天" in api.text
    later = client.post(
        "/demands/new", data={**form, "deadline": (yesterday + dt.timedelta(days=8)).isoformat()}
    )
    assert later.status_code == 303


def test_shanghai_dates_whatever_the_server_zone() -> None:
    late_utc = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
    assert clock.shown(late_utc) == "2026-12-07 07:30:00"
    assert clock.shown(late_utc.replace(tzinfo=None)) == "2026-12-07 07:30:00"  # stored naive UTC


def test_every_page_links_a_favicon_that_is_served(client: TestClient) -> None:
    html = client.get("/login").text
    assert '<link rel="icon" type="image/svg+xml" href="' in html
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_a_technology_demand_shows_its_target_indicators_and_cooperation_mode(client: TestClient) -> None:
    web_log_in(client, "leader_x")
    form = {"kind": "technology", "title": "高镍正极包覆技术攻关", "problem": "循环寿命衰减过快"}
    form |= {"target_indicators": "1000 次循环容量保持率 ≥ 90%", "cooperation_mode": "联合研发"}
    form |= {"status": "open", "visibility": "public"}
    posted = client.post("/demands/new", data=form)
    assert posted.status_code == 303, posted.text
    page = client.get(posted.headers["location"]).text
    assert '目标指标</dt><dd data-testid="target-indicators">1000 次循环容量保持率 ≥ 90%' in page
    assert '合作方式</dt><dd data-testid="cooperation-mode">联合研发' in page


def test_a_demand_is_edited_on_the_web(client: TestClient, world: World) -> None:
    web_log_in(client, "leader_x")
    demand_id = world.demand_ids["X-PUB"]
    form_page = client.get(f"/demands/{demand_id}/edit")
    assert form_page.status_code == 200 and "修改需求" in form_page.text and "保存修改" in form_page.text
    assert f'action="/demands/{demand_id}/edit"' in form_page.text
    shown = client.get(f"/demands/{demand_id}").text
    assert f'href="/demands/{demand_id}/edit"' in shown
    form = {"kind": "procurement", "title": "改过的标题：采购隔膜", "product": "隔膜", "quantity": "12"}
    form |= {"unit": "吨", "status": "open", "visibility": "public"}
    saved = client.post(f"/demands/{demand_id}/edit", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == f"/demands/{demand_id}?saved=1"
    page = client.get(saved.headers["location"]).text
    assert "改过的标题：采购隔膜" in page and "修改已保存" in page
    bad = client.post(f"/demands/{demand_id}/edit", data={**form, "quantity": "十二"})
    assert bad.status_code == 422 and "未保存" in bad.text and "数量应为数字" in bad.text
    web_log_in(client, "sme_y")
    refused = client.post(f"/demands/{demand_id}/edit", data={**form, "title": "被篡改"})
    assert refused.status_code in (403, 404)
    web_log_in(client, "leader_x")
    assert "被篡改" not in client.get(f"/demands/{demand_id}").text
