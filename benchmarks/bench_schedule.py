"""Benchmark the event scheduler: CP-SAT against the greedy baselines on synthetic events.

Run from the repository root: ``python benchmarks/bench_schedule.py [--time-limit 25] [--quick]``.
Events are synthetic (``matcher.events.synthetic_event``): clustered scores, 15% of firms attend half a day,
about 10% of strong pairs carry a 想见/必须见, buyers meet at most 8, SMEs at most 4, k = 1. Rows marked
"frag." give 30% of firms a random window of >= 3 slots instead, so no two slots are interchangeable.
Prints one Markdown table row per event; every schedule is checked with ``check_schedule``.
"""

from __future__ import annotations

import argparse
import time

from matcher.events import check_schedule, greedy_schedule, solve_schedule, synthetic_event

SIZES = [  # (buyers, SMEs, slots, tables, seed, fragmented availability)
    (8, 40, 6, 6, 1, False),
    (20, 120, 8, 15, 1, False),
    (60, 400, 12, 40, 1, False),
    (60, 400, 12, 40, 2, False),
    (60, 400, 12, 40, 3, False),
    (60, 400, 12, 40, 1, True),
    (60, 400, 12, 40, 2, True),
]

HEADER = ("| event (B×S×slots×tables, seed) | pairs | greedy value / SMEs short | fair greedy value / short | "
          "CP-SAT value / short | greedy objective | fair greedy objective | CP-SAT objective | bound | gap | "
          "status | CP-SAT s | musts met / unmet |")


def run(size: tuple[int, int, int, int, int, bool], time_limit: float) -> str:
    b, s, n, t, seed, frag = size
    start = time.perf_counter()
    event = synthetic_event(b, s, n, t, seed=seed, windows=frag, partial_share=0.3 if frag else 0.15)
    build = time.perf_counter() - start
    plain, fair = greedy_schedule(event, fair=False), greedy_schedule(event, fair=True)
    best = solve_schedule(event, time_limit=time_limit, workers=2)
    for result in (plain, fair, best):
        assert check_schedule(event, result) == [], result.stats.solver
    st = best.stats
    return (f"| {b}×{s}×{n}×{t}, {seed}{' frag.' if frag else ''} | {st.pairs_considered} | {plain.stats.value} / "
            f"{len(plain.sme_shortfall)} | {fair.stats.value} / {len(fair.sme_shortfall)} | {st.value} / "
            f"{len(best.sme_shortfall)} | {plain.stats.objective} | {fair.stats.objective} | {st.objective} | "
            f"{st.bound} | {st.gap:.4%} | {st.status} | {st.seconds:.1f} (+{build:.1f} build) | "
            f"{st.musts_met} / {len(best.unmet_musts)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--quick", action="store_true", help="only the first large event")
    args = parser.parse_args()
    print(HEADER)
    print("|" + "---|" * HEADER.count(" | ") + "---|")
    for size in SIZES[:3] if args.quick else SIZES:
        print(run(size, args.time_limit), flush=True)


if __name__ == "__main__":
    main()
