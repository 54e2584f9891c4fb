"""Account administration: change an account's role and scope, disable and enable it, reset or change its
password, list and revoke its API keys. Platform admins reach these through the CLI, the API and the web
pages; every change commits in one transaction and forgets remembered principals (``accounts``).

>>> set_active(store, username="sme1", active=False)   # its sessions end at once
>>> reset_password(store, username="sme1", password="新的-密码-2026")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from matcher.auth import passwords
from matcher.auth.accounts import AccountInfo, bound_enterprise, bound_parks, list_accounts
from matcher.auth.principal import AccountRole
from matcher.auth.tokens import KeyScope, TokenKind, digest, utcnow
from matcher.errors import NotFoundError, ValidationError
from matcher.store import Store
from matcher.store.tables import AccountParkRow, AccountRow, ApiTokenRow, EnterpriseRow, ParkRow


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """An API key as admins see it (never its secret)."""

    id: int
    username: str
    name: str
    scope: KeyScope
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "已过期"
        return "有效"


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _aware(value)


def _row(session: Session, username: str) -> AccountRow:
    row = session.scalar(select(AccountRow).where(AccountRow.username == username))
    if row is None:
        raise NotFoundError(f"账号“{username}”不存在")
    return row


def account(store: Store, username: str) -> AccountInfo:
    found = next((a for a in list_accounts(store) if a.username == username), None)
    if found is None:
        raise NotFoundError(f"账号“{username}”不存在")
    return found


def _end_sessions(session: Session, account_id: int, *, keep: str | None = None) -> None:
    query = update(ApiTokenRow).where(
        ApiTokenRow.account_id == account_id,
        ApiTokenRow.kind == TokenKind.SESSION.value,
        ApiTokenRow.revoked_at.is_(None),
    )
    if keep is not None:
        query = query.where(ApiTokenRow.digest != digest(keep))
    session.execute(query.values(revoked_at=utcnow()))


def update_account(
    store: Store,
    *,
    username: str,
    role: AccountRole | None = None,
    enterprise: str | None = None,
    parks: Sequence[str] | None = None,
    display_name: str | None = None,
) -> None:
    """Change the role and what it is bound to (the enterprise, or the parks), checked as on creation."""
    with store.session() as s:
        row = _row(s, username)
        new_role = role or AccountRole(row.role)
        current = list(s.scalars(select(AccountParkRow.park_id).where(AccountParkRow.account_id == row.id)))
        if role is not None or enterprise is not None:  # a role change keeps only bindings the role has
            uscc = enterprise if enterprise is not None else _uscc_of(s, row) if new_role.needs_enterprise else None
            firm = bound_enterprise(s, new_role, uscc)
            row.enterprise_id = firm.id if firm else None
        if parks is not None or role is not None:
            kept: list[str] = []
            if new_role.serves_parks:
                kept = list(s.scalars(select(ParkRow.name).where(ParkRow.id.in_(current))))
            ids = bound_parks(s, new_role, list(parks) if parks is not None else kept)
            s.execute(delete(AccountParkRow).where(AccountParkRow.account_id == row.id))
            s.add_all(AccountParkRow(account_id=row.id, park_id=p) for p in ids)
        row.role = new_role.value
        if display_name is not None:
            row.display_name = display_name.strip()[:100] or row.display_name


def _uscc_of(session: Session, row: AccountRow) -> str | None:
    if row.enterprise_id is None:
        return None
    return session.scalar(select(EnterpriseRow.uscc).where(EnterpriseRow.id == row.enterprise_id))


def set_active(store: Store, *, username: str, active: bool) -> None:
    """Disable (every session and key stops at once; sessions are ended) or enable an account."""
    with store.session() as s:
        row = _row(s, username)
        row.active = active
        if not active:
            _end_sessions(s, row.id)


def reset_password(store: Store, *, username: str, password: str) -> None:
    """An admin sets a new password (checked by the policy); the account's sessions end."""
    hashed = passwords.hash_password(password)
    with store.session() as s:
        row = _row(s, username)
        if row.password_hash is None:
            raise ValidationError([f"账号“{username}”是系统账号，只用 API 密钥，不设密码"])
        row.password_hash = hashed
        _end_sessions(s, row.id)


def change_password(store: Store, *, username: str, current: str, new: str, keep: str | None = None) -> None:
    """A user changes their own password; their other sessions end (``keep``: the one in use)."""
    with store.session() as s:
        row = _row(s, username)
        if not passwords.verify_password(row.password_hash, current):
            raise ValidationError(["当前密码不正确"])
        if new == current:
            raise ValidationError(["新密码不能与当前密码相同"])
        row.password_hash = passwords.hash_password(new)
        _end_sessions(s, row.id, keep=keep)


def list_keys(store: Store, *, username: str | None = None) -> list[KeyInfo]:
    """API keys (of one account, or all), newest first."""
    with store.session() as s:
        query = (
            select(ApiTokenRow, AccountRow.username)
            .join(AccountRow, ApiTokenRow.account_id == AccountRow.id)
            .where(ApiTokenRow.kind == TokenKind.API_KEY.value)
            .order_by(ApiTokenRow.id.desc())
        )
        if username is not None:
            query = query.where(AccountRow.username == username)
        return [
            KeyInfo(
                t.id,
                name,
                t.name,
                KeyScope(t.scope),
                _aware(t.created_at),
                _utc(t.expires_at),
                _utc(t.revoked_at),
            )
            for t, name in s.execute(query)
        ]


def revoke_key(store: Store, *, key_id: int) -> KeyInfo:
    """Revoke an API key by its number (it stops working at once); revoking twice is harmless."""
    with store.session() as s:
        row = s.get(ApiTokenRow, key_id)
        if row is None or row.kind != TokenKind.API_KEY.value:
            raise NotFoundError(f"API 密钥不存在（编号 {key_id}）")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
    return next(k for k in list_keys(store) if k.id == key_id)
