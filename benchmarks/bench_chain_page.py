"""Benchmark: the 产业链图谱 page (``GET /chain``) on the bundled sample, served in process (TestClient).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_chain_page.py [repeats]

Loads ``data/sample`` (3 parks, 300 enterprises) and one park with no enterprises into a temporary SQLite
store, signs in as the platform admin and requests the page of each sample park and of the empty park
``repeats`` times (after one warm-up request each). Baseline in the same run: the four engine analyses the
page used to run one after another (``park_chains``, ``chain_recruitment``, ``chain_integration``,
``chain_map``: the registry read and each chain analysed four times), without rendering. Prints p50 / p95
in milliseconds; the target is p95 < 300 ms. State the machine load beside any figure you quote.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient

from api.deps import get_engine
from api.main import create_app
from matcher.auth import accounts, passwords
from matcher.auth.principal import AccountRole
from matcher.cli.demo import load_sample
from matcher.domain import Park
from matcher.engine import Engine
from matcher.io import import_records
from matcher.store import Store

EMPTY_PARK = "空白测试园区"
PASSWORD = "bench-chain-page"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:6.0f} ms   p95 {p95 * 1000:6.0f} ms"


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm-up: templates, chain graph, first queries
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def old_page(engine: Engine, park: str) -> None:
    """What the page computed before ``Chain.chain_view``: four analyses of the same park, each reading
    the whole registry (the engine's cache of it is dropped before each, as there was none)."""
    engine.chain._firms_cache = None
    chains = engine.chain.park_chains(park)
    if not chains.coverages:
        return
    industry = chains.coverages[0].industry
    engine.chain._firms_cache = None
    engine.chain.chain_recruitment(park, industry=industry, top=5)
    engine.chain._firms_cache = None
    engine.chain.chain_integration(park, industry=industry)
    engine.chain._firms_cache = None
    engine.chain.chain_map(park, industry)


def main(repeats: int = 30) -> None:
    passwords.set_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))  # sign-in is not measured
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        load_sample(store)
        empty = Park(name=EMPTY_PARK, province="江苏省", city="苏州市", leading_industries=["新能源汽车"])
        import_records(store, parks=[empty])
        accounts.create_account(store, username="bench", role=AccountRole.PLATFORM_ADMIN, password=PASSWORD)
        engine = Engine(store)
        parks = [p.name for p, _ in engine.registry.parks()]
        app = create_app()
        app.dependency_overrides[get_engine] = lambda: engine
        print(
            f"sample: {len(parks) - 1} parks + 1 empty park, {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.2f}; {repeats} requests per park"
        )
        with TestClient(app, follow_redirects=False) as client:
            signed = client.post("/login", data={"username": "bench", "password": PASSWORD, "next": "/"})
            assert signed.status_code == 303, signed.text
            for park in parks:

                def get(park: str = park) -> None:
                    response = client.get(f"/chain?park={quote(park)}")
                    assert response.status_code == 200, response.status_code

                base = timed(lambda park=park: old_page(engine, park), repeats)  # type: ignore[misc]
                page = timed(get, repeats)
                size = len(client.get(f"/chain?park={quote(park)}").text)
                print(f"{park}")
                print(f"  baseline (4 analyses, no rendering) {percentiles(base)}")
                print(f"  GET /chain (one analysis, rendered) {percentiles(page)}   {size / 1024:.0f} KB")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
