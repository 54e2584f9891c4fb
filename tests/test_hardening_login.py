"""Issue 11, item 10: log-in throttling per account and per address with backoff, a bound on concurrent
Argon2 work, and the password policy (Chinese messages), over HTTP where the finding was."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from auth_helpers import PASSWORD, World, app_client, build_world
from fastapi.testclient import TestClient
from sqlalchemy import select

from matcher.auth import accounts, passwords
from matcher.auth.errors import LoginThrottled
from matcher.auth.principal import AccountRole
from matcher.auth.throttle import LoginThrottle
from matcher.errors import ValidationError
from matcher.settings import get_settings
from matcher.store import Store
from matcher.store.tables import LoginFailureRow


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(Store(f"sqlite:///{tmp_path / 'w.db'}"))


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store) as c:
        yield c


def token(client: TestClient, username: str, password: str) -> object:
    return client.post("/api/auth/token", data={"username": username, "password": password})


def test_wrong_passwords_lock_the_account_even_for_the_right_one(client: TestClient) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert token(client, "sme_y", "wrong-password-1").status_code == 401  # type: ignore[attr-defined]
    locked = token(client, "sme_y", PASSWORD)
    assert locked.status_code == 429, locked.text  # type: ignore[attr-defined]
    assert "登录失败次数过多" in locked.json()["message"]  # type: ignore[attr-defined]
    assert int(locked.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    assert token(client, "leader_x", PASSWORD).status_code == 200  # type: ignore[attr-defined]
    page = client.post("/login", data={"username": "sme_y", "password": PASSWORD, "next": "/"})
    assert page.status_code == 429 and "登录失败次数过多" in page.text


def test_one_address_trying_many_accounts_is_locked(client: TestClient) -> None:
    for i in range(get_settings().login_max_address_failures):
        assert token(client, f"nobody{i}", "wrong-password-1").status_code == 401  # type: ignore[attr-defined]
    assert token(client, "leader_x", PASSWORD).status_code == 429  # type: ignore[attr-defined]


def test_backoff_doubles_and_expires(store: Store) -> None:
    now = [1000.0]
    throttle = LoginThrottle(
        store, limit=3, address_limit=100, base=10, longest=60, window=300, clock=lambda: now[0]
    )
    for _ in range(3):
        throttle.check("a", "1.2.3.4")
        throttle.failed("a", "1.2.3.4")
    with pytest.raises(LoginThrottled) as first:
        throttle.check("a", "1.2.3.4")
    assert first.value.retry_after == 10
    now[0] += 11
    throttle.check("a")  # free again, one more failure doubles the wait
    throttle.failed("a")
    with pytest.raises(LoginThrottled) as second:
        throttle.check("a")
    assert second.value.retry_after == 20
    for _ in range(5):
        throttle.failed("a")
    with pytest.raises(LoginThrottled) as capped:
        throttle.check("a")
    assert capped.value.retry_after == 60
    now[0] += 61 + 300
    throttle.check("a")  # the window has passed: forgotten
    throttle.failed("a")
    throttle.check("a")
    throttle.succeeded("a")
    throttle.check("b", "1.2.3.4")  # other accounts from the address are not locked below its limit


def _fail_logins(url: str, times: int) -> None:
    store = Store(url)
    for _ in range(times):
        with pytest.raises(accounts.AuthenticationError):
            accounts.login(store, username="sme_y", password="wrong-password-1", address="10.0.0.9")
    store.dispose()


def test_failures_in_another_worker_process_count_too(world: World) -> None:
    limit = get_settings().login_max_failures
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter, as a second server worker is
    worker = spawn.Process(target=_fail_logins, args=(world.store.url, limit - 1))
    worker.start()
    worker.join(120)
    assert worker.exitcode == 0
    with pytest.raises(accounts.AuthenticationError):
        accounts.login(world.store, username="sme_y", password="wrong-password-1")
    with pytest.raises(LoginThrottled):  # the other process's failures plus this one reach the limit
        accounts.login(world.store, username="sme_y", password=PASSWORD)


def test_the_failure_table_forgets_old_keys(store: Store) -> None:
    now = [0.0]
    throttle = LoginThrottle(store, limit=5, address_limit=20, window=60, clock=lambda: now[0])
    for i in range(50):  # a spray of names, one failure each
        throttle.failed(f"nobody{i}", f"10.1.0.{i}")
    now[0] += 61
    throttle.failed("last", "10.2.0.1")
    with store.session() as s:
        keys = set(s.scalars(select(LoginFailureRow.key)))
    assert keys == {"account:last", "address:10.2.0.1"}


class _SlowHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(**{k: getattr(profiles.CHEAPEST, k) for k in ("time_cost", "memory_cost", "parallelism")})
        self.running = self.most = 0
        self.lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return False


def test_concurrent_hash_work_is_bounded() -> None:
    slow = _SlowHasher()
    passwords.set_hasher(slow)
    try:
        threads = [threading.Thread(target=passwords.verify_password, args=(None, "x-password-1")) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        passwords.set_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))
    assert 1 <= slow.most <= get_settings().password_hash_concurrency


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "至少 10 个字符"),
        (" " * 12, "只由一类字符组成"),
        ("abcdefghijkl", "只由一类字符组成"),
        ("9876543210", "只由一类字符组成"),
        ("Password@123", "常见弱密码"),
        ("woaini1314", "常见弱密码"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(world: World, password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        accounts.create_account(world.store, username="weak1", role=AccountRole.PLATFORM_ADMIN, password=password)
    assert any(reason in p for p in refused.value.problems), refused.value.problems
    assert passwords.password_problems("园区供需对接-2026") == []
