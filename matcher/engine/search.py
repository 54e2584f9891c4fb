"""The search-index service: the persistent index of product and demand vectors follows the store.

``index_check`` reports drift between store and index, ``index_sync`` mends it incrementally (only changed
texts are encoded; the embedding cache under ``settings.cache_dir`` makes re-encoding free), and
``index_rebuild`` starts over. Imports through the registry service keep an existing index in step
(``follow_import``).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.engine.encoders import Encoders
from matcher.io.importer import ImportProgressFn
from matcher.settings import Settings
from matcher.store import Store

if TYPE_CHECKING:
    from matcher.search import Applied, Drift, ProgressFn, SearchIndex


@dataclass(frozen=True, slots=True)
class IndexStatus:
    """What the saved index holds: per kind (products, demands) its backend and vector count."""

    path: Path
    exists: bool
    version: str | None
    model_id: str
    reset: bool  # the saved index was made by another encoder: a sync re-encodes everything
    backends: dict[str, str]
    vectors: dict[str, int]
    records: dict[str, int]


def index_root(store_url: str, settings_index_dir: Path) -> Path:
    """Where a store's index lives: beside a SQLite file (``matcher.db`` -> ``matcher.index/``), else under
    ``MATCHER_HOME/index/`` in a folder named for the database URL, so two stores never share an index."""
    from sqlalchemy.engine import make_url

    url = make_url(store_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().with_suffix(".index")
    digest = hashlib.sha1(url.render_as_string(hide_password=True).encode("utf-8")).hexdigest()[:12]
    return settings_index_dir / f"{url.get_backend_name()}-{digest}"


class Search:
    """The persistent search index of this engine's store: opened on first use and kept for the engine's
    life; it reloads itself when another process committed a newer version."""

    def __init__(self, store: Store, settings: Settings, encoders: Encoders) -> None:
        self.store = store
        self.settings = settings
        self.encoders = encoders
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None

    def root(self) -> Path:
        return index_root(self.store.url, self.settings.index_dir)

    def search_index(self) -> SearchIndex:
        """The saved index (empty before the first ``index_sync``), reloaded if another process saved since."""
        from matcher.search import SearchIndex

        with self._lock:
            if self._index is None:
                self._index = SearchIndex.open(self.settings, self.encoders.encoder(), root=self.root())
                return self._index
        self._index.refresh()
        return self._index

    def index_status(self) -> IndexStatus:
        from matcher.search.texts import KINDS as kinds

        index = self.search_index()
        return IndexStatus(
            path=index.root,
            exists=index.version is not None,
            version=index.version,
            model_id=index.encoder.model_id,
            reset=index.reset,
            backends={k: index.backend(k) for k in kinds},
            vectors={k: index.held(k) for k in kinds},
            records={k: len(index.fingerprints[k]) for k in kinds},
        )

    def index_check(self) -> Drift:
        """What the index lacks (missing), holds out of date (stale) or holds in vain (orphaned); no writes."""
        return self.search_index().plan(self.store)

    def index_sync(self, *, on_progress: ProgressFn | None = None) -> Applied:
        """Mend the drift incrementally and save; the first call builds the index."""
        return self.search_index().sync(self.store, on_progress=on_progress)

    def index_rebuild(self, *, on_progress: ProgressFn | None = None) -> Applied:
        """Re-encode everything into fresh retrievers (backend chosen for the current size) and save."""
        return self.search_index().rebuild(self.store, on_progress=on_progress)

    def follow_import(self, on_progress: ImportProgressFn | None = None) -> None:
        """After an import: bring the index in step when it exists (``on_progress`` stage ``"index"``).

        An import never builds a first index implicitly (that can mean encoding the whole registry): run
        ``matcher index`` once to create it.
        """
        from matcher.search import SearchIndex

        if SearchIndex.exists(self.root()):
            self.index_sync(on_progress=(lambda d, t: on_progress("index", d, t)) if on_progress else None)

    def fresh_index(self) -> SearchIndex:
        """A new instance over the saved index, for a rebuild that must not disturb searches meanwhile."""
        from matcher.search import SearchIndex

        return SearchIndex.open(self.settings, self.encoders.encoder(), root=self.root())
