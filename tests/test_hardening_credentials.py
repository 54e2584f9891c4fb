"""Issue 11 items 13 and 14, issue 16 item 6: credentials managed through the API, the CLI and the web
pages (disable and enable, reset and change passwords, scoped expiring API keys, revocation; keys are not
web sessions), and reads of sensitive data audited with a filtered log for platform admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from auth_helpers import PARK_A, PASSWORD, USCC, World, app_client, web_log_in
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from api.auth import SESSION_COOKIE
from matcher.auth import accounts
from matcher.store import Store
from tests.conftest import store_at_revision

NEW_PASSWORD = "新的园区密码-2026"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin(client: TestClient, world: World, method: str, path: str, body: Any = None) -> Any:
    return client.request(method, path, headers=bearer(world.tokens["platform"]), json=body)


def test_admins_create_disable_enable_and_reset_accounts_over_http(client: TestClient, world: World) -> None:
    new = {"username": "park_a2", "role": "park_admin", "password": "12345678", "parks": [PARK_A]}
    weak = admin(client, world, "POST", "/api/accounts", new)
    assert weak.status_code == 422 and "密码至少 10 个字符" in " ".join(weak.json()["problems"])
    made = admin(client, world, "POST", "/api/accounts", {**new, "password": PASSWORD})
    assert made.status_code == 201 and made.json()["parks"] == [PARK_A], made.text
    refused = client.post("/api/accounts", headers=bearer(world.tokens["park_a"]), json=new)
    assert refused.status_code == 403

    session = accounts.login(world.store, username="sme_y", password=PASSWORD).plain
    assert client.get("/api/auth/me", headers=bearer(session)).status_code == 200
    off = admin(client, world, "PATCH", "/api/accounts/sme_y", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get("/api/auth/me", headers=bearer(session)).status_code == 401  # at once
    assert client.post("/api/auth/token", data={"username": "sme_y", "password": PASSWORD}).status_code == 401
    assert admin(client, world, "PATCH", "/api/accounts/sme_y", {"active": True}).json()["active"] is True
    assert client.get("/api/auth/me", headers=bearer(session)).status_code == 401, "its sessions were ended"

    again = accounts.login(world.store, username="sme_y", password=PASSWORD).plain
    reset = admin(client, world, "POST", "/api/accounts/sme_y/password", {"password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert client.get("/api/auth/me", headers=bearer(again)).status_code == 401
    assert accounts.login(world.store, username="sme_y", password=NEW_PASSWORD).plain

    moved = admin(client, world, "PATCH", "/api/accounts/park_a2", {"role": "organizer", "parks": []})
    assert moved.status_code == 200 and (moved.json()["role"], moved.json()["parks"]) == ("organizer", [])
    assert admin(client, world, "PATCH", "/api/accounts/nobody1", {"active": False}).status_code == 404


def test_users_change_their_own_password(client: TestClient, world: World) -> None:
    mine = accounts.login(world.store, username="leader_x", password=PASSWORD).plain
    other = accounts.login(world.store, username="leader_x", password=PASSWORD).plain
    body = {"current": "not-my-password-1", "new": NEW_PASSWORD}
    wrong = client.post("/api/auth/password", headers=bearer(mine), json=body)
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.json()["problems"]
    body["current"] = PASSWORD
    assert client.post("/api/auth/password", headers=bearer(mine), json=body).status_code == 204
    assert client.get("/api/auth/me", headers=bearer(mine)).status_code == 200, "the session in use stays"
    assert client.get("/api/auth/me", headers=bearer(other)).status_code == 401


def test_api_keys_are_scoped_expire_and_are_revoked(client: TestClient, world: World) -> None:
    issued = admin(client, world, "POST", "/api/accounts/leader_x/keys", {"name": "ERP 对接"})
    assert issued.status_code == 201, issued.text
    read_key, key_id = issued.json()["key"], issued.json()["id"]
    assert issued.json()["scope"] == "read"  # the default
    expires = dt.datetime.fromisoformat(issued.json()["expires_at"])
    assert dt.timedelta(days=89) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=90)
    key = {"X-API-Key": read_key}
    assert client.get("/api/demands", headers=key).status_code == 200
    body = {"kind": "procurement", "title": "采购隔膜", "product": "隔膜"}
    write = client.post("/api/demands", headers=key, json=body)
    assert write.status_code == 403 and "只读 API 密钥" in write.json()["message"]
    writer = admin(client, world, "POST", "/api/accounts/leader_x/keys", {"scope": "write", "days": None})
    assert writer.json()["expires_at"] is None
    assert client.post("/api/demands", headers={"X-API-Key": writer.json()["key"]}, json=body).status_code == 201
    listed = admin(client, world, "GET", "/api/accounts/leader_x/keys").json()["data"]
    assert {k["id"] for k in listed} == {key_id, writer.json()["id"]} and "key" not in listed[0]
    revoked = admin(client, world, "DELETE", f"/api/keys/{key_id}")
    assert revoked.status_code == 200 and revoked.json()["state"] == "已吊销"
    assert client.get("/api/demands", headers=key).status_code == 401


def test_an_api_key_is_not_a_web_session(client: TestClient, world: World) -> None:
    key = accounts.issue_api_key(world.store, username="platform", name="系统").plain
    client.cookies.set(SESSION_COOKIE, key)
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/api/auth/me").status_code == 401
    client.cookies.set(SESSION_COOKIE, world.tokens["platform"])
    assert client.get("/api/auth/me").status_code == 200


def test_the_accounts_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.cli.main import app
    from matcher.settings import get_settings

    monkeypatch.setenv("MATCHER_DATABASE_URL", world.store.url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["accounts", "disable", "sme_y"]).exit_code == 0
        with pytest.raises(Exception, match="用户名或密码错误"):
            accounts.login(world.store, username="sme_y", password=PASSWORD)
        assert "已停用" in runner.invoke(app, ["accounts", "list"]).output
        assert runner.invoke(app, ["accounts", "enable", "sme_y"]).exit_code == 0
        monkeypatch.setenv("MATCHER_PASSWORD", "password123")
        weak = runner.invoke(app, ["accounts", "password", "sme_y"])
        assert weak.exit_code != 0 and "常见弱密码" in weak.output
        monkeypatch.setenv("MATCHER_PASSWORD", NEW_PASSWORD)
        assert runner.invoke(app, ["accounts", "password", "sme_y"]).exit_code == 0
        assert accounts.login(world.store, username="sme_y", password=NEW_PASSWORD).plain
        issued = runner.invoke(app, ["accounts", "key", "sme_y", "--name", "对接", "--no-expiry"])
        assert issued.exit_code == 0 and "只读" in issued.output and "永不过期" in issued.output
        plain = issued.output.split()[-1]
        assert accounts.principal_for_token(world.store, plain).read_only
        listed = runner.invoke(app, ["accounts", "keys", "sme_y"]).output
        key_id = int(listed.split()[0])
        assert "有效" in listed and "对接" in listed
        assert runner.invoke(app, ["accounts", "revoke", str(key_id)]).exit_code == 0
        with pytest.raises(Exception, match="令牌无效或已注销"):
            accounts.principal_for_token(world.store, plain)
    finally:
        get_settings.cache_clear()


def test_sensitive_reads_are_audited_and_filtered(client: TestClient, world: World) -> None:
    park = bearer(world.tokens["park_a"])
    assert client.get("/api/exports/enterprises.csv", headers=park).status_code == 200
    assert client.get(f"/api/demands/{world.demand_ids['X-PUB']}/candidates", headers=park).status_code == 200
    assert client.get(f"/api/enterprises/{world.enterprise_ids['Y']}", headers=park).status_code == 200
    client.get(f"/api/enterprises/{world.enterprise_ids['Z']}", headers=park)  # contact blanked: not audited
    client.get("/api/demands", headers=park)  # nothing sensitive: not audited
    found = admin(client, world, "GET", "/api/audit?username=park_a").json()
    seen = [(e["method"], e["resource"], e["detail"].get("what")) for e in found["data"]]
    assert seen == [
        ("GET", "enterprise", "contacts"),
        ("GET", "match", "candidates"),
        ("GET", "export", "export"),
    ], seen
    assert found["count"] == 3
    exports = admin(client, world, "GET", "/api/audit?resource=export").json()["data"]
    assert [e["detail"]["kind"] for e in exports] == ["enterprises"]
    assert admin(client, world, "GET", "/api/audit?status=599").json()["count"] == 0
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert admin(client, world, "GET", "/api/audit", None).json()["count"] > 0
    assert client.get("/api/audit", params={"since": tomorrow}, headers=bearer(world.tokens["platform"])).json()[
        "count"
    ] == 0
    assert client.get("/api/audit", headers=park).status_code == 403
    own = bearer(world.tokens["leader_x"])  # the publisher reading its own list and profile: not audited
    assert client.get(f"/api/demands/{world.demand_ids['X-PUB']}/candidates", headers=own).status_code == 200
    assert client.get(f"/api/enterprises/{world.enterprise_ids['X']}", headers=own).status_code == 200
    assert admin(client, world, "GET", "/api/audit?username=leader_x").json()["count"] == 0


def test_platform_admins_manage_accounts_on_the_web(world: World) -> None:
    with app_client(world.store, follow_redirects=False) as web:
        web_log_in(web, "platform")
        home = web.get("/").text
        assert 'href="/accounts"' in home
        listing = web.get("/accounts")
        assert listing.status_code == 200 and "sme_y" in listing.text
        form = {"username": "sme_new", "role": "sme_user", "password": "abc", "enterprise": USCC["Y"]}
        weak = web.post("/accounts", data=form)
        assert weak.status_code == 422 and "密码至少 10 个字符" in weak.text
        made = web.post("/accounts", data={**form, "password": PASSWORD})
        assert made.status_code == 303 and made.headers["location"] == "/accounts/sme_new?done=created"
        assert "账号已创建" in web.get(made.headers["location"]).text
        off = web.post("/accounts/sme_new/active", data={"active": "0"})
        assert off.status_code == 303 and "已停用" in web.get("/accounts/sme_new").text
        reset = web.post("/accounts/sme_y/password", data={"password": NEW_PASSWORD})
        assert reset.status_code == 303
        assert accounts.login(world.store, username="sme_y", password=NEW_PASSWORD).plain
        key_page = web.post("/accounts/sme_y/keys", data={"name": "网页签发", "scope": "read", "days": "30"})
        assert key_page.status_code == 200 and "mk_" in key_page.text and "只显示这一次" in key_page.text
        key_id = accounts_keys(world)[0]
        assert web.post(f"/keys/{key_id}/revoke").status_code == 303
        assert "已吊销" in web.get("/accounts/sme_y").text
        empty_form = {"username": "platform", "resource": "account", "path": "", "status": "", "day": ""}
        audit = web.get("/audit", params=empty_form)  # the filter form sends empty fields
        assert audit.status_code == 200 and "/accounts/sme_y/password" in audit.text
        assert NEW_PASSWORD not in audit.text
        today = dt.datetime.now(dt.UTC).date().isoformat()
        assert "/accounts/sme_y/password" in web.get("/audit", params={**empty_form, "day": today}).text
        assert "username=sme_new" in web.get("/audit", params={"path": "/accounts", "status": "303"}).text
        assert web.get("/audit", params={"day": "2026-13-45"}).status_code == 422
    with app_client(world.store, follow_redirects=False) as web:
        web_log_in(web, "park_a")
        assert web.get("/accounts").status_code == 403 and web.get("/audit").status_code == 403
        changed = web.post(
            "/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}
        )
        assert changed.status_code == 303 and "密码已修改" in web.get("/password?done=1").text
        assert web.get("/").status_code == 200, "the session in use stays"


def accounts_keys(world: World) -> list[int]:
    from matcher.auth import manage

    return [k.id for k in manage.list_keys(world.store, username="sme_y")]


def test_old_keys_get_an_expiry_on_upgrade(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with store_at_revision(url, "0006") as conn:
        conn.execute(
            text("INSERT INTO accounts (username, display_name, role, active) VALUES ('sys', 's', 'platform_admin', 1)")
        )
        conn.execute(text("INSERT INTO api_tokens (account_id, digest, kind, name) VALUES (1, 'd', 'api_key', 'k')"))
    store = Store(url)
    with store.engine.connect() as conn:
        scope, expires = conn.execute(text("SELECT scope, expires_at FROM api_tokens")).one()
    store.dispose()
    assert scope == "write" and expires is not None  # keys of before: full rights, but no longer forever


def test_event_exports_are_audited(client: TestClient, world: World) -> None:
    from matcher.engine import Engine

    definition = {
        "id": "E-A",
        "name": "审计对接会",
        "park": PARK_A,
        "sessions": [{"day": "2030-07-16", "start": "09:00", "slot_count": 2}],
        "tables": 1,
        "participants": [{"id": "B01", "enterprise_id": USCC["X"]}, {"id": "S01", "enterprise_id": USCC["Y"]}],
    }
    Engine(world.store).events.create_event(definition)
    park = bearer(world.tokens["park_a"])
    assert client.get("/api/events/E-A/exports/shortlists", headers=park).status_code == 200
    found = admin(client, world, "GET", "/api/audit?username=park_a&resource=event").json()["data"]
    assert [(e["path"], e["detail"]["kind"]) for e in found] == [("/api/events/E-A/exports/shortlists", "shortlists")]
