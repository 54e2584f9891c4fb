"""The project's exception tree: every error the engine raises on purpose derives from MatcherError.

Messages are Chinese first, say what was wrong, and where possible what to do about it.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Root of matcher's own errors."""


class SettingsError(MatcherError):
    """A setting has a value matcher cannot use."""


class ValidationError(MatcherError):
    """Input data broke a rule; ``problems`` holds one Chinese message per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NotFoundError(MatcherError):
    """A park, enterprise, demand or other record does not exist."""


class ConflictError(MatcherError):
    """A write based on an older version of a record than the stored one (someone changed it meanwhile)."""


class ImportRefusedError(ValidationError):
    """A whole import file was refused; nothing was written."""


class IndexError_(MatcherError):
    """The search index is missing, corrupt or out of step with the store."""
