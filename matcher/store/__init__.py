"""The registry store: SQLAlchemy tables, Alembic migrations and keyword-only repository functions."""

from matcher.store import changes as _changes  # noqa: F401  (registers the change log's flush hook)
from matcher.store.database import Store, StoreError

__all__ = ["Store", "StoreError"]
