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
