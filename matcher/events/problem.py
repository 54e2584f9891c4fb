"""The scheduling problem left to solve once some meetings are fixed (held, or kept from a plan).

Both schedulers (CP-SAT and greedy) read this: pairs with the slots still open to both sides, the
remaining meeting caps, free tables per slot, and how many more meetings each SME needs to reach k.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matcher.domain.models import Role
from matcher.events.model import Event
from matcher.events.pairs import Pair, PairSet, Weights, candidate_pairs
from matcher.events.schedule import Meeting


@dataclass(frozen=True)
class Residual:
    """What is left: pairs (slots restricted), caps, free tables, SME needs; ``pairset`` is the full set."""

    pairs: list[Pair]
    cap: dict[str, int]
    tables: dict[int, int]
    need: dict[str, int]
    pairset: PairSet
    weights: Weights


def residual(
    event: Event,
    *,
    weights: Weights | None = None,
    fixed: Sequence[Meeting] = (),
    open_slots: Iterable[int] | None = None,
) -> Residual:
    """Build the residual problem: ``fixed`` meetings count, only ``open_slots`` take new meetings."""
    weights = weights or Weights()
    pairset = candidate_pairs(event, weights)
    n = event.slot_count
    allowed = set(range(n) if open_slots is None else open_slots)
    busy: dict[str, set[int]] = defaultdict(set)
    for m in fixed:
        busy[m.buyer_id].add(m.slot)
        busy[m.sme_id].add(m.slot)
    met = {(m.buyer_id, m.sme_id) for m in fixed}
    pairs = []
    for p in pairset.pairs:
        slots = tuple(
            t for t in p.slots if t in allowed and t not in busy[p.buyer_id] and t not in busy[p.sme_id]
        )
        if slots and (p.buyer_id, p.sme_id) not in met:
            pairs.append(p._replace(slots=slots))
    used = Counter([m.buyer_id for m in fixed] + [m.sme_id for m in fixed])
    cap = {
        q.id: max(0, (n if q.max_meetings is None else q.max_meetings) - used[q.id])
        for q in event.participants
    }
    per_slot = Counter(m.slot for m in fixed)
    tables = {t: max(0, len(event.tables) - per_slot[t]) for t in range(n)}
    k = event.min_meetings_per_sme
    need = {q.id: max(0, k - used[q.id]) for q in event.of_role(Role.SME)}
    return Residual(pairs, cap, tables, need, pairset, weights)
