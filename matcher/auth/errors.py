"""Errors of identity and access; the API turns them into 401 and 403 with Chinese messages."""

from __future__ import annotations

from matcher.errors import MatcherError


class AuthError(MatcherError):
    """Root of the access errors."""


class AuthenticationError(AuthError):
    """No valid credentials: not logged in, a wrong password, an expired or revoked token (HTTP 401)."""


class RoleForbidden(AuthError):
    """The caller's role may never take this action on this kind of resource (HTTP 403, role_forbidden)."""


class PermissionDenied(AuthError):
    """The role may take the action in general, but not on this record (HTTP 403, forbidden)."""


class LoginThrottled(AuthenticationError):
    """Too many failed log-ins for this account or address: refused for ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"登录失败次数过多，请 {retry_after} 秒后再试（如忘记密码，请联系平台管理员重置）")


class ServerBusy(AuthError):
    """Too many password checks at once (each costs 64 MiB): try again shortly (HTTP 503)."""
