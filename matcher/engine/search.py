"""The search-index part of the facade: the persistent index of product and demand vectors follows the store.

``index_check`` reports drift between store and index, ``index_sync`` mends it incrementally (only changed
texts are encoded; the embedding cache under ``settings.cache_dir`` makes re-encoding free), and
``index_rebuild`` starts over. Imports through the engine keep an existing index in step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.engine.registry import RegistryMixin
from matcher.io import ImportReport
from matcher.io.columns import Kind
from matcher.io.importer import ImportProgressFn

if TYPE_CHECKING:
    from matcher.encoders.base import Encoder
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


class SearchMixin(RegistryMixin):
    # The encoder and the open index are made on first use and kept for the engine's life; the index
    # reloads itself when another process committed a newer version.

    def search_encoder(self) -> Encoder:
        """The configured encoder with the embedding cache: the matching part's own when the engine has one
        (one model loaded, one cache), else made here once per engine."""
        shared = getattr(self, "encoder", None)
        if callable(shared):
            return shared()  # type: ignore[no-any-return]
        found: Encoder | None = self.__dict__.get("_search_encoder")
        if found is None:
            from matcher.encoders.factory import get_encoder

            found = get_encoder(self.settings.encoder, cache_dir=self.settings.cache_dir)
            self.__dict__["_search_encoder"] = found
        return found

    def search_index(self) -> SearchIndex:
        """The saved index (empty before the first ``index_sync``), reloaded if another process saved since."""
        from matcher.search import SearchIndex

        index: SearchIndex | None = self.__dict__.get("_search_index")
        if index is None:
            root = index_root(self.store.url, self.settings.index_dir)
            index = SearchIndex.open(self.settings, self.search_encoder(), root=root)
            self.__dict__["_search_index"] = index
        else:
            index.refresh()
        return index

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

    def import_file(
        self,
        path: Path,
        *,
        kind: Kind | None = None,
        encoding: str = "utf-8",
        dry_run: bool = False,
        on_progress: ImportProgressFn | None = None,
    ) -> ImportReport:
        """Validate and import a file in one transaction, then bring an existing search index in step
        (``on_progress`` stage ``"index"``: texts encoded).

        The index follows only once it exists: an import never builds a first index implicitly (that can
        mean encoding the whole registry); run ``matcher index`` once to create it.
        """
        report = super().import_file(
            path, kind=kind, encoding=encoding, dry_run=dry_run, on_progress=on_progress
        )
        from matcher.search import SearchIndex

        if not dry_run and SearchIndex.exists(index_root(self.store.url, self.settings.index_dir)):
            self.index_sync(on_progress=(lambda d, t: on_progress("index", d, t)) if on_progress else None)
        return report
