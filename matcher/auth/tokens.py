"""Opaque bearer tokens: random, shown once, stored only as a SHA-256 digest.

Session tokens (``mt_``) expire after ``SESSION_TTL``; API keys for systems (``mk_``) after
``API_KEY_TTL`` unless issued without expiry on purpose, and carry a ``KeyScope``. A digest of a
256-bit random value needs no salt or slow hash: it cannot be guessed, only stolen, and a stolen
database then yields no usable token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum
from typing import NamedTuple

SESSION_TTL = dt.timedelta(hours=12)
API_KEY_TTL = dt.timedelta(days=90)
MAX_TOKEN_LENGTH = 200


class TokenKind(StrEnum):
    SESSION = "session"
    API_KEY = "api_key"


class KeyScope(StrEnum):
    """What an API key may do: ``read`` only reading routes (GET, and queries sent as POST), ``write`` all
    its account may. Session tokens are always ``write``."""

    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return {"read": "只读", "write": "读写"}[self.value]


_PREFIX = {TokenKind.SESSION: "mt_", TokenKind.API_KEY: "mk_"}
SESSION_PREFIX = _PREFIX[TokenKind.SESSION]


class NewToken(NamedTuple):
    plain: str  # give to the caller once
    digest: str  # store this
    expires_at: dt.datetime | None


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()


def new_token(
    kind: TokenKind, *, now: dt.datetime | None = None, ttl: dt.timedelta | None = SESSION_TTL
) -> NewToken:
    """A fresh token expiring ``ttl`` from ``now`` (None: never, for API keys issued so on purpose)."""
    plain = _PREFIX[kind] + secrets.token_urlsafe(32)
    now = now or utcnow()
    return NewToken(plain, digest(plain), None if ttl is None else now + ttl)


def looks_like_token(value: str) -> bool:
    """Cheap shape check before touching the database."""
    return 10 < len(value) <= MAX_TOKEN_LENGTH and value[:3] in _PREFIX.values() and value.isascii()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
