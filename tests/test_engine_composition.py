"""The engine is composed, not stacked (issue 13 item 5): each service is a plain class handed what it needs
in ``Engine.__init__``, so which method runs never depends on inheritance order and no state is shared
between engines through class attributes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from pathlib import Path

import pytest

import matcher.engine
from matcher.engine import Engine
from matcher.store import Store

SERVICES = ("registry", "search", "matching", "publishing", "events", "tiers", "chain", "jobs", "exports")


def _engine_classes() -> list[type]:
    found = []
    for info in pkgutil.iter_modules(matcher.engine.__path__):
        module = importlib.import_module(f"matcher.engine.{info.name}")
        members = inspect.getmembers(module, inspect.isclass)
        found += [c for _, c in members if c.__module__ == module.__name__]
    return found


def _project_bases(cls: type) -> list[type]:
    return [b for b in cls.__bases__ if b.__module__.split(".")[0] in ("matcher", "api")]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'matcher.db'}")


def test_no_engine_class_inherits_from_more_than_one_project_class() -> None:
    classes = _engine_classes()
    assert Engine in classes and len(classes) > 10
    stacked = {c.__name__: _project_bases(c) for c in classes if len(_project_bases(c)) > 1}
    assert stacked == {}


def test_services_are_plain_classes_not_parts_of_each_other() -> None:
    assert _project_bases(Engine) == []
    for name in SERVICES:
        module = importlib.import_module(f"matcher.engine.{name}")
        service = getattr(module, name.capitalize())
        assert _project_bases(service) == [], f"{service.__name__} inherits from a project class"


def test_each_service_is_built_once_and_shared_by_those_that_call_it(store: Store) -> None:
    engine = Engine(store)
    services = [getattr(engine, name) for name in SERVICES]
    assert len({id(s) for s in services}) == len(SERVICES)
    assert engine.publishing.matching is engine.matching
    assert engine.tiers.matching is engine.matching
    assert engine.matching.registry is engine.registry
    assert engine.events.registry is engine.registry and engine.chain.registry is engine.registry
    assert engine.jobs.events is engine.events and engine.jobs.search is engine.search
    assert engine.registry.search is engine.search
    assert engine.events.trials is engine.trials and engine.chain.trials is engine.trials
    assert engine.matching.encoders is engine.search.encoders  # one model, one embedding cache


def test_events_score_pairs_with_the_matching_service(store: Store) -> None:
    """One product-similarity scorer: the events service is handed the matching service's pair scorer."""
    engine = Engine(store)
    assert engine.events.scorer == engine.matching.pair_scorer


def test_locks_and_caches_belong_to_one_engine(store: Store) -> None:
    a, b = Engine(store), Engine(store)
    for name in ("_pool_lock", "_recheck_lock", "_refit_lock"):
        lock = getattr(a.matching, name)
        assert isinstance(lock, type(threading.Lock())) and lock is not getattr(b.matching, name)
        assert name in vars(a.matching)  # an instance attribute, not a class attribute
    assert "_firms_cache" in vars(a.chain) and "_pool_cache" in vars(a.matching)
    a.chain._firms_cache = ((1, 1, ""), [])
    assert b.chain._firms_cache is None
