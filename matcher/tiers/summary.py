"""What is shown and kept of an assessment: the headline points, the one gap worth printing, and the JSON
detail stored beside the tier (``matcher.store.tiers_repo`` writes it; pages, exports and the CLI show it)."""

from __future__ import annotations

from typing import Any

from matcher.domain import Tier
from matcher.tiers.assess import Assessment
from matcher.tiers.gaps import NOT_CLOSABLE, Gap
from matcher.tiers.support import support_plan


def points_of(a: Assessment) -> tuple[Tier, float | None, float | None, float | None]:
    """(table, points, lo, hi) of the headline score: the next tier's table when it has one (how far an
    unrecognized firm is from 创新型), else the highest table (专精特新 for 专精特新 and above).
    ``points`` is None when missing data leaves ``lo < hi``."""
    table = Tier.INNOVATIVE if a.tier is Tier.NONE else Tier.SPECIALIZED
    r = a.results.get(table)
    if r is None:
        return table, None, None, None
    return table, r.points, r.points_lo, r.points_hi


def main_gap(a: Assessment) -> str:
    """The one gap worth printing: the cheapest real one, else the first (often 'report missing data')."""
    cheapest = support_plan(a).cheapest
    if cheapest is not None:
        return cheapest.message
    return a.gaps_to_next[0].message if a.gaps_to_next else ""


def _gap(g: Gap) -> dict[str, Any]:
    cost = None if g.cost is None or g.cost >= NOT_CLOSABLE else g.cost
    return {
        "rule_id": g.rule_id,
        "title": g.title,
        "metric": g.metric,
        "missing": g.missing,
        "amount": g.amount,
        "unit": g.unit,
        "cost": cost,
        "message": g.message,
    }


def detail_of(a: Assessment) -> dict[str, Any]:
    """The JSON kept beside the tier: headline points, per-indicator points and values, gaps, missing data."""
    table, points, lo, hi = points_of(a)
    scores = [
        {
            "tier": r.tier.value,
            "lo": r.points_lo,
            "hi": r.points_hi,
            "indicators": [
                {
                    "id": i.id,
                    "title": i.title,
                    "group": i.group,
                    "lo": i.lo,
                    "hi": i.hi,
                    "max": i.max,
                    "values": {v.metric: v.value for v in i.values},
                }
                for i in r.indicators
            ],
        }
        for r in a.results.values()
        if r.indicators
    ]
    return {
        "name": a.name,
        "year": a.year,
        "possible_tier": a.possible_tier.value,
        "next_tier": a.next_tier.value if a.next_tier else None,
        "states": {t.value: r.state.value for t, r in a.results.items()},
        "points_tier": table.value,
        "points_lo": lo,
        "points_hi": hi,
        "main_gap": main_gap(a),
        "scores": scores,
        "gaps": [_gap(g) for g in a.gaps_to_next],
        "missing": list(a.missing),
    }
