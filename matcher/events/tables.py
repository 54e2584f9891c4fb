"""Assign tables to scheduled meetings so that leading firms stay put.

Any table serves any meeting, so tables are chosen after the slots: the busiest buyers (as many as there
are tables) get a home table they keep all day; the others take the table they used last, else any free one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from matcher.errors import MatcherError
from matcher.events.model import Event

Tabled = tuple[str, str, int, str]


def assign_tables(
    event: Event, triples: Sequence[tuple[str, str, int]], *, fixed: Sequence[Tabled] = ()
) -> list[Tabled]:
    """(buyer, SME, slot) -> (buyer, SME, slot, table_id); ``fixed`` meetings keep their tables."""
    table_ids = [t.id for t in event.tables]
    home = _homes(table_ids, triples, fixed)
    taken: dict[int, set[str]] = defaultdict(set)
    last: dict[str, str] = {}
    for b, _, t, tab in sorted(fixed, key=lambda m: m[2]):
        taken[t].add(tab)
        last[b] = tab
    by_slot: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for b, s, t in triples:
        by_slot[t].append((b, s))
    out: list[Tabled] = []
    for t in sorted(by_slot):
        chosen = _slot_tables(t, sorted(by_slot[t]), table_ids, taken[t], home, last)
        for (b, s), tab in chosen.items():
            out.append((b, s, t, tab))
            last[b] = tab
    return out


def _homes(
    table_ids: list[str], triples: Sequence[tuple[str, str, int]], fixed: Sequence[Tabled]
) -> dict[str, str]:
    """Home tables: kept from earlier (fixed) meetings, else given to the busiest buyers first."""
    home: dict[str, str] = {}
    for b, _, _, tab in fixed:
        home.setdefault(b, tab)
    busy = Counter(b for b, _, _ in triples)
    free = [t for t in table_ids if t not in set(home.values())]
    for b, _ in busy.most_common():
        if b not in home and free:
            home[b] = free.pop(0)
    return home


def _slot_tables(
    slot: int,
    pairs: list[tuple[str, str]],
    table_ids: list[str],
    taken: set[str],
    home: dict[str, str],
    last: dict[str, str],
) -> dict[tuple[str, str], str]:
    free = [t for t in table_ids if t not in taken]
    if len(pairs) > len(free):
        raise MatcherError(f"第 {slot + 1} 时段有 {len(pairs)} 场洽谈，但只有 {len(free)} 张空桌")
    chosen: dict[tuple[str, str], str] = {}
    homes = set(home.values())
    for wish in (home, last):
        for b, s in pairs:
            tab = wish.get(b)
            if (b, s) not in chosen and tab in free:
                chosen[(b, s)] = tab
                free.remove(tab)
    free.sort(key=lambda t: t in homes)  # tables nobody calls home first
    for b, s in pairs:
        if (b, s) not in chosen:
            chosen[(b, s)] = free.pop(0)
    return chosen
