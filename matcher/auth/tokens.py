"""Opaque bearer tokens: random, shown once, stored only as a SHA-256 digest.

Session tokens (``mt_``) expire; API keys for systems (``mk_``) last until revoked. A digest of a
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
MAX_TOKEN_LENGTH = 200


class TokenKind(StrEnum):
    SESSION = "session"
    API_KEY = "api_key"


_PREFIX = {TokenKind.SESSION: "mt_", TokenKind.API_KEY: "mk_"}


class NewToken(NamedTuple):
    plain: str  # give to the caller once
    digest: str  # store this
    expires_at: dt.datetime | None


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()


def new_token(
    kind: TokenKind, *, now: dt.datetime | None = None, ttl: dt.timedelta = SESSION_TTL
) -> NewToken:
    plain = _PREFIX[kind] + secrets.token_urlsafe(32)
    now = now or utcnow()
    expires = now + ttl if kind is TokenKind.SESSION else None
    return NewToken(plain, digest(plain), expires)


def looks_like_token(value: str) -> bool:
    """Cheap shape check before touching the database."""
    return 10 < len(value) <= MAX_TOKEN_LENGTH and value[:3] in _PREFIX.values() and value.isascii()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
