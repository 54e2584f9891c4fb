"""The registry store: SQLAlchemy tables, Alembic migrations and keyword-only repository functions."""

from matcher.store.database import Store, StoreError

__all__ = ["Store", "StoreError"]
