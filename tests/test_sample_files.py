"""The committed sample in data/sample/ is exactly what the generator writes, and imports cleanly."""

from __future__ import annotations

from pathlib import Path

from matcher.io import import_file, render
from matcher.sample.generator import generate_sample
from matcher.store import Store
from matcher.store import repository as repo

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def test_committed_sample_matches_the_generator() -> None:
    sample = generate_sample()
    for kind, records in (("parks", sample.parks), ("enterprises", sample.enterprises), ("demands", sample.demands)):
        assert (SAMPLE / f"{kind}.csv").read_bytes() == render({kind: records}, "csv"), (
            f"{kind}.csv is stale: run python data/generate_sample.py"
        )


def test_sample_imports_through_the_validated_path(store: Store) -> None:
    for name in ("parks.csv", "enterprises.csv", "demands.csv"):
        import_file(store, SAMPLE / name)
    with store.session() as s:
        assert len(repo.list_parks(s)) >= 2
        assert all(len(p.leading_industries) == 3 for p in repo.list_parks(s))
        assert len(repo.list_enterprises(s)) >= 200
        assert 20 <= len(repo.list_demands(s)) <= 100
