"""Tier paths and the park pyramid on a hand-built 3-enterprise, 2-year case."""

from __future__ import annotations

import datetime as dt

from matcher.domain.models import Tier
from matcher.tiers import TierRecord, pyramid, tier_paths

N, IN, S, G = Tier.NONE, Tier.INNOVATIVE, Tier.SPECIALIZED, Tier.LITTLE_GIANT
RECORDS = [
    TierRecord("A", dt.date(2023, 6, 1), IN),
    TierRecord("B", dt.date(2023, 6, 1), S),
    TierRecord("C", dt.date(2023, 6, 1), N),
    TierRecord("A", dt.date(2024, 3, 1), IN),   # re-assessed later in 2024: the later record counts
    TierRecord("A", dt.date(2024, 9, 1), S),   # A up I -> S
    TierRecord("B", dt.date(2024, 9, 1), IN),   # B down S -> I
    TierRecord("D", dt.date(2024, 9, 1), IN),   # D new; C not assessed in 2024 (left)
]


def test_tier_paths() -> None:
    paths = tier_paths(RECORDS)
    assert paths["A"] == [(2023, IN), (2024, S)]
    assert paths["B"] == [(2023, S), (2024, IN)]
    assert paths["C"] == [(2023, N)] and paths["D"] == [(2024, IN)]


def test_pyramid_counts_and_movements() -> None:
    y23, y24 = pyramid(reversed(RECORDS))  # input order does not matter
    assert y23.year == 2023 and (y23.counts[N], y23.counts[IN], y23.counts[S], y23.counts[G]) == (1, 1, 1, 0)
    assert (y23.up, y23.down, y23.entered, y23.left) == (0, 0, 0, 0)
    assert (y24.counts[N], y24.counts[IN], y24.counts[S]) == (0, 2, 1)
    assert (y24.up, y24.down, y24.same, y24.entered, y24.left) == (1, 1, 0, 1, 1)
    assert y24.moves == {(IN, S): 1, (S, IN): 1}
