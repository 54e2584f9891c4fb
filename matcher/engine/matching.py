"""The matching service: suppliers for a demand, buyers and demands for an SME, with reasons.

The pool is every registered enterprise; ``MatchCore`` (``matcher.ranking``) scores it whole, hard
constraints mask it before the top-k is taken (so the top-k is filled from the eligible set whenever
enough candidates qualify), and soft boosts (same park, same region, chain adjacency from the chain
templates) are added as named terms whose weights come from settings.

Per query the work is kept off the pool's size where it can be: eligibility and boosts are array
operations over codes computed once per pool, the top-k is selected without sorting the pool, the
whole-text channel is computed only for companies that can still reach the top (``MatchCore.top_suppliers``,
exact), and recent searches are remembered per pool.

The pool follows the registry by enterprise id, never by refitting it on a query's path: every write of an
enterprise is logged in the store (``matcher.store.changes``), each worker reads the log at most every
``settings.pool_poll_seconds`` (its own edits at once: the publishing service calls
``Matching.registry_changed``) and applies what changed to its pool (other workers' changes in a background
thread from ``settings.pool_background_refit`` enterprises on, queries answering meanwhile): the full fit
stays as the main part, the changed enterprises are fitted apart in a small delta on the main part's scale
and their old rows are dead (``matcher.ranking.layered``), so an edit shows within a second whatever the
registry's size. When the delta outgrows ``settings.pool_delta_limit``, or the registry moved without a
logged change (checked every ``settings.pool_recheck_seconds``), a full refit runs in a background thread
from ``settings.pool_background_refit`` enterprises on (on the spot below), queries are answered from the
current pool meanwhile, and the new pool is swapped in whole with the changes made during its fit applied.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import networkx as nx
import numpy as np

from matcher.auth import policy, scoping
from matcher.auth.principal import Principal
from matcher.domain import Demand, DemandStatus, Enterprise, Role
from matcher.engine.encoders import Encoders
from matcher.engine.registry import Registry
from matcher.engine.snapshot import Snapshot, load_snapshot, logged_at, save_snapshot, snapshot_dir
from matcher.errors import MatcherError
from matcher.graph.adjacency import link_index, links_made, upstream_links
from matcher.graph.linking import LinkIndex
from matcher.graph.templates import templates_graph
from matcher.learning import store_labels
from matcher.learning.use import learned_order
from matcher.ranking.constraints import (
    Constraints,
    Eligibility,
    Part,
    Removed,
    ValueCodes,
    removed_by,
    requirement_checks,
)
from matcher.ranking.explain import Reason, Requirement, buyer_reason, explain_requirements, supplier_reason
from matcher.ranking.layered import LayeredCore, delta_core
from matcher.ranking.records import Packed, Records, decode
from matcher.ranking.relevance import BUYER_EVIDENCE, SUPPLIER_EVIDENCE, dense_baseline, points, relevance
from matcher.ranking.scoring import top_k
from matcher.settings import Settings
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.changes import Changes, changes_since, newest_change
from matcher.text.profiles import ProfileDoc, demand_profile

if TYPE_CHECKING:
    from matcher.events.model import Event
    from matcher.events.shortlists import ScorePair
    from matcher.learning.train import TrainReport
    from matcher.ranking.core import MatchCore, Ranking, TopSuppliers

log = logging.getLogger(__name__)
Terms = dict[str, tuple[float, np.ndarray]]
# Supplier scoring is CPU-bound Python and NumPy: more threads of one process than this only take turns
# at the interpreter lock, and under a backlog the turn-taking itself (every NumPy call hands the lock
# over) doubled the CPU per query at 200 req/s. Waiting threads sleep on this semaphore instead.
SCORING_THREADS = 1
_SCORING = threading.BoundedSemaphore(SCORING_THREADS)


class SupplierMatch(NamedTuple):
    """A candidate supplier: who, how well (0-100), through which product and line item, and why.

    ``relevance`` is the evidence of the match alone (``matcher.ranking.relevance``); ``score`` adds the
    soft boosts as points (capped at 100); the list keeps the fused ranking's order. ``reason`` is the plain sentence,
    ``details`` the channel numbers behind it, ``explanation`` the sentence with boosts and requirements.
    """

    enterprise_id: int
    name: str
    park: str
    score: float
    relevance: float
    product: str
    item: str
    channels: dict[str, float]
    boosts: dict[str, float]
    requirements: list[Requirement]
    reason: str
    details: str
    explanation: str


def candidate_features(m: SupplierMatch) -> dict[str, float]:
    """A candidate's named features for the learned ranker: channel values, boosts, the hand-set score."""
    return {**m.channels, **{f"boost:{k}": v for k, v in m.boosts.items()}, "score": m.score}


class DemandMatch(NamedTuple):
    """An open demand an SME could answer (score 0-100); ``reciprocal`` (0-100) is high when both sides
    rank each other high."""

    demand_id: int
    code: str
    title: str
    publisher: str
    score: float
    reciprocal: float
    requirements: list[Requirement]
    reason: str
    details: str
    explanation: str


class BuyerMatch(NamedTuple):
    """A leading firm whose products need what the SME makes (score 0-100)."""

    enterprise_id: int
    name: str
    park: str
    score: float
    product: str
    channels: dict[str, float]
    reason: str
    details: str
    explanation: str


class SupplierSearch(NamedTuple):
    """The shown suppliers, the items the demand was read as, and what kept others off the list.

    ``hidden``: firms of the top k below the relevance ``floor``; ``removed``: per relaxable constraint,
    how many firms relevant enough to be listed it kept out; ``relaxed``: the constraints dropped on
    request for this search.
    """

    matches: list[SupplierMatch]
    items: tuple[str, ...]
    eligible: int
    pool: int
    constraints: Constraints
    cached: bool = False  # answered from the pool's memory of recent searches
    floor: float = 0.0
    hidden: int = 0
    removed: tuple[Removed, ...] = ()
    relaxed: tuple[Part, ...] = ()

    @property
    def notice(self) -> str:
        """What kept firms off the list, in Chinese ("" when nothing did)."""
        parts = [r.message for r in self.removed]
        if self.matches and self.hidden:
            parts.append(f"另有 {self.hidden} 家企业相关度低于 {self.floor:g}，未列出")
        elif self.hidden:
            parts.append(
                f"前列 {self.hidden} 家企业的相关度均低于 {self.floor:g}：未找到主营所需产品的企业，未列出候选"
            )
        elif not self.eligible:
            parts.append("没有企业满足全部硬性条件")
        return "；".join(parts)


class Recommendations(NamedTuple):
    buyers: list[BuyerMatch]
    demands: list[DemandMatch]
    items: tuple[str, ...]


class MainPart(NamedTuple):
    """What a full fit made, kept while changes are applied on top of it by id (``Pool.updated``)."""

    ids: list[int]
    records: Records
    core: MatchCore
    links: list[set[str]]
    positions: dict[int, int]
    baseline: float
    eligibility: Eligibility
    provinces: ValueCodes
    link_members: dict[str, np.ndarray]


@dataclass
class Pool:
    """The registry as the matcher sees it: ids and records in ``core``'s order, and the fitted core.

    ``core`` is the full fit (``main``) with the enterprises changed since then in a small delta part and
    the main rows they replace dead (``matcher.ranking.layered``): positions of dead rows stay in ``ids``
    and ``records`` but in neither ``positions`` nor any result. ``cursor``: the newest registry change
    (``matcher.store.changes``) the pool includes.

    Per-pool facts that every query needs (positions by id, coded parks, provinces and constraint facts,
    which enterprises make each chain link) are computed once here, and supplier rankings of a text are
    cached: recommendations and event shortlists rank every open demand, and the same demands come back
    on every call until the registry (and so the pool) changes. Supplier searches (the top k with
    explanations) are remembered too, keyed by everything they depend on.
    """

    fingerprint: tuple[int, int, str]  # enterprises: count, newest id, newest updated_at
    ids: list[int]
    records: Records
    core: LayeredCore
    links: list[set[str]] = field(default_factory=list)  # chain template links each enterprise makes
    cache_size: int = 512
    search_cache_size: int = 2048
    cursor: int = 0
    main: MainPart | None = None  # None: ``core`` has no delta, the pool is its own main part
    changed: dict[int, Enterprise] = field(default_factory=dict)  # the delta's enterprises by id
    removed: frozenset[int] = frozenset()  # enterprises of the main part deleted since the fit

    def __post_init__(self) -> None:
        self.generation = 0  # the engine's count of its own registry edits when the fit began
        if self.main is None:
            self.positions = {eid: i for i, eid in enumerate(self.ids)}
            self.eligibility = Eligibility.build(self.ids, self.records)
            self.provinces = ValueCodes(self.records.provinces)
            self.link_members = _members(self.links)
            features = self.core.supplier_
            baseline = dense_baseline(  # what unrelated product names score under this encoder
                features.table.distinct_names,
                features.names_vec,
                self.core.query_encoder or self.core.encoder,
            )
            self.main = MainPart(
                self.ids,
                self.records,
                self.core.main,
                self.links,
                dict(self.positions),
                baseline,
                self.eligibility,
                self.provinces,
                self.link_members,
            )
        else:  # the main part's facts with the delta's appended: an update costs what the delta costs
            main, n = self.main, len(self.main.ids)
            delta_ids = self.ids[n:]
            self.positions = dict(main.positions)
            for eid in (*self.changed, *self.removed):
                self.positions.pop(eid, None)
            self.positions.update((eid, n + j) for j, eid in enumerate(delta_ids))
            r = self.records
            self.eligibility = main.eligibility.extended(
                delta_ids, r.roles[n:], r.parks[n:], r.places[n:], r.certifications[n:]
            )
            self.provinces = main.provinces.extended([place[0] for place in r.places[n:]])
            self.link_members = dict(main.link_members)
            for link, where in _members(self.links[n:]).items():
                self.link_members[link] = np.concatenate([main.link_members.get(link, where[:0]), where + n])
        self.parks = self.eligibility.parks
        self.baseline = self.main.baseline
        self.checked = self.polled = time.monotonic()
        self._rankings: OrderedDict[str, Ranking] = OrderedDict()
        self._searches: OrderedDict[tuple[object, ...], SupplierSearch] = OrderedDict()
        self._lock = threading.Lock()
        self.searches = self.search_hits = 0

    def index_of(self, enterprise_id: int) -> int:
        return self.positions[enterprise_id]

    def name_of(self, enterprise_id: int) -> str:
        """The enterprise's name ("" when it is not in the pool)."""
        i = self.positions.get(enterprise_id)
        return "" if i is None else self.records.names[i]

    @property
    def size(self) -> int:
        """How many enterprises the pool holds (its dead rows not counted)."""
        return len(self.positions)

    @property
    def delta_size(self) -> int:
        """How many enterprises were changed or removed since the full fit."""
        return len(self.changed) + len(self.removed)

    def eligible(self, c: Constraints) -> np.ndarray:
        """The live enterprises that meet ``c``."""
        return self.eligibility.mask(c) & self.core.live

    def updated(
        self,
        stored: Sequence[repo.StoredEnterprise],
        gone: set[int],
        cursor: int,
        fingerprint: tuple[int, int, str],
    ) -> Pool:
        """A new pool with ``stored`` enterprises added or replaced and ``gone`` removed, by id, on this
        pool's main part: the main core is reused as fitted, only the delta is fitted (in seconds or less)."""
        main = self.main
        assert main is not None
        changed = {**self.changed, **{e.id: e.record for e in stored}}
        for eid in gone:
            changed.pop(eid, None)
        removed = (self.removed | gone) & main.positions.keys()
        delta_ids = sorted(changed)
        shelved = _shelve([changed[i] for i in delta_ids], None)
        dead = np.zeros(len(main.ids), dtype=bool)
        dead[[main.positions[i] for i in (*delta_ids, *removed) if i in main.positions]] = True
        delta = delta_core(main.core, shelved.docs) if delta_ids else None
        pool = Pool(
            fingerprint,
            main.ids + delta_ids,
            main.records + shelved.records,
            LayeredCore(main.core, delta, dead),
            main.links + shelved.links,
            self.cache_size,
            self.search_cache_size,
            cursor,
            main,
            changed,
            frozenset(removed),
        )
        pool.generation = self.generation
        return pool

    def live_scores(self, scores: np.ndarray) -> np.ndarray:
        """``scores`` with dead rows not a number (``percentile`` leaves them out)."""
        return scores if not self.core.layered else np.where(self.core.live, scores, np.nan)

    def rank_suppliers(self, text: str) -> Ranking:
        """``core.rank_suppliers(text)``, remembered for the pool's life (least recently used dropped)."""
        with self._lock:
            if text in self._rankings:
                self._rankings.move_to_end(text)
                return self._rankings[text]
        ranking = self.core.rank_suppliers(text)
        with self._lock:
            self._rankings[text] = ranking
            while len(self._rankings) > self.cache_size:
                self._rankings.popitem(last=False)
        return ranking

    def remembered(self, key: tuple[object, ...]) -> SupplierSearch | None:
        """A supplier search answered before on this pool, counted as a hit or a miss."""
        with self._lock:
            self.searches += 1
            found = self._searches.get(key)
            if found is not None:
                self.search_hits += 1
                self._searches.move_to_end(key)
            return found

    def remember(self, key: tuple[object, ...], search: SupplierSearch) -> None:
        with self._lock:
            self._searches[key] = search
            while len(self._searches) > self.search_cache_size:
                self._searches.popitem(last=False)

    def matched_item(self, product: str, items: Sequence[str]) -> str:
        """The one of ``items`` that ``product`` answers, by character similarity; "" when none shares any.

        A single item is the answer whatever the channel; among several, one is named only when the
        product shares characters with it, so a reason never attributes a match to the wrong line item.
        """
        if len(items) <= 1 or not product:
            return items[0] if items else ""
        rows = self.core.supplier_.lexical.transform([product, *items])
        sims = np.asarray((rows[1:] @ rows[0].T).todense()).ravel()
        return items[int(np.argmax(sims))] if sims.max() > 0 else ""

    def supplier_reason(
        self, product: str, items: Sequence[str], channels: dict[str, float], who: str = "对方"
    ) -> tuple[float, Reason]:
        """The 0-100 relevance of a supplier match and its reason, both from the same channel values."""
        item = self.matched_item(product, items)
        reason = supplier_reason(items, item, product, channels, self.baseline, who=who)
        return relevance(channels, self.baseline, SUPPLIER_EVIDENCE), reason

    def chain_mask(self, wanted: set[str]) -> np.ndarray:
        """Which enterprises make at least one of the ``wanted`` chain links."""
        mask = np.zeros(len(self.ids), dtype=bool)
        hits = [self.link_members[link] for link in wanted if link in self.link_members]
        if hits:
            mask[np.concatenate(hits)] = True
        return mask


def _members(links: list[set[str]]) -> dict[str, np.ndarray]:
    """Chain link -> positions of the enterprises that make it."""
    out: dict[str, list[int]] = {}
    for i, made in enumerate(links):
        for link in made:
            out.setdefault(link, []).append(i)
    return {link: np.asarray(where, dtype=np.int64) for link, where in out.items()}


TRIM_SECONDS = 10.0  # at most one heap trim per worker this often (a trim walks the heap's free chunks)
_trimmed = [0.0]


def _trim_heap(force: bool = False) -> None:
    """Give the C heap's free memory back to the system (glibc ``malloc_trim``; a no-op elsewhere), after a
    refit (``force``) or an update, the latter at most every ``TRIM_SECONDS``.

    Each update or refit frees the previous pool's arrays; glibc keeps freed memory in the arena of the
    thread that used it (a server's request threads have several arenas) instead of returning it.
    """
    trim = _malloc_trim()
    now = time.monotonic()
    if trim is not None and (force or now - _trimmed[0] >= TRIM_SECONDS):
        _trimmed[0] = now
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _settle_heap() -> None:
    """Keep what is alive now (chiefly the new pool) out of the cyclic garbage collector's passes.

    A pool held millions of objects at 100k enterprises (every record with its products, indicators and
    patents; records are compact now, ``matcher.ranking.records``, but vocabularies and name tuples remain);
    a full collection walked all of them, 2 s with the interpreter lock held, and a server
    with requests queued triggered one every few seconds. Frozen objects are still freed by reference
    counting when dropped, and the next refit unfreezes them first so that any cycles among them go.
    """
    gc.collect()
    gc.freeze()
    _trim_heap(force=True)


def reciprocal_score(a: float, b: float) -> float:
    """Harmonic mean of two preferences in [0, 1]: high only when both sides want the pair."""
    return 0.0 if a <= 0 or b <= 0 else 2 * a * b / (a + b)


def percentile(scores: np.ndarray, i: int) -> float:
    """Share of the pool that ``i`` outranks (1.0 = best)."""
    finite = np.isfinite(scores)
    return float((scores[finite] < scores[i]).sum()) / max(int(finite.sum()) - 1, 1)


class Matching:
    """Suppliers for a demand, buyers and demands for an SME, and pair scores for events, over one fitted
    pool of the registry (refitted when it changes; see the module's docstring)."""

    def __init__(self, store: Store, settings: Settings, registry: Registry, encoders: Encoders) -> None:
        self.store = store
        self.settings = settings
        self.registry = registry
        self.encoders = encoders
        self._pool_cache: Pool | None = None
        self._pool_lock = threading.Lock()
        self._recheck_lock = threading.Lock()
        self._refit_lock = threading.Lock()
        self._jobs: dict[str, threading.Thread] = {}  # background refit / update by name (``_in_background``)
        self._generation = 0  # this engine's registry edits so far (``registry_changed``)
        self.refits = 0  # full fits of the registry so far (changes by id are not counted)
        self.resumed = False  # whether the first pool came from the last full fit's snapshot
        self._first_fit = True

    def registry_changed(self) -> None:
        """This worker's next query sees its own write (others' within ``settings.pool_poll_seconds``): the
        changed enterprises are applied to the pool by id before it answers (``match_pool``)."""
        self._generation += 1

    def warm_pool(self) -> bool:
        """Fit the pool now when the registry holds at least ``settings.warm_pool_at`` enterprises (a server
        worker does before it takes requests); True if it did."""
        if self.registry.fingerprint(full=False)[0] < max(self.settings.warm_pool_at, 1):
            return False
        pool = self.match_pool()
        pool.core.top_suppliers("采购样品", 1)  # load the query encoder and touch every array once
        return True

    def match_pool(self) -> Pool:
        """The pool, with every enterprise added, changed or removed since it was fitted applied by id.

        The registry's change log is read at most every ``settings.pool_poll_seconds`` (this engine's own
        edits at once), by one thread at a time: the others answer from the pool meanwhile; from
        ``settings.pool_background_refit`` enterprises on, other workers' changes are applied in a
        background thread and the reading query answers from the current pool too. Changes are
        applied on the fitted main part (``Pool.updated``); a full refit runs in the background when they
        outgrow ``settings.pool_delta_limit``, or when the registry moved without a logged change (checked
        every ``settings.pool_recheck_seconds``), and is swapped in whole when ready.
        """
        pool = self._pool_cache
        if pool is None:
            return self._refit_now()
        if pool.generation != self._generation:  # this worker's own write: shown in its next answer
            return self._catch_up()
        if time.monotonic() - pool.polled < self.settings.pool_poll_seconds:
            return pool
        if not self._recheck_lock.acquire(blocking=False):
            return pool
        try:
            return self._poll(pool)
        finally:
            self._recheck_lock.release()

    def _poll(self, pool: Pool) -> Pool:
        """Apply logged changes; on the slower full check, refit when the registry moved unlogged."""
        pool.polled = now = time.monotonic()
        with self.store.engine.connect() as conn:
            pending = newest_change(conn) > pool.cursor
        if pending and pool.size >= self.settings.pool_background_refit:  # others' writes: off the query
            self._in_background("matcher-pool-update", self._update_job)
            return pool
        if pending:
            return self._catch_up()
        if now - pool.checked < self.settings.pool_recheck_seconds:
            return pool
        if self.registry.fingerprint() == pool.fingerprint:
            pool.checked = now
            return pool
        with self.store.engine.connect() as conn:  # a write logged since the log was read above
            if newest_change(conn) > pool.cursor:
                return self._catch_up()
        if pool.size >= self.settings.pool_background_refit:  # a write the log missed: refit whole
            self._refit_in_background()
            return pool
        return self._refit_now(stale=pool)

    def _catch_up(self) -> Pool:
        """Apply the changes logged since the pool's cursor (one thread at a time) and swap the result in.

        Changes of more than ``settings.pool_delta_limit`` enterprises at once (an import) go to a full
        refit instead: on the spot for a small pool, else in the background with the old pool answering.
        """
        with self._pool_lock:
            pool = self._pool_cache
            if pool is None:
                return self._refit_now_locked()
            generation = self._generation
            with self.store.engine.connect() as conn:
                changes = changes_since(conn, pool.cursor)
            limit = self.settings.pool_delta_limit
            if len(changes.enterprise_ids) > limit and pool.size < self.settings.pool_background_refit:
                return self._refit_now_locked()
            if len(changes.enterprise_ids) > limit:
                self._refit_in_background()
                return pool
            fresh = self._with_changes(pool, changes)
            fresh.generation = generation
            self._pool_cache = fresh
            del pool
            _trim_heap()  # the replaced pool's arrays
            if fresh.delta_size > limit:
                self._refit_in_background()
            return fresh

    def _with_changes(self, pool: Pool, changes: Changes | None = None) -> Pool:
        """``pool`` with the changes logged after its cursor (read now unless given); itself when there are
        none. The fingerprint is read last: a write after the log was read is in the log for the next poll."""
        if changes is None:
            with self.store.engine.connect() as conn:
                changes = changes_since(conn, pool.cursor)
        if not changes.enterprise_ids:
            return pool
        with self.store.session() as s:
            stored = repo.enterprises_by_id(s, ids=changes.enterprise_ids)
        gone = set(changes.enterprise_ids) - {e.id for e in stored}
        return pool.updated(stored, gone, changes.cursor, self.registry.fingerprint())

    def _refit_now(self, stale: Pool | None = None) -> Pool:
        """Refit on the spot, unless another thread put a pool other than ``stale`` in place meanwhile."""
        with self._pool_lock:
            pool = self._pool_cache
            if pool is not None and pool is not stale:
                return pool
            return self._refit_now_locked()

    def _refit_now_locked(self) -> Pool:
        generation = self._generation
        self._pool_cache = None  # the old pool's memory is free for the new one
        self._swap(self._fit(generation))
        assert self._pool_cache is not None
        return self._pool_cache

    def _refit_in_background(self) -> None:
        """Start one thread that fits a new pool and swaps it in; queries keep the old pool meanwhile."""
        self._in_background("matcher-pool-refit", self._refit_job)

    def _in_background(self, name: str, job: Callable[[], None]) -> None:
        """Run ``job`` in a thread called ``name``, unless the last one of that name is still running."""
        with self._refit_lock:
            running = self._jobs.get(name)
            if running is not None and running.is_alive():
                return
            self._jobs[name] = threading.Thread(target=job, name=name, daemon=True)
            self._jobs[name].start()

    def _update_job(self) -> None:
        """Apply the changes other workers logged (``_catch_up``) while queries answer from the current pool:
        at 100k enterprises an update by id takes about a second, which no query should wait for."""
        try:
            self._catch_up()
        except Exception:
            log.warning("按编号更新匹配池失败，继续使用当前匹配池，下次轮询重试", exc_info=True)

    def _refit_job(self) -> None:
        try:
            fresh = self._fit(self._generation)
        except Exception:  # e.g. the registry was emptied: keep answering from the old pool
            log.warning("后台重建匹配池失败，继续使用旧的匹配池", exc_info=True)
            return
        with self._pool_lock:  # what changed while it fitted is applied before it answers
            self._swap(self._with_changes(fresh))

    def _fit(self, generation: int) -> Pool:
        pool = self._resume() if self._first_fit else None
        self._first_fit = False
        if pool is None:
            pool = self._fit_pool()
            self.refits += 1
        pool.generation = generation
        return pool

    def _swap(self, pool: Pool) -> None:
        """Put ``pool`` in place in one assignment (readers see the old or the new, never a mix)."""
        gc.unfreeze()  # the old pool becomes collectable again (see _settle_heap)
        self._pool_cache = pool
        _settle_heap()

    def _fit_pool(self) -> Pool:
        """A full fit of the registry; the change log's cursor is read first, so a write during the fit
        is applied again by id afterwards rather than missed. From ``settings.pool_snapshot_from``
        enterprises on, the records fitted are saved for the next start (``_resume``)."""
        with self.store.engine.connect() as conn:
            cursor = newest_change(conn)
        ids: list[int] = []
        with self.store.session() as s:

            def records() -> Iterator[Enterprise]:  # the ids noted as the stream goes
                for e in repo.iter_enterprises(s):
                    ids.append(e.id)
                    yield e.record

            shelved = _shelve(records(), None)
        if not ids:
            raise MatcherError("登记库中还没有企业：请先导入企业数据（matcher import）")
        fingerprint = self.registry.fingerprint()
        pool = self._pool_of(ids, shelved, cursor, fingerprint)
        if len(ids) >= self.settings.pool_snapshot_from:
            with self.store.engine.connect() as conn:
                at_cursor = logged_at(conn, cursor)
            snapshot = Snapshot(ids, pool.records.blobs, cursor, at_cursor, fingerprint)
            try:
                save_snapshot(self._snapshot_dir(), snapshot)
            except OSError:
                log.warning("无法保存匹配池快照（重启时将完整重建匹配池）", exc_info=True)
        return pool

    def _pool_of(
        self, ids: list[int], shelved: Shelved, cursor: int, fingerprint: tuple[int, int, str]
    ) -> Pool:
        """A fitted pool of the ``shelved`` records (``ids`` in the same order)."""
        from matcher.ranking.knowledge import build_core

        encoders = self.encoders
        core = build_core(
            shelved.docs,
            self.settings,
            encoder=encoders.encoder(),
            query_encoder=encoders.query_encoder(),
            profile_encoder=encoders.profile_encoder(),
            profile_query_encoder=encoders.profile_query_encoder(),
        )
        layered = LayeredCore(core, None, np.zeros(len(ids), dtype=bool))
        sizes = self.settings.ranking_cache_size, self.settings.search_cache_size
        return Pool(fingerprint, ids, shelved.records, layered, shelved.links, *sizes, cursor)

    def _snapshot_dir(self) -> Path:
        return snapshot_dir(self.settings.cache_dir, self.store.safe_url)

    def _resume(self) -> Pool | None:
        """The pool of the last full fit's records (``matcher.engine.snapshot``: its files and indexes are
        mapped, not rebuilt) with the changes logged since applied by id; None when there is no snapshot
        of this store, it does not describe the registry, or more changed than an update by id takes."""
        try:
            snap = load_snapshot(self._snapshot_dir())
        except (MatcherError, OSError, ValueError):
            log.warning("匹配池快照无法读取，完整重建匹配池", exc_info=True)
            return None
        if snap is None:
            return None
        with self.store.engine.connect() as conn:
            if logged_at(conn, snap.cursor) != snap.at_cursor:
                return None
            changes = changes_since(conn, snap.cursor)
        if len(changes.enterprise_ids) > self.settings.pool_delta_limit:
            return None
        with self.store.session() as s:
            now = set(repo.enterprise_ids(s).values())
        if now - changes.enterprise_ids != set(snap.ids) - changes.enterprise_ids:
            return None
        if not changes.enterprise_ids and self.registry.fingerprint() != snap.fingerprint:
            return None
        try:
            shelved = _shelve((decode(b) for b in snap.blobs), snap.blobs)
        except (ValueError, zlib.error):  # a damaged snapshot: fit whole
            log.warning("匹配池快照中的企业记录无法读取，完整重建匹配池", exc_info=True)
            return None
        pool = self._pool_of(snap.ids, shelved, snap.cursor, snap.fingerprint)
        self.resumed = True
        log.info(
            "匹配池由快照恢复（%d 家企业），按变更日志更新 %d 家", len(snap.ids), len(changes.enterprise_ids)
        )
        return self._with_changes(pool, changes)

    # -- suppliers -------------------------------------------------------------------------------------

    def suppliers_for(
        self,
        *,
        demand_id: int | None = None,
        text: str | None = None,
        k: int = 10,
        constraints: Constraints | None = None,
        principal: Principal | None = None,
        relax: Sequence[str] = (),
    ) -> SupplierSearch:
        """The best eligible suppliers (at most ``k``) for a stored demand or free text, with the parsed items.

        A stored demand adds its required certifications as hard constraints and leaves out its publisher;
        ``relax`` drops named constraints (``Constraints.parts``) for this search. Firms below the
        relevance floor (``settings.relevance_floor``) are not listed, and when fewer than ``k`` remain
        the search reports how many relevant firms each constraint kept out.
        """
        demand, publisher_id = self._demand_for_matching(demand_id, principal)
        query = demand_profile(demand) if demand is not None else (text or "").strip()
        if not query:
            raise MatcherError("请提供需求编号或需求文本")
        pool = self.match_pool()
        c = _with_demand(constraints or Constraints(), demand, publisher_id)
        parts = {p.key: p for p in c.parts()}
        for name in dict.fromkeys(relax):
            c = c.without(name)
        relaxed = tuple(parts[name] for name in dict.fromkeys(relax))
        buyer_i = pool.positions.get(publisher_id)
        floor = self.settings.relevance_floor
        key = (query, c, publisher_id, k, floor, relaxed, demand.model_dump_json() if demand else None)
        found = pool.remembered(key)
        if found is not None:
            return found._replace(cached=True)
        with _SCORING:
            terms = self._boost_terms(pool, buyer_i)
            boosts = list(terms.values())
            top = pool.core.top_suppliers(query, k, eligible=pool.eligible(c), boosts=boosts)
            listed = [self._supplier(pool, top, j, terms, demand) for j in range(len(top.order))]
            # the fused order stays (boosts included): re-sorting the top k by relevance cost 0.03 MRR@10 on
            # the paraphrased dev set and 0.02 on the documents (benchmarks/bench_relevance.py)
            shown = [m for m in listed if m.relevance >= floor]
            # what the constraints kept out matters when the list has room: then it is worth a second search
            removed = _removed(pool, query, k, c, boosts, floor) if c.parts() and len(shown) < k else ()
        order = learned_order(self.settings.ranker_path, [candidate_features(m) for m in shown])
        if order is not None:  # a trained model that beat the hand-set weights on newer labels
            shown = [shown[i] for i in order]
        search = SupplierSearch(
            shown,
            top.items,
            top.eligible,
            pool.size,
            c,
            False,
            floor,
            len(listed) - len(shown),
            removed,
            relaxed,
        )
        pool.remember(key, search)
        return search

    def _demand_for_matching(
        self, demand_id: int | None, principal: Principal | None
    ) -> tuple[Demand | None, int]:
        if demand_id is None:
            return None, -1
        found = self.registry.demand(demand_id, principal=principal)
        if principal is not None:
            with self.store.session() as s:
                facts = scoping.demand_facts(s, found)
            policy.ensure(
                policy.can_see_candidates(principal, facts), "只有需求发布方与园区管理人员可查看候选供应商"
            )
        return found.record, found.publisher_id

    def _boost_terms(self, pool: Pool, buyer_i: int | None) -> Terms:
        """The named soft boosts for the publisher at ``buyer_i`` (none for a free-text search)."""
        if buyer_i is None:
            return {}
        park, (province, _, _) = pool.records.parks[buyer_i], pool.records.places[buyer_i]
        same_park = (pool.parks.codes == pool.parks.code(park)) & bool(park)
        same_region = (pool.provinces.codes == pool.provinces.code(province)) & bool(province)
        chain = pool.chain_mask(upstream_of(pool.links[buyer_i]))
        s = self.settings
        return {
            "同园区": (s.boost_same_park, same_park),
            "同省": (s.boost_same_region, same_region),
            "产业链上游": (s.boost_chain, chain),
        }

    def _supplier(
        self, pool: Pool, top: TopSuppliers, j: int, terms: Terms, demand: Demand | None
    ) -> SupplierMatch:
        i = int(top.order[j])
        product, _, channels = top.described[j]
        boosts = {name: points(weight) for name, (weight, mask) in terms.items() if weight and mask[i]}
        checks = requirement_checks(pool.records.facts(i), demand) if demand is not None else []
        rel, reason = pool.supplier_reason(product, top.items, channels)
        parts = [reason.summary]
        if boosts:
            parts.append("加分：" + "、".join(f"{n} +{w:g}" for n, w in boosts.items()))
        if checks:
            parts.append(explain_requirements(checks))
        score = min(100.0, round(rel + sum(boosts.values()), 1))
        return SupplierMatch(
            pool.ids[i],
            pool.records.names[i],
            pool.records.parks[i],
            score,
            rel,
            product,
            reason.item,
            channels,
            boosts,
            checks,
            reason.summary,
            reason.details,
            "；".join(parts),
        )

    # -- events --------------------------------------------------------------------------------------------

    def pair_scorer(self, event: Event) -> ScorePair:
        """Pair scores for a 对接会 (the events service's scorer): how well the SME supplies what the
        buyer's demands at the event (else its open demands, public ones only: ``policy.feeds_events``)
        ask for, as the 0-100 relevance over 100, plus chain adjacency, capped at 1; pages and exports
        show it as points (``matcher.ranking.relevance.points``)."""
        pool = self.match_pool()
        index = {pool.records.usccs[i]: i for i in pool.positions.values()}
        demands = [
            d
            for d in self.registry.demands(status=DemandStatus.OPEN.value)
            if policy.feeds_events(d.record.visibility.value, d.record.status.value)
        ]
        by_code = {d.record.code: d for d in demands}
        rankings: dict[str, list[Ranking]] = {}
        for p in event.participants:
            if p.role is not Role.LEADING or p.enterprise_id not in index:
                continue
            own = [by_code[c] for c in p.demands if c in by_code]
            own = own or [d for d in demands if d.publisher_id == pool.ids[index[p.enterprise_id]]]
            rankings[p.id] = [pool.rank_suppliers(demand_profile(d.record)) for d in own]
        people = {p.id: p for p in event.participants}

        def score_pair(buyer_id: str, sme_id: str) -> tuple[float, list[str]]:
            b, m = people.get(buyer_id), people.get(sme_id)
            if b is None or m is None or b.enterprise_id not in index or m.enterprise_id not in index:
                return 0.0, ["企业库中无该企业的登记信息"]
            bi, mi = index[b.enterprise_id], index[m.enterprise_id]
            best, reasons = 0.0, []
            for ranking in rankings.get(buyer_id, []):
                product, _, channels = pool.core.supplier_values(mi, ranking.items, ranking.channels)
                rel, reason = pool.supplier_reason(product, ranking.items, channels, who="该企业")
                if rel / 100 > best:
                    best, reasons = rel / 100, [reason.summary]
            if pool.links[mi] & upstream_of(pool.links[bi]):
                best += self.settings.boost_chain
                reasons.append("供方产品处于需方产品的产业链上游环节")
            return min(best, 1.0), reasons or ["未发现明显的供需关联"]

        return score_pair

    # -- buyers ------------------------------------------------------------------------------------------

    def buyers_for(
        self,
        *,
        enterprise_id: int | None = None,
        text: str | None = None,
        k: int = 10,
        principal: Principal | None = None,
    ) -> Recommendations:
        """Leading firms that need what an SME makes, and open demands it could answer (both ranked)."""
        pool = self.match_pool()
        me = (
            pool.index_of(enterprise_id)
            if enterprise_id is not None and enterprise_id in pool.positions
            else None
        )
        if enterprise_id is not None:
            self._recommendation_access(enterprise_id, principal, known=me is not None)
        offer = text or (_offer_text(pool.records[me]) if me is not None else "")
        if not offer.strip():
            raise MatcherError("请提供企业编号或供应能力描述")
        ranking = pool.core.rank_buyers(offer)
        scores = ranking.scores.astype(np.float64).copy()
        leading = Constraints(
            roles=(Role.LEADING.value,), exclude=frozenset({enterprise_id} if enterprise_id else ())
        )
        scores[~pool.eligible(leading)] = -np.inf
        top = [int(i) for i in top_k(scores, k)]
        buyers = sorted((self._buyer(pool, i, ranking) for i in top), key=lambda b: -b.score)
        demands = self._answerable_demands(pool, me, offer, scores, k, principal)
        return Recommendations(buyers, demands, ranking.items)

    def _buyer(self, pool: Pool, i: int, ranking: Ranking) -> BuyerMatch:
        product, _, channels = pool.core.buyer_values(i, ranking.items, ranking.channels)
        reason = buyer_reason("、".join(ranking.items), product, channels, pool.baseline)
        score = relevance(channels, pool.baseline, BUYER_EVIDENCE)
        return BuyerMatch(
            pool.ids[i],
            pool.records.names[i],
            pool.records.parks[i],
            score,
            product,
            channels,
            reason.summary,
            reason.details,
            reason.summary,
        )

    def _recommendation_access(self, enterprise_id: int, principal: Principal | None, *, known: bool) -> None:
        """NotFoundError for an unknown enterprise; an SME user sees only its own firm's recommendations."""
        if not known:
            self.registry.enterprise(enterprise_id)  # raises NotFoundError
        if principal is None:
            return
        with self.store.session() as s:
            park_id = scoping.enterprise_park(s, enterprise_id)
        allowed = policy.can_see_enterprise_private(principal, enterprise_id, park_id)
        policy.ensure(allowed, f"{principal.role.label}无权查看该企业的推荐")

    def _answerable_demands(
        self,
        pool: Pool,
        me: int | None,
        offer: str,
        buyer_scores: np.ndarray,
        k: int,
        principal: Principal | None,
    ) -> list[DemandMatch]:
        """Open demands visible to the caller, ranked by how well the SME fits each as a supplier."""
        rows = self.registry.demands(status=DemandStatus.OPEN.value, principal=principal)
        if me is None:  # free text: score the offer's items against each demand's text directly
            return self._demands_by_text(pool, offer, rows, k)
        out = []
        floor = self.settings.relevance_floor
        mine = pool.records.facts(me)
        for d in rows:
            if d.publisher_id == pool.ids[me]:
                continue
            ranking = pool.rank_suppliers(demand_profile(d.record))
            product, _, channels = pool.core.supplier_values(me, ranking.items, ranking.channels)
            score, reason = pool.supplier_reason(product, ranking.items, channels, who="贵司")
            if score < floor:
                continue
            pub = pool.index_of(d.publisher_id) if d.publisher_id in pool.positions else None
            mutual = reciprocal_score(
                percentile(pool.live_scores(ranking.scores), me),
                percentile(buyer_scores, pub) if pub is not None else 0.0,
            )
            checks = requirement_checks(mine, d.record)
            publisher = pool.name_of(d.publisher_id)
            text = "；".join(p for p in (reason.summary, explain_requirements(checks)) if p)
            out.append(
                DemandMatch(
                    d.id,
                    d.record.code,
                    d.record.title,
                    publisher,
                    score,
                    points(mutual),
                    checks,
                    reason.summary,
                    reason.details,
                    text,
                )
            )
        out.sort(key=lambda m: (-m.score, -m.reciprocal))
        return out[:k]

    def _demands_by_text(
        self, pool: Pool, offer: str, rows: list[repo.StoredDemand], k: int
    ) -> list[DemandMatch]:
        from matcher.ranking.core import MatchCore

        if not rows:
            return []
        docs = [_demand_doc(d) for d in rows]
        core = MatchCore(self.encoders.encoder()).fit(docs)
        ranking = core.rank_suppliers(offer)
        out = []
        for i in top_k(ranking.scores, k):
            wanted, _, channels = core.supplier_.match(int(i), 0.0, ranking.items, ranking.channels)
            offered = pool.matched_item(wanted, ranking.items) or "、".join(ranking.items)
            reason = supplier_reason((wanted,), wanted, offered, channels, pool.baseline, who="贵司")
            score = relevance(channels, pool.baseline, SUPPLIER_EVIDENCE)
            if score < self.settings.relevance_floor or not ranking.scores[i] > 0:
                continue
            d = rows[int(i)]
            out.append(
                DemandMatch(
                    d.id,
                    d.record.code,
                    d.record.title,
                    pool.name_of(d.publisher_id),
                    score,
                    0.0,
                    [],
                    reason.summary,
                    reason.details,
                    reason.summary,
                )
            )
        return sorted(out, key=lambda m: -m.score)

    # -- learning ----------------------------------------------------------------------------------------

    def train_ranker(self, *, save: bool = True, shown: int = 20) -> TrainReport:
        """Learn from the labels in the store (decisions, responses, invitations, trials) over the
        features of the ``shown`` candidates of each labelled demand; time-split evaluation decides whether
        the engine uses the result (see ``matcher.learning``). The model file is written either way."""
        with self.store.session() as s:
            labels, counts = store_labels(s)

        def candidates(demand_id: int) -> dict[int, dict[str, float]]:
            try:
                found = self.suppliers_for(demand_id=demand_id, k=shown).matches
            except MatcherError:
                return {}
            return {m.enterprise_id: candidate_features(m) for m in found}

        from matcher.learning.train import train_ranker  # scikit-learn: loaded only to train

        report = train_ranker(labels, candidates, counts)
        if save:
            report.model.save(self.settings.ranker_path)
        return report


def _with_demand(c: Constraints, demand: Demand | None, publisher_id: int) -> Constraints:
    """``c`` plus a stored demand's required certifications, without its publisher."""
    if demand is None:
        return c
    return Constraints(
        certifications=tuple(dict.fromkeys((*c.certifications, *demand.required_certifications))),
        regions=c.regions,
        park=c.park,
        roles=c.roles,
        exclude=c.exclude | {publisher_id},
    )


def _removed(
    pool: Pool, query: str, k: int, c: Constraints, boosts: list[tuple[float, np.ndarray]], floor: float
) -> tuple[Removed, ...]:
    """Per relaxable part of ``c``: how many firms of the top ``k`` without any part, relevant enough to be
    listed, that part keeps out ("3 家生产磷酸铁锂正极材料的企业未满足资质 IATF 16949")."""
    free = pool.core.top_suppliers(query, k, eligible=pool.eligible(c.only_exclusions()), boosts=boosts)
    kept = pool.eligible(c)
    parts = c.parts()
    failing: dict[str, list[str]] = {p.key: [] for p in parts}  # key -> product of each firm kept out
    for i, (product, _, channels) in zip(free.order, free.described, strict=True):
        if kept[i] or relevance(channels, pool.baseline, SUPPLIER_EVIDENCE) < floor:
            continue
        for p in parts:
            if not pool.eligibility.part_mask(c, p.key)[i]:
                failing[p.key].append(product)
    return tuple(removed_by(parts, failing))


def _offer_text(enterprise: Enterprise) -> str:
    """What an SME offers, in the words the offer parser reads: its products, else its name."""
    names = [p.name for p in enterprise.products] or [enterprise.name]
    return "主营" + "、".join(names)


@lru_cache(maxsize=1)
def _templates() -> nx.DiGraph:
    from matcher.engine.chain import CHAIN_DIR

    return templates_graph(str(CHAIN_DIR))


@lru_cache(maxsize=1)
def _template_links() -> LinkIndex:
    return link_index(_templates())


class Shelved(NamedTuple):
    """What a pool is fitted from, taken from its records in one pass (``_shelve``)."""

    records: Records
    docs: list[ProfileDoc]
    links: list[set[str]]


def _shelve(records: Iterable[Enterprise], blobs: Packed | None) -> Shelved:
    """The compact records, profile documents and template links of a stream of records, each record
    dropped once read: a full fit never holds 100k pydantic records at once (~1.4 GB that the allocator
    would keep, fragmented, for the worker's life)."""
    docs: list[ProfileDoc] = []
    links: list[set[str]] = []
    index = _template_links()

    def noted() -> Iterator[Enterprise]:
        for e in records:
            docs.append(ProfileDoc.from_enterprise(e))
            links.append(links_made(index, [p.name for p in e.products]))
            yield e

    return Shelved(Records.of(noted(), blobs), docs, links)


def upstream_of(links: set[str]) -> set[str]:
    return upstream_links(_templates(), links)


def _demand_doc(stored: repo.StoredDemand) -> dict[str, object]:
    """A demand as a one-product 'company' so an offer can be matched against what demands want."""
    from matcher.text.parse import parse_demand

    d = stored.record
    items = [d.product] if d.product else list(parse_demand(demand_profile(d)).items) or [d.title]
    return {"id": str(stored.id), "name": d.title, "products": [{"name": x, "weight": 1.0} for x in items]}
