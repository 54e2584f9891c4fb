"""The web shell through TestClient: log-in, per-role home pages and navigation, escaping, cookie CSRF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_helpers import PASSWORD, World, app_client, build_world
from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE
from matcher.store import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Store(f"sqlite:///{tmp_path_factory.mktemp('web') / 'w.db'}"))


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, persona: str, password: str = PASSWORD) -> str:
    response = client.post("/login", data={"username": persona, "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    return client.get("/").text


def test_anonymous_visitors_are_sent_to_the_login_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.text and 'lang="zh-CN"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_wrong_password_shows_a_chinese_error(client: TestClient) -> None:
    response = client.post("/login", data={"username": "sme_y", "password": "nope-nope"})
    assert response.status_code == 401 and "用户名或密码错误" in response.text
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        (
            "sme_y",
            ["中小企业用户", "推荐采购方", "企业档案", "联系人Y", "需求X-PUB", "需求X-PARK"],
            ["需求X-PRIV", "需求X-DRAFT", "联系人X", "梯度培育", "账号与审计"],
        ),
        (
            "leader_x",
            ["龙头企业用户", "需求发布", "候选供应商", "需求X-PRIV", "需求X-DRAFT"],
            ["推荐采购方", "需求W-PUB"],
        ),
        ("park_a", ["园区管理员", "甲园区", "产业链图谱", "梯度培育", "对接会"], ["乙园区", "需求X-PRIV"]),
        ("organizer", ["活动组织方", "对接会", "需求X-PUB", "需求X-PARK"], ["需求X-PRIV", "梯度培育"]),
        ("platform", ["平台管理员", "甲园区", "乙园区", "账号与审计", "数据导入导出"], []),
    ],
)
def test_each_role_has_its_own_home(
    client: TestClient, persona: str, present: list[str], absent: list[str]
) -> None:
    page = log_in(client, persona)
    for text in present:
        assert text in page, text
    for text in absent:
        assert text not in page, text


def test_open_redirects_are_refused(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": "sme_y", "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert response.headers["location"] == "/"


def test_cookie_writes_need_the_forgery_header_and_logout_ends_the_session(client: TestClient) -> None:
    log_in(client, "platform")
    assert client.get("/api/auth/me").json()["role"] == "platform_admin"  # the cookie works for reads
    refused = client.post("/api/imports", files={"file": ("a.csv", b"x")})
    assert refused.status_code == 401 and "X-Requested-With" in refused.json()["message"]
    allowed = client.post("/api/imports", files={"file": ("a.exe", b"x")}, headers={"X-Requested-With": "t"})
    assert allowed.status_code == 422
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 303
    assert client.get("/api/auth/me").status_code == 401


def test_names_are_escaped(world: World, client: TestClient) -> None:
    from auth_helpers import USCC

    from matcher.domain import Enterprise
    from matcher.io import import_records

    hostile = Enterprise(
        uscc=USCC["Y"],
        name="<script>alert(1)</script>有限公司",
        park="甲园区",
        industry_code="3841",
        role="sme",
    )
    import_records(world.store, enterprises=[hostile])
    page = log_in(client, "sme_y")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
