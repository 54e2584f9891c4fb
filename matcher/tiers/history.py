"""History: dated assessments kept over the years, an enterprise's tier path, the park's pyramid per year.

Pure functions over any records with ``uscc``, ``as_of`` and ``tier`` (an :class:`Assessment` or a
stored :class:`TierRecord`). When an enterprise was assessed several times in a year, the latest counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from matcher.domain.models import Tier

_ORDER = {t: i for i, t in enumerate(Tier)}


class Dated(Protocol):
    @property
    def uscc(self) -> str: ...
    @property
    def as_of(self) -> dt.date: ...
    @property
    def tier(self) -> Tier: ...


@dataclass(frozen=True, slots=True)
class TierRecord:
    """The part of an assessment worth storing for history."""

    uscc: str
    as_of: dt.date
    tier: Tier
    points: float | None = None


@dataclass(frozen=True, slots=True)
class PyramidYear:
    """Counts per tier in ``year`` and movements against the previous assessed year."""

    year: int
    counts: dict[Tier, int]
    up: int = 0
    down: int = 0
    same: int = 0
    entered: int = 0
    left: int = 0
    moves: dict[tuple[Tier, Tier], int] = field(default_factory=dict)


def by_year(records: Iterable[Dated]) -> dict[int, dict[str, Tier]]:
    """year -> uscc -> tier, keeping each enterprise's latest assessment of the year."""
    latest: dict[tuple[int, str], Dated] = {}
    for r in records:
        key = (r.as_of.year, r.uscc)
        if key not in latest or r.as_of >= latest[key].as_of:
            latest[key] = r
    out: dict[int, dict[str, Tier]] = {}
    for (year, uscc), r in sorted(latest.items()):
        out.setdefault(year, {})[uscc] = r.tier
    return out


def tier_paths(records: Iterable[Dated]) -> dict[str, list[tuple[int, Tier]]]:
    """uscc -> [(year, tier), ...] in year order: each enterprise's path through the tiers."""
    paths: dict[str, list[tuple[int, Tier]]] = {}
    for year, tiers in by_year(records).items():
        for uscc, tier in tiers.items():
            paths.setdefault(uscc, []).append((year, tier))
    return paths


def pyramid(records: Iterable[Dated]) -> list[PyramidYear]:
    """The park's tier pyramid per year, with moves up and down against the previous assessed year."""
    years = by_year(records)
    out: list[PyramidYear] = []
    prev: dict[str, Tier] = {}
    for year, now in years.items():
        counts = {t: 0 for t in Tier}
        counts.update(Counter(now.values()))
        moves = Counter((prev[u], t) for u, t in now.items() if u in prev)
        out.append(
            PyramidYear(
                year=year,
                counts=counts,
                up=sum(c for (a, b), c in moves.items() if _ORDER[b] > _ORDER[a]),
                down=sum(c for (a, b), c in moves.items() if _ORDER[b] < _ORDER[a]),
                same=sum(c for (a, b), c in moves.items() if a is b),
                entered=sum(1 for u in now if u not in prev) if prev else 0,
                left=sum(1 for u in prev if u not in now),
                moves={k: v for k, v in moves.items() if k[0] is not k[1]},
            )
        )
        prev = now
    return out
