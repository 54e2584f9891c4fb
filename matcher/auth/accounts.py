"""Accounts and their credentials: create, log in, issue API keys, resolve a token to a Principal.

>>> create_account(store, username="sme1", role=AccountRole.SME_USER, password="…", enterprise="9132…")
>>> token = login(store, username="sme1", password="…").plain
>>> principal_for_token(store, token)

Resolving a token costs 2-4 queries, so the principal is remembered in this process for
``PRINCIPAL_TTL_SECONDS``, keyed by the store and the token's digest. Any committed change that can alter
a principal (accounts, tokens, account-park and account-event links, parks, enterprises), made through an
ORM session of this process, forgets every remembered principal at once (``_watch_changes``); ``revoke``
also forgets them itself. So a revoked token stops working at once in the process that revoked it and
within the TTL in every other process (other server workers, the CLI).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime as dt_datetime
from datetime import timedelta as dt_timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from matcher.auth import passwords
from matcher.auth.errors import AuthenticationError
from matcher.auth.principal import AccountRole, Principal
from matcher.auth.throttle import LoginThrottle
from matcher.auth.tokens import (
    API_KEY_TTL,
    SESSION_PREFIX,
    SESSION_TTL,
    KeyScope,
    NewToken,
    TokenKind,
    digest,
    looks_like_token,
    new_token,
    utcnow,
)
from matcher.errors import NotFoundError, ValidationError
from matcher.settings import get_settings
from matcher.store import Store
from matcher.store.tables import (
    AccountEventRow,
    AccountParkRow,
    AccountRow,
    ApiTokenRow,
    EnterpriseRow,
    ParkRow,
)

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
_ENTERPRISE_ROLES = {AccountRole.LEADING_USER: ("leading",), AccountRole.SME_USER: ("sme", "other")}


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    username: str
    display_name: str
    role: AccountRole
    enterprise: str
    parks: tuple[str, ...]
    active: bool


def bound_enterprise(session: Session, role: AccountRole, uscc: str | None) -> EnterpriseRow | None:
    """The enterprise an account of ``role`` acts for (None for roles without one), checked."""
    if not role.needs_enterprise:
        if uscc:
            raise ValidationError([f"{role.label}不绑定企业（收到 {uscc}）"])
        return None
    row = session.scalar(select(EnterpriseRow).where(EnterpriseRow.uscc == (uscc or "").strip().upper()))
    if row is None:
        raise ValidationError([f"{role.label}须绑定已登记的企业（统一社会信用代码 {uscc or '未填写'}）"])
    if row.role not in _ENTERPRISE_ROLES[role]:
        raise ValidationError([f"企业“{row.name}”的角色为 {row.role}，不能开设{role.label}账号"])
    return row


def bound_parks(session: Session, role: AccountRole, names: Sequence[str]) -> list[int]:
    """The ids of the parks an account of ``role`` serves, checked (creation and ``manage``)."""
    ids = {n: i for i, n in session.execute(select(ParkRow.id, ParkRow.name).where(ParkRow.name.in_(names)))}
    missing = [n for n in names if n not in ids]
    if missing:
        raise ValidationError([f"园区不存在：{'、'.join(missing)}"])
    if role.needs_park and not ids:
        raise ValidationError([f"{role.label}须指定至少一个园区（--park）"])
    if names and not role.serves_parks:
        raise ValidationError([f"{role.label}不绑定园区"])
    return list(ids.values())


def create_account(
    store: Store,
    *,
    username: str,
    role: AccountRole,
    password: str | None,
    display_name: str = "",
    enterprise: str | None = None,
    parks: Sequence[str] = (),
    event_ids: Sequence[int] = (),
) -> int:
    """Create an account (``password`` None: a system account that only uses API keys); return its id."""
    if not USERNAME.match(username):
        raise ValidationError([f"用户名“{username}”无效：3-64 个字母、数字或 _ . @ -"])
    hashed = passwords.hash_password(password) if password is not None else None
    with store.session() as s:
        if s.scalar(select(AccountRow.id).where(AccountRow.username == username)) is not None:
            raise ValidationError([f"用户名“{username}”已存在"])
        firm = bound_enterprise(s, role, enterprise)
        park_ids = bound_parks(s, role, parks)
        row = AccountRow(
            username=username,
            display_name=display_name or (firm.name if firm else username),
            password_hash=hashed,
            role=role.value,
            enterprise_id=firm.id if firm else None,
            active=True,
        )
        s.add(row)
        s.flush()
        s.add_all(AccountParkRow(account_id=row.id, park_id=p) for p in park_ids)
        s.add_all(AccountEventRow(account_id=row.id, event_id=e) for e in set(event_ids))
        return row.id


def _issue(
    session: Session,
    account_id: int,
    kind: TokenKind,
    name: str = "",
    *,
    ttl: dt_timedelta | None = SESSION_TTL,
    scope: KeyScope = KeyScope.WRITE,
) -> NewToken:
    token = new_token(kind, ttl=ttl)
    session.add(
        ApiTokenRow(
            account_id=account_id,
            digest=token.digest,
            kind=kind.value,
            name=name,
            expires_at=token.expires_at,
            scope=scope.value,
        )
    )
    return token


def _throttle(store: Store) -> LoginThrottle:
    settings = get_settings()
    return LoginThrottle(
        store,
        limit=settings.login_max_failures,
        address_limit=settings.login_max_address_failures,
        base=settings.login_lockout_seconds,
    )


def login(store: Store, *, username: str, password: str, address: str = "") -> NewToken:
    """A new session token for a correct user name and password; one vague error otherwise.

    ``address`` (the client's) and the user name are throttled (``matcher.auth.throttle``): while either
    is locked, ``LoginThrottled`` is raised before any password is checked."""
    username = username[:64]
    throttle = _throttle(store)
    throttle.check(username, address)
    with store.session() as s:
        row = s.scalar(select(AccountRow).where(AccountRow.username == username))
        ok = passwords.verify_password(row.password_hash if row else None, password)
        if row is None or not ok or not row.active:
            throttle.failed(username, address)
            raise AuthenticationError("用户名或密码错误")
        throttle.succeeded(username)
        if row.password_hash and passwords.needs_rehash(row.password_hash):
            row.password_hash = passwords.hash_password(password)
        return _issue(s, row.id, TokenKind.SESSION)


def issue_api_key(
    store: Store,
    *,
    username: str,
    name: str,
    scope: KeyScope = KeyScope.READ,
    ttl: dt_timedelta | None = API_KEY_TTL,
) -> NewToken:
    """A key for a system acting as ``username``, limited to ``scope``, expiring after ``ttl`` (None: a
    key without expiry, issued so on purpose); shown once, revocable."""
    with store.session() as s:
        account_id = s.scalar(select(AccountRow.id).where(AccountRow.username == username))
        if account_id is None:
            raise NotFoundError(f"账号“{username}”不存在")
        return _issue(s, account_id, TokenKind.API_KEY, name[:100], ttl=ttl, scope=scope)


def revoke(store: Store, plain: str) -> None:
    with store.session() as s:
        s.execute(update(ApiTokenRow).where(ApiTokenRow.digest == digest(plain)).values(revoked_at=utcnow()))
    forget_principals()  # also done by the commit hook; said here because revocation depends on it


def _principal(session: Session, row: AccountRow, *, read_only: bool = False) -> Principal:
    parks = frozenset(
        session.scalars(select(AccountParkRow.park_id).where(AccountParkRow.account_id == row.id))
    )
    if row.enterprise_id is not None:
        park = session.scalar(select(EnterpriseRow.park_id).where(EnterpriseRow.id == row.enterprise_id))
        parks = frozenset({park}) if park is not None else frozenset()
    events = session.scalars(select(AccountEventRow.event_id).where(AccountEventRow.account_id == row.id))
    names = session.scalars(select(ParkRow.name).where(ParkRow.id.in_(parks)).order_by(ParkRow.id))
    return Principal(
        account_id=row.id,
        role=AccountRole(row.role),
        username=row.username,
        display_name=row.display_name,
        park_ids=parks,
        park_names=tuple(names),
        enterprise_id=row.enterprise_id,
        event_ids=frozenset(events),
        read_only=read_only,
    )


def principal_for_token(store: Store, plain: str, *, sessions_only: bool = False) -> Principal:
    """The caller behind a token; AuthenticationError when it is unknown, expired, revoked or disabled.

    ``sessions_only``: only a log-in session is accepted (the web app's cookie: an API key there would
    turn a system's credential into a browser session)."""
    if not looks_like_token(plain) or (sessions_only and not plain.startswith(SESSION_PREFIX)):
        raise AuthenticationError("令牌无效，请重新登录")
    key = (store.url, digest(plain))
    cached = _remembered(key)
    if cached is not None:
        _check_expiry(cached.expires_at)
        return cached.principal
    generation = _cache.generation
    with store.session() as s:
        found = s.execute(
            select(ApiTokenRow, AccountRow)
            .join(AccountRow, ApiTokenRow.account_id == AccountRow.id)
            .where(ApiTokenRow.digest == key[1])
        ).first()
        if found is None or found[0].revoked_at is not None or not found[1].active:
            raise AuthenticationError("令牌无效或已注销，请重新登录")
        expires = found[0].expires_at
        _check_expiry(expires)
        read_only = found[0].kind == TokenKind.API_KEY.value and found[0].scope == KeyScope.READ.value
        principal = _principal(s, found[1], read_only=read_only)
    _remember(key, _Cached(principal, expires, _clock() + PRINCIPAL_TTL_SECONDS), generation)
    return principal


def _check_expiry(expires: dt_datetime | None) -> None:
    if expires is not None and _aware(expires) <= utcnow():
        raise AuthenticationError("登录已过期，请重新登录")


# -- the principal cache ---------------------------------------------------------------------------

PRINCIPAL_TTL_SECONDS = 2.0  # how long another process's revocation or account change may go unseen
PRINCIPAL_CACHE_SIZE = 10_000
_clock = time.monotonic
# Tables whose changes can alter a principal or a token's validity.
_WATCHED = frozenset(
    {AccountRow.__table__, AccountParkRow.__table__, AccountEventRow.__table__, ApiTokenRow.__table__}
    | {ParkRow.__table__, EnterpriseRow.__table__}
)


@dataclass(frozen=True, slots=True)
class _Cached:
    principal: Principal
    expires_at: dt_datetime | None  # the token's own expiry, checked on every use
    until: float  # ``_clock()`` time after which the database is asked again


class _PrincipalCache:
    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[str, str], _Cached] = OrderedDict()
        self.lock = threading.Lock()
        self.generation = 0  # bumped by every forget: a lookup that began before one is not stored


_cache = _PrincipalCache()


def _remembered(key: tuple[str, str]) -> _Cached | None:
    with _cache.lock:
        found = _cache.entries.get(key)
        if found is None:
            return None
        if found.until <= _clock():
            del _cache.entries[key]
            return None
        return found


def _remember(key: tuple[str, str], entry: _Cached, generation: int) -> None:
    with _cache.lock:
        if generation != _cache.generation:
            return  # something changed while the database was read: the answer may be stale
        _cache.entries[key] = entry
        while len(_cache.entries) > PRINCIPAL_CACHE_SIZE:
            _cache.entries.popitem(last=False)


def forget_principals() -> None:
    """Forget every remembered principal of this process (after a change to accounts or tokens)."""
    with _cache.lock:
        _cache.entries.clear()
        _cache.generation += 1


def _touches_watched(session: Session) -> bool:
    changed = (*session.new, *session.dirty, *session.deleted)
    return any(getattr(type(obj), "__table__", None) in _WATCHED for obj in changed)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    if _touches_watched(session):
        session.info["principals_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_change(state: ORMExecuteState) -> None:
    """Bulk ``insert()`` / ``update()`` / ``delete()`` statements (``revoke`` uses one) bypass the flush."""
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is None or mapper.local_table in _WATCHED:
            state.session.info["principals_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop("principals_changed", False):
        forget_principals()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("principals_changed", None)


def _aware(value: dt_datetime) -> dt_datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def list_accounts(store: Store) -> list[AccountInfo]:
    with store.session() as s:
        rows = s.scalars(select(AccountRow).order_by(AccountRow.id)).all()
        names = dict(s.execute(select(ParkRow.id, ParkRow.name)).all())
        firms = dict(s.execute(select(EnterpriseRow.id, EnterpriseRow.name)).all())
        links = s.execute(select(AccountParkRow.account_id, AccountParkRow.park_id)).all()
        return [
            AccountInfo(
                r.id,
                r.username,
                r.display_name,
                AccountRole(r.role),
                firms.get(r.enterprise_id, "") if r.enterprise_id else "",
                tuple(names[p] for a, p in links if a == r.id),
                r.active,
            )
            for r in rows
        ]


def account_exists(store: Store, username: str) -> bool:
    with store.session() as s:
        return s.scalar(select(AccountRow.id).where(AccountRow.username == username)) is not None
