"""Greedy baselines: take pairs best first and put each in the first slot that fits.

``fair=False`` is the plain baseline of the issue (must-meets, then by value). ``fair=True`` first gives
every SME its best pairs up to k, then fills by value: a stronger baseline, and the CP-SAT warm start.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence

from matcher.events.model import Event
from matcher.events.pairs import Pair, Weights
from matcher.events.problem import Residual, residual
from matcher.events.schedule import Meeting, Schedule, SolveStats, Triple, finish


def greedy_triples(res: Residual, *, fair: bool = True) -> list[Triple]:
    """(buyer, SME, slot) triples chosen greedily on a residual problem."""
    state = _State(res)
    ordered = sorted(res.pairs, key=lambda p: (not p.must, -p.value, p.buyer_id, p.sme_id))
    for p in ordered:
        if p.must:
            state.place(p)
    if fair:
        by_sme: dict[str, list[Pair]] = defaultdict(list)
        for p in ordered:
            by_sme[p.sme_id].append(p)
        for sme in sorted(by_sme, key=lambda s: len(by_sme[s])):  # fewest options first
            for p in by_sme[sme]:
                if state.count[sme] >= res.need.get(sme, 0):
                    break
                state.place(p)
    for p in ordered:
        state.place(p)
    return state.triples


class _State:
    def __init__(self, res: Residual) -> None:
        self.cap = dict(res.cap)
        self.tables = dict(res.tables)
        self.busy: set[tuple[str, int]] = set()
        self.done: set[tuple[str, str]] = set()
        self.count: dict[str, int] = defaultdict(int)
        self.triples: list[Triple] = []

    def place(self, p: Pair) -> bool:
        if (p.buyer_id, p.sme_id) in self.done or self.cap[p.buyer_id] < 1 or self.cap[p.sme_id] < 1:
            return False
        for t in p.slots:
            if self.tables[t] > 0 and (p.buyer_id, t) not in self.busy and (p.sme_id, t) not in self.busy:
                self.tables[t] -= 1
                self.busy |= {(p.buyer_id, t), (p.sme_id, t)}
                self.done.add((p.buyer_id, p.sme_id))
                self.cap[p.buyer_id] -= 1
                self.cap[p.sme_id] -= 1
                self.count[p.sme_id] += 1
                self.triples.append((p.buyer_id, p.sme_id, t))
                return True
        return False


def greedy_schedule(
    event: Event,
    *,
    fair: bool = True,
    weights: Weights | None = None,
    fixed: Sequence[Meeting] = (),
    open_slots: Iterable[int] | None = None,
) -> Schedule:
    """Greedy schedule of ``event`` (see module doc); status ``HEURISTIC``, no bound."""
    start = time.perf_counter()
    res = residual(event, weights=weights, fixed=fixed, open_slots=open_slots)
    triples = greedy_triples(res, fair=fair)
    stats = SolveStats(
        solver="greedy-fair" if fair else "greedy",
        status="HEURISTIC",
        objective=0,
        seconds=round(time.perf_counter() - start, 3),
        pairs_considered=len(res.pairs),
    )
    return finish(event, triples, res.pairset, stats, fixed=fixed, weights=res.weights)
