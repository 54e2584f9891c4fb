"""The facade every surface calls (CLI, REST API, notebooks, events): registry reads and writes, matching.

>>> engine = Engine.from_settings()
>>> engine.parks()

The engine owns the store and, lazily, the encoder and the search index; nothing above it touches SQL,
FAISS or a model directly. Writes that change what is searchable keep the index in step.
"""

from __future__ import annotations

from pathlib import Path

from matcher.domain import Park
from matcher.io import ImportReport, import_file
from matcher.io.columns import Kind
from matcher.settings import Settings, get_settings
from matcher.store import Store
from matcher.store import repository as repo


class Engine:
    """One store (and later one index) behind plain Python methods."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or get_settings()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Engine:
        settings = settings or get_settings()
        return cls(Store(settings.resolved_database_url), settings)

    # -- registry ------------------------------------------------------------------------------------

    def parks(self) -> list[tuple[Park, int]]:
        """Every park with its number of enterprises."""
        with self.store.session() as s:
            counts = dict(repo.count_enterprises_by(s, "park"))  # type: ignore[arg-type]
            return [(p, int(counts.get(p.name, 0))) for p in repo.list_parks(s)]

    def enterprises(
        self, *, park: str | None = None, role: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[repo.StoredEnterprise]:
        with self.store.session() as s:
            return repo.list_enterprises(s, park=park, role=role, limit=limit, offset=offset)

    def enterprise(self, id: int) -> repo.StoredEnterprise:
        with self.store.session() as s:
            return repo.get_enterprise(s, id=id)

    def demands(self, *, status: str | None = None, limit: int | None = None) -> list[repo.StoredDemand]:
        with self.store.session() as s:
            return repo.list_demands(s, status=status, limit=limit)

    def demand(self, id: int) -> repo.StoredDemand:
        with self.store.session() as s:
            return repo.get_demand(s, id=id)

    def import_file(self, path: Path, *, kind: Kind | None = None, encoding: str = "utf-8") -> ImportReport:
        """Validate and import a file in one transaction."""
        return import_file(self.store, path, kind=kind, encoding=encoding)
