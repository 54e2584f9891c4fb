"""The in-process principal cache: fewer queries, and never a revoked or changed account served from it.

"Another process" is simulated by writing with plain SQL on a connection of its own, which this process's
ORM hooks cannot see: such a change must take effect once ``PRINCIPAL_TTL_SECONDS`` have passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from auth_helpers import PASSWORD, World, build_world
from sqlalchemy import event, select, text, update

from matcher.auth import accounts
from matcher.auth.errors import AuthenticationError
from matcher.auth.tokens import digest
from matcher.store import Store, events_repo
from matcher.store.tables import AccountRow, ApiTokenRow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path) -> World:  # type: ignore[no-untyped-def]
    return build_world(Store(f"sqlite:///{tmp_path / 'cache.db'}"))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock()
    monkeypatch.setattr(accounts, "_clock", c)
    accounts.forget_principals()
    yield c
    accounts.forget_principals()


def queries(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def elsewhere(store: Store, sql: str, **params: object) -> None:
    """A write as another process makes it: plain SQL, no ORM session of this process."""
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_a_known_token_is_resolved_without_queries_until_the_ttl(world: World, clock: Clock) -> None:
    token = world.tokens["sme_y"]
    first = accounts.principal_for_token(world.store, token)
    seen = queries(world.store)
    assert accounts.principal_for_token(world.store, token) == first
    assert seen == []
    clock.now += accounts.PRINCIPAL_TTL_SECONDS + 0.01
    assert accounts.principal_for_token(world.store, token) == first
    assert len(seen) >= 2, "after the TTL the token is looked up again"


def test_revocation_in_this_process_works_at_once(world: World, clock: Clock) -> None:
    token = accounts.login(world.store, username="leader_x", password=PASSWORD).plain
    accounts.principal_for_token(world.store, token)
    accounts.revoke(world.store, token)
    with pytest.raises(AuthenticationError, match="已注销"):
        accounts.principal_for_token(world.store, token)


def test_any_committed_token_update_in_this_process_is_seen_at_once(world: World, clock: Clock) -> None:
    token = world.tokens["park_a"]
    accounts.principal_for_token(world.store, token)
    with world.store.session() as s:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        s.execute(update(ApiTokenRow).where(ApiTokenRow.digest == digest(token)).values(expires_at=past))
    with pytest.raises(AuthenticationError, match="已过期"):
        accounts.principal_for_token(world.store, token)


def test_a_rolled_back_change_keeps_the_cache(world: World, clock: Clock) -> None:
    token = world.tokens["sme_z"]
    accounts.principal_for_token(world.store, token)
    seen = queries(world.store)
    with pytest.raises(RuntimeError), world.store.session() as s:
        s.scalar(select(AccountRow).where(AccountRow.username == "sme_z")).active = False
        s.flush()
        raise RuntimeError("abandoned")
    seen.clear()
    assert accounts.principal_for_token(world.store, token).username == "sme_z"
    assert seen == []


def test_revocation_by_another_process_takes_effect_within_the_ttl(world: World, clock: Clock) -> None:
    token = world.tokens["platform"]
    accounts.principal_for_token(world.store, token)
    elsewhere(
        world.store, "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE digest = :d", d=digest(token)
    )
    accounts.principal_for_token(world.store, token)  # still remembered: the other process is not heard
    clock.now += accounts.PRINCIPAL_TTL_SECONDS
    with pytest.raises(AuthenticationError, match="已注销"):
        accounts.principal_for_token(world.store, token)


def test_account_changes_reach_the_principal_at_once(world: World, clock: Clock) -> None:
    token = world.tokens["organizer"]
    before = accounts.principal_for_token(world.store, token)
    assert before.event_ids == frozenset({1})
    with world.store.session() as s:
        events_repo.assign_organizer(s, account_id=before.account_id, event_id=2)
    assert accounts.principal_for_token(world.store, token).event_ids == frozenset({1, 2})
    with world.store.session() as s:
        s.scalar(select(AccountRow).where(AccountRow.id == before.account_id)).active = False
    with pytest.raises(AuthenticationError, match="已注销"):
        accounts.principal_for_token(world.store, token)


def test_an_expiring_session_token_is_refused_when_it_expires(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = accounts.login(world.store, username="sme_y", password=PASSWORD)
    accounts.principal_for_token(world.store, token.plain)
    assert token.expires_at is not None
    monkeypatch.setattr(accounts, "utcnow", lambda: token.expires_at + dt.timedelta(seconds=1))
    with pytest.raises(AuthenticationError, match="已过期"):
        accounts.principal_for_token(world.store, token.plain)


def test_a_lookup_overtaken_by_a_change_is_not_remembered(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = world.tokens["leader_x"]
    original = accounts._principal

    def racing(session, row, **kwargs):  # type: ignore[no-untyped-def]
        found = original(session, row, **kwargs)
        accounts.forget_principals()  # a commit elsewhere in this process lands mid-lookup
        return found

    monkeypatch.setattr(accounts, "_principal", racing)
    accounts.principal_for_token(world.store, token)
    monkeypatch.setattr(accounts, "_principal", original)
    seen = queries(world.store)
    accounts.principal_for_token(world.store, token)
    assert seen, "the overtaken answer was cached"
