"""The realistic benchmark registry: real products, a vocabulary that grows ~10 names per enterprise."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import shared_path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _registry():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("registry", BENCH / "registry.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["registry"] = module
    spec.loader.exec_module(module)
    return module


def test_copies_rename_products_so_the_vocabulary_grows_with_the_registry() -> None:
    registry = _registry()
    companies = registry.corpus_products(shared_path("eval", "corpus.jsonl"))
    n = 3 * len(companies)
    names = {
        p.name
        for i in range(n)
        for p in registry.products_for(i // len(companies), companies[i % len(companies)], 7)
    }
    assert 9.5 <= len(names) / n <= 12.5  # a real registry: ~10 distinct names per company
    first = registry.products_for(0, companies[0], 7)
    assert [p.name for p in first] == [name for name, _ in companies[0]]  # copy 0 keeps the real names
    again = registry.products_for(2, companies[0], 7)
    assert again == registry.products_for(2, companies[0], 7)  # seeded: same copy, same names
    assert all(p.name != q.name for p, q in zip(first, again, strict=False))
    assert abs(sum(p.share or 0 for p in first) - 1) < 0.01


def test_realistic_sample_keeps_the_sample_records_valid() -> None:
    registry = _registry()
    shared_path("eval", "corpus.jsonl")
    sample = registry.realistic_sample(60, seed=3)
    assert len(sample.enterprises) == 60 and sample.parks and sample.demands
    assert registry.vocabulary(sample.enterprises) >= 10 * 60 * 0.8
    assert len({e.uscc for e in sample.enterprises}) == 60
