"""The pool's compact enterprise records (``matcher.ranking.records``): same records back, a fraction of the
memory of the pydantic objects a worker held before."""

from __future__ import annotations

import doctest
import pickle
import sys
from pathlib import Path

import matcher.ranking.memo
import matcher.ranking.records
from matcher.ranking.constraints import requirement_checks
from matcher.ranking.records import Packed, Records
from matcher.sample import generate_sample

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_records import allocated  # noqa: E402


def test_module_examples() -> None:
    for module in (matcher.ranking.records, matcher.ranking.memo):
        assert doctest.testmod(module).failed == 0


def test_records_round_trip_and_columns() -> None:
    firms = generate_sample(seed=7, n_enterprises=300).enterprises
    shelf = Records.of(firms)
    assert len(shelf) == len(firms)
    assert list(shelf) == firms
    assert shelf[17] == firms[17]
    assert list(shelf.names) == [f.name for f in firms]
    assert list(shelf.usccs) == [f.uscc for f in firms]
    assert shelf.provinces == [f.province for f in firms]
    assert shelf.certifications == [tuple(f.certifications) for f in firms]
    joined = Records.of(firms[:100]) + Records.of(firms[100:])
    assert list(joined.names) == list(shelf.names) and joined[250] == firms[250]
    assert len(joined.blobs.parts) == 2  # joined without copying
    assert list(Packed([joined.blobs.joined()])) == list(shelf.blobs)  # as a snapshot saves them


def test_facts_check_requirements_as_the_record_does() -> None:
    sample = generate_sample(seed=7, n_enterprises=300)
    shelf = Records.of(sample.enterprises)
    wanted = next(d for d in sample.demands if d.required_certifications)
    demand = wanted.model_copy(update={"preferred_regions": ["江苏省"], "quantity": 5.0, "spec": "Φ20"})
    for i, firm in enumerate(sample.enterprises):
        assert requirement_checks(shelf.facts(i), demand) == requirement_checks(firm, demand)


def test_records_take_a_fraction_of_the_objects_memory() -> None:
    firms = generate_sample(seed=7, n_enterprises=2000).enterprises
    blob = pickle.dumps(firms)
    objects = allocated(lambda: pickle.loads(blob))
    shelf = allocated(lambda: Records.of(firms))
    # measured: 1/7 on the generated sample; 1/9.6 on benchmarks/registry.py's realistic one (5,000 firms:
    # 1,447 MB of objects per 100,000 against 150 MB)
    assert shelf < objects / 5, (shelf, objects)
