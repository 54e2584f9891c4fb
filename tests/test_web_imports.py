"""The 数据导入导出 page through TestClient: platform admins only, the upload form, export links and the
recent jobs (escaped), and the navigation entry."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from auth_helpers import World, app_client, build_world, web_log_in
from fastapi.testclient import TestClient

from matcher.store import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Store(f"sqlite:///{tmp_path_factory.mktemp('web_imports') / 'w.db'}"))


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, persona: str) -> None:
    web_log_in(client, persona)


def test_the_platform_admin_gets_the_page(client: TestClient) -> None:
    log_in(client, "platform")
    page = client.get("/imports")
    assert page.status_code == 200
    html = page.text
    for text in ("数据导入导出", "上传并导入", "自动识别", "重建检索索引", "最近任务", "暂无任务"):
        assert text in html, text
    for href in ("/api/exports/enterprises.csv", "/api/exports/demands.xlsx", "/api/exports/parks.csv"):
        assert f'href="{href}"' in html
    assert '<script src="http://testserver/static/imports.js" defer>' in html
    assert 'href="/imports" aria-current="page"' in html
    assert client.get("/static/imports.js").status_code == 200
    assert "matcher.follow" in client.get("/static/imports.js").text


@pytest.mark.parametrize("persona", ["park_a", "organizer", "sme_y"])
def test_other_roles_are_refused(client: TestClient, persona: str) -> None:
    log_in(client, persona)
    page = client.get("/imports")
    assert page.status_code == 403 and "无权新建导入" in page.text
    assert 'href="/imports"' not in client.get("/").text


def test_anonymous_visitors_log_in_first(client: TestClient) -> None:
    response = client.get("/imports")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/imports"


def test_recent_jobs_are_listed_with_their_state_and_escaped(client: TestClient) -> None:
    log_in(client, "platform")
    headers = {"X-Requested-With": "test"}
    files = {"file": ("<img src=x onerror=alert(1)>.csv", "名称\n\n".encode(), "text/csv")}
    started = client.post("/api/jobs/imports", files=files, headers=headers)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 20
    while client.get(started.json()["status_url"]).json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    html = client.get("/imports").text
    assert "<img src=x" not in html and "数据导入（&lt;img src=x onerror=alert(1)&gt;.csv）" in html
    assert '<span class="job-state failed">失败</span>' in html
