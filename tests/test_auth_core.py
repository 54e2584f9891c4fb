"""Accounts, passwords and tokens: creation rules, log-in, expiry, revocation, API keys, the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from auth_helpers import PASSWORD, USCC, World, build_world
from sqlalchemy import update
from typer.testing import CliRunner

from matcher.auth import accounts, passwords
from matcher.auth.errors import AuthenticationError
from matcher.auth.principal import AccountRole
from matcher.auth.tokens import TokenKind, digest, looks_like_token, new_token
from matcher.errors import ValidationError
from matcher.store import Store
from matcher.store.tables import ApiTokenRow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Store(f"sqlite:///{tmp_path_factory.mktemp('core') / 'core.db'}"))


def test_passwords_are_hashed_and_checked() -> None:
    hashed = passwords.hash_password("a-long-password")
    assert hashed.startswith("$argon2id$") and "a-long-password" not in hashed
    assert passwords.verify_password(hashed, "a-long-password")
    assert not passwords.verify_password(hashed, "a-long-passworD")
    assert not passwords.verify_password(None, "a-long-password"), "system accounts have no password"
    assert not passwords.verify_password("not-a-hash", "x")
    with pytest.raises(ValidationError, match="至少 10 个字符"):
        passwords.hash_password("short")


def test_tokens_are_random_and_only_their_digest_is_kept() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    a, b = new_token(TokenKind.SESSION, now=now), new_token(TokenKind.SESSION, now=now)
    assert a.plain != b.plain and a.plain.startswith("mt_") and len(a.plain) > 40
    assert a.digest == digest(a.plain) and a.plain not in a.digest
    assert a.expires_at == now + dt.timedelta(hours=12)
    assert new_token(TokenKind.API_KEY, ttl=None).expires_at is None  # issued without expiry on purpose
    assert looks_like_token(a.plain) and not looks_like_token("Bearer") and not looks_like_token("mt_é" * 5)


def test_log_in_resolves_to_the_accounts_principal(world: World) -> None:
    p = accounts.principal_for_token(world.store, world.tokens["sme_y"])
    assert (p.role, p.enterprise_id, p.username) == (AccountRole.SME_USER, world.enterprise_ids["Y"], "sme_y")
    assert len(p.park_ids) == 1 and p.park_names == ("甲园区",), "an enterprise user belongs to its park"
    admin = accounts.principal_for_token(world.store, world.tokens["park_a"])
    assert admin.park_names == ("甲园区",) and admin.enterprise_id is None
    organizer = accounts.principal_for_token(world.store, world.tokens["organizer"])
    assert organizer.event_ids == frozenset({1})


def test_wrong_passwords_and_unknown_users_get_the_same_answer(world: World) -> None:
    for username, password in (("sme_y", "wrong-password"), ("nobody", PASSWORD)):
        with pytest.raises(AuthenticationError, match="^用户名或密码错误$"):
            accounts.login(world.store, username=username, password=password)


def test_expired_and_revoked_tokens_are_refused(world: World) -> None:
    token = world.tokens["leader_x"]
    with world.store.session() as s:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        s.execute(update(ApiTokenRow).where(ApiTokenRow.digest == digest(token)).values(expires_at=past))
    with pytest.raises(AuthenticationError, match="已过期"):
        accounts.principal_for_token(world.store, token)
    fresh = accounts.login(world.store, username="leader_x", password=PASSWORD).plain
    accounts.revoke(world.store, fresh)
    with pytest.raises(AuthenticationError, match="已注销"):
        accounts.principal_for_token(world.store, fresh)


def test_api_keys_act_as_their_account_and_expire_unless_issued_without_expiry(world: World) -> None:
    key = accounts.issue_api_key(world.store, username="platform", name="ERP 对接")
    assert key.plain.startswith("mk_") and key.expires_at is not None
    assert dt.timedelta(days=89) < key.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=90)
    assert accounts.principal_for_token(world.store, key.plain).role is AccountRole.PLATFORM_ADMIN
    lasting = accounts.issue_api_key(world.store, username="platform", name="长期", ttl=None)
    assert lasting.expires_at is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "ab", "role": AccountRole.PLATFORM_ADMIN}, "用户名"),
        ({"username": "sme_y", "role": AccountRole.PLATFORM_ADMIN}, "已存在"),
        ({"username": "sme2", "role": AccountRole.SME_USER}, "须绑定已登记的企业"),
        (
            {"username": "sme3", "role": AccountRole.SME_USER, "enterprise": USCC["X"]},
            "不能开设中小企业用户账号",
        ),
        (
            {"username": "lead2", "role": AccountRole.LEADING_USER, "enterprise": USCC["Y"]},
            "不能开设龙头企业用户",
        ),
        ({"username": "park2", "role": AccountRole.PARK_ADMIN}, "须指定至少一个园区"),
        ({"username": "park3", "role": AccountRole.PARK_ADMIN, "parks": ["无此园区"]}, "园区不存在"),
        ({"username": "plat4", "role": AccountRole.PLATFORM_ADMIN, "enterprise": USCC["X"]}, "不绑定企业"),
        (
            {"username": "sme5", "role": AccountRole.SME_USER, "enterprise": USCC["Y"], "parks": ["甲园区"]},
            "不绑定园区",
        ),
    ],
)
def test_account_rules(world: World, kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        accounts.create_account(world.store, password=PASSWORD, **kwargs)


def test_accounts_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.cli.main import app
    from matcher.settings import get_settings

    monkeypatch.setenv("MATCHER_DATABASE_URL", world.store.url)
    monkeypatch.setenv("MATCHER_PASSWORD", "cli-password-1")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        made = runner.invoke(
            app, ["accounts", "create", "cli_park", "--role", "park_admin", "--park", "乙园区"]
        )
        assert made.exit_code == 0 and "已创建" in made.output, made.output
        bad = runner.invoke(app, ["accounts", "create", "cli_x", "--role", "king"])
        assert bad.exit_code != 0
        listed = runner.invoke(app, ["accounts", "list"])
        assert "cli_park" in listed.output and "乙园区" in listed.output
        key = runner.invoke(app, ["accounts", "key", "cli_park", "--name", "测试"])
        plain = key.output.split()[-1]
        assert accounts.principal_for_token(world.store, plain).park_names == ("乙园区",)
    finally:
        get_settings.cache_clear()
    assert accounts.login(world.store, username="cli_park", password="cli-password-1").plain
