"""Benchmark: assess 100,000 synthetic enterprises (vectorized) vs the per-record loop.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_tiers.py [n] [loop_n]

Generation of the pydantic records is not timed. The batch time includes extracting the columns from
the records (``to_columns``) and evaluating every rule of every tier; the detailed explanation
(gaps, messages) is built per enterprise on demand and timed separately for 1,000 of them.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from matcher.tiers import assess, assess_many, load_criteria
from matcher.tiers.evaluate import evaluate
from matcher.tiers.metrics import to_columns
from matcher.tiers.sample import sample_enterprises


def main(n: int = 100_000, loop_n: int = 2_000) -> None:
    crit = load_criteria()
    day = dt.date(2024, 6, 30)
    t0 = time.perf_counter()
    ents = sample_enterprises(n, seed=42)
    print(f"generated {n:,} enterprises in {time.perf_counter() - t0:.1f} s (not timed)")

    t0 = time.perf_counter()
    cols = to_columns(ents, crit.keywords)
    t1 = time.perf_counter()
    ev = evaluate(cols, crit)
    t2 = time.perf_counter()
    print(f"batch: columns {t1 - t0:.2f} s + evaluate {t2 - t1:.2f} s = {t2 - t0:.2f} s for {n:,}")
    batch = assess_many(ents, crit, day)

    t0 = time.perf_counter()
    for e in ents[:loop_n]:
        assess(e, crit, day)
    loop = time.perf_counter() - t0
    print(f"per-record loop: {loop:.2f} s for {loop_n:,} -> {loop / loop_n * n:.0f} s extrapolated to {n:,}")

    t0 = time.perf_counter()
    for i in range(1_000):
        batch.assessment(i)
    print(f"explain (gaps, messages) from the batch: {(time.perf_counter() - t0):.2f} s per 1,000")
    print("tiers:", {t.label: c for t, c in batch.counts().items()}, "| rows evaluated:", ev.n)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
