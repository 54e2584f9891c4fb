"""Lost updates (issue 11 item 8), over HTTP on SQLite and PostgreSQL: a PATCH changes only the fields sent;
demands and enterprise profiles carry a version (ETag), and a write based on an older one gets 409 with a
Chinese message and changes nothing; the web edit forms carry the version too."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from auth_helpers import World, app_client, web_log_in
from fastapi.testclient import TestClient


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def call(client: TestClient, world: World, persona: str, method: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {world.tokens[persona]}", **kw.pop("headers", {})}
    return client.request(method, path, headers=headers, **kw)


def test_a_stale_demand_patch_is_refused_and_changes_nothing(client: TestClient, world: World) -> None:
    path = f"/api/demands/{world.demand_ids['X-PUB']}"
    loaded = call(client, world, "leader_x", "GET", path)
    etag, version = loaded.headers["ETag"], loaded.json()["version"]
    assert etag == f'"{version}"'

    first = call(
        client, world, "leader_x", "PATCH", path, json={"title": "甲的新标题"}, headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == version + 1 and first.headers["ETag"] == f'"{version + 1}"'

    stale = call(
        client, world, "park_a", "PATCH", path, json={"status": "closed"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "conflict" and "已被他人修改" in stale.json()["message"]
    stale_body = call(client, world, "leader_x", "PATCH", path, json={"status": "closed", "version": version})
    assert stale_body.status_code == 409

    now = call(client, world, "leader_x", "GET", path).json()
    assert now["record"]["title"] == "甲的新标题" and now["record"]["status"] == "open"
    assert now["version"] == version + 1


def test_a_patch_changes_only_the_fields_sent(client: TestClient, world: World) -> None:
    path = f"/api/demands/{world.demand_ids['X-PARK']}"
    before = call(client, world, "leader_x", "GET", path).json()["record"]
    assert call(client, world, "leader_x", "PATCH", path, json={"title": "只改标题"}).status_code == 200
    assert call(client, world, "park_a", "PATCH", path, json={"description": "只改描述"}).status_code == 200
    after = call(client, world, "leader_x", "GET", path).json()
    assert after["record"] == {**before, "title": "只改标题", "description": "只改描述"}
    assert after["version"] == 3


def test_profiles_carry_a_version_too(client: TestClient, world: World) -> None:
    path = f"/api/enterprises/{world.enterprise_ids['Y']}"
    version = call(client, world, "sme_y", "GET", path).json()["version"]
    ok = call(client, world, "sme_y", "PATCH", path, json={"capacity": "月产 80 吨", "version": version})
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = call(
        client,
        world,
        "park_a",
        "PATCH",
        path,
        json={"capacity": "月产 1 吨"},
        headers={"If-Match": str(version)},
    )
    assert stale.status_code == 409
    assert call(client, world, "sme_y", "GET", path).json()["record"]["capacity"] == "月产 80 吨"
    bad = call(client, world, "sme_y", "PATCH", path, json={"capacity": "x"}, headers={"If-Match": "abc"})
    assert bad.status_code == 400 and "If-Match" in bad.json()["message"]


def test_concurrent_writes_on_one_version_let_exactly_one_through(client: TestClient, world: World) -> None:
    path = f"/api/demands/{world.demand_ids['X-PRIV']}"
    etag = call(client, world, "leader_x", "GET", path).headers["ETag"]
    codes: list[int] = []
    start = threading.Barrier(4)

    def write(title: str) -> None:
        start.wait()
        answer = call(
            client, world, "leader_x", "PATCH", path, json={"title": title}, headers={"If-Match": etag}
        )
        codes.append(answer.status_code)

    threads = [threading.Thread(target=write, args=(f"并发标题{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(codes) == [200, 409, 409, 409], codes


def test_the_web_profile_form_carries_the_version(client: TestClient, world: World) -> None:
    web_log_in(client, "sme_y")
    page = client.get("/profile").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    path = f"/api/enterprises/{world.enterprise_ids['Y']}"
    assert call(client, world, "park_a", "PATCH", path, json={"capacity": "园区改的产能"}).status_code == 200
    form = {
        "products": "正极材料",
        "capabilities": "",
        "certifications": "",
        "capacity": "表单里的产能",
        "version": version.group(1),
    }
    saved = client.post("/profile", data=form)
    assert saved.status_code == 409 and "已被他人修改" in saved.text
    assert call(client, world, "sme_y", "GET", path).json()["record"]["capacity"] == "园区改的产能"
    fresh = re.search(r'name="version" value="(\d+)"', saved.text)
    assert fresh is not None and int(fresh.group(1)) == int(version.group(1)) + 1
    again = client.post("/profile", data={**form, "version": fresh.group(1)})
    assert again.status_code == 303
    assert call(client, world, "sme_y", "GET", path).json()["record"]["capacity"] == "表单里的产能"
