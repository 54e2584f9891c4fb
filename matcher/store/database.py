"""The store: one SQLAlchemy engine on SQLite (default, a file created on first use) or PostgreSQL.

>>> store = Store("sqlite:///:memory:")
>>> with store.session() as s:
...     ...

``Store(url)`` migrates the schema to the newest Alembic revision when it opens, so a fresh path just works.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import MatcherError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration; a test checks it against the scripts. Opening a store already at this revision
# skips Alembic entirely (its import alone costs a second of CLI start-up).
HEAD_REVISION = "0013"  # chain: ... 0006 -> 0009 -> 0008 -> 0007 -> 0010 -> 0011 -> 0012 -> 0013 (ids assigned per change, the chain is linear)


class StoreError(MatcherError):
    """The database cannot be opened or migrated."""


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # the server answers from a thread pool: keep enough connections open that requests do not
        # open and close a fresh one (and re-run the pragmas) whenever more than five run at once
        pool = {"pool_size": 20, "max_overflow": 20} if database and database != ":memory:" else {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)  # type: ignore[arg-type]

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Owns the engine and hands out sessions; every ``session()`` block is one transaction."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        try:
            if self.current_revision() == HEAD_REVISION:
                return
            from alembic import command

            with self.engine.begin() as conn:
                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise StoreError(f"无法打开数据库 {self.safe_url}：{exc.orig}") from exc

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    @staticmethod
    def head_revision() -> str | None:
        """The newest revision among the migration scripts (asks Alembic)."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
