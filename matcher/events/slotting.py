"""Blocks of interchangeable slots, and placing a block's chosen meetings into its slots.

Two slots are interchangeable when exactly the same participants can take a new meeting in both and the
same number of tables is free. Within such a block, meetings chosen for it form a bipartite multigraph of
max degree <= block size; by Koenig's theorem and de Werra's equitable edge-colouring it can be split into
the block's slots with at most ceil(|E| / size) <= tables meetings per slot. So the scheduler may first pick
(pair, block) and place slots afterwards without losing optimality; ``place_in_slots`` does the placing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from matcher.errors import MatcherError
from matcher.events.problem import Residual

Block = tuple[int, ...]


def slot_blocks(res: Residual) -> list[Block]:
    """Group the slots any pair may use by (who can meet there, free tables)."""
    who: dict[int, set[str]] = defaultdict(set)
    for p in res.pairs:
        for t in p.slots:
            who[t] |= {p.buyer_id, p.sme_id}
    # t is in a pair's slots iff both members are free there, so equal signatures mean equal usable pairs
    groups: dict[tuple[frozenset[str], int], list[int]] = defaultdict(list)
    for t in sorted(who):
        groups[(frozenset(who[t]), res.tables[t])].append(t)
    return sorted((tuple(ts) for ts in groups.values()), key=lambda b: b[0])


def place_in_slots(
    res: Residual,
    block: Block,
    pairs: Sequence[tuple[str, str]],
    *,
    keep: set[tuple[str, str, int]] | frozenset[tuple[str, str, int]] = frozenset(),
    time_limit: float = 10.0,
) -> list[tuple[str, str, int]]:
    """Give each (buyer, SME) chosen for ``block`` one of its slots: no clashes, tables respected."""
    if not pairs:
        return []
    model = cp_model.CpModel()
    x = {(i, t): model.new_bool_var(f"y{i}_{t}") for i in range(len(pairs)) for t in block}
    by_who_slot: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    for i, (b, s) in enumerate(pairs):
        model.add_exactly_one([x[(i, t)] for t in block])
        for t in block:
            by_who_slot[(b, t)].append(x[(i, t)])
            by_who_slot[(s, t)].append(x[(i, t)])
    for group in by_who_slot.values():
        model.add_at_most_one(group)
    for t in block:
        model.add(sum(x[(i, t)] for i in range(len(pairs))) <= res.tables[t])
    kept = [x[(i, t)] for i, (b, s) in enumerate(pairs) for t in block if (b, s, t) in keep]
    if kept:
        model.maximize(sum(kept))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise MatcherError(f"时段分配失败（{solver.status_name(code)}），请放宽求解时间后重试")
    return [(b, s, t) for i, (b, s) in enumerate(pairs) for t in block if solver.boolean_value(x[(i, t)])]
