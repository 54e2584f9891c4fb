"""Identity and access: accounts, tokens, the Principal of a request and the Policy that scopes it.

``matcher.auth.policy`` is the one place that decides who may see or change what; ``scoping`` gives the
same rules as SQL filters; ``accounts`` creates accounts and resolves tokens; ``manage`` administers
them (roles, disabling, passwords, API keys); ``throttle`` slows password guessing; ``audit`` records
writes and sensitive reads.
"""

from matcher.auth.errors import AuthenticationError, AuthError, PermissionDenied, RoleForbidden
from matcher.auth.policy import Access, Action, Resource
from matcher.auth.principal import AccountRole, Principal

__all__ = [
    "Access",
    "AccountRole",
    "Action",
    "AuthError",
    "AuthenticationError",
    "PermissionDenied",
    "Principal",
    "Resource",
    "RoleForbidden",
]
