"""The pool's compact enterprise records (``matcher.ranking.records``): same records back, a fraction of the
memory of the pydantic objects a worker held before."""

from __future__ import annotations

import doctest
import pickle
import tracemalloc

import matcher.ranking.memo
import matcher.ranking.records
from matcher.ranking.records import Records
from matcher.sample import generate_sample


def test_module_examples() -> None:
    for module in (matcher.ranking.records, matcher.ranking.memo):
        assert doctest.testmod(module).failed == 0


def _allocated(make) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        kept = make()
        size = tracemalloc.get_traced_memory()[0]
        del kept
        return size
    finally:
        tracemalloc.stop()


def test_records_round_trip_and_columns() -> None:
    firms = generate_sample(seed=7, n_enterprises=300).enterprises
    shelf = Records.of(firms)
    assert len(shelf) == len(firms)
    assert list(shelf) == firms
    assert shelf[17] == firms[17]
    assert shelf.names == [f.name for f in firms]
    assert shelf.usccs == [f.uscc for f in firms]
    assert shelf.provinces == [f.province for f in firms]
    assert shelf.certifications == [tuple(f.certifications) for f in firms]
    joined = shelf[:100] + shelf[100:]
    assert joined.names == shelf.names and joined[250] == firms[250]


def test_records_take_a_fraction_of_the_objects_memory() -> None:
    firms = generate_sample(seed=7, n_enterprises=2000).enterprises
    blob = pickle.dumps(firms)
    objects = _allocated(lambda: pickle.loads(blob))
    shelf = _allocated(lambda: Records.of(firms))
    # measured: about 1/9 on the generated sample (1/12 on the realistic registry of benchmarks/registry.py)
    assert shelf < objects / 5, (shelf, objects)
