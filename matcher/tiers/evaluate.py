"""Vectorized evaluation of the criteria over metric columns: one pass for 1 or 100,000 enterprises.

Conditions use three-valued (Kleene) logic coded as int8 with UNMET < UNKNOWN < MET, so that ``all`` is
the minimum and ``any`` the maximum of the children: a missing value makes a rule UNKNOWN, never UNMET.
Points are carried as an interval ``(lo, hi)``: a missing indicator scores ``lo = 0`` (or the band it is
sure to reach) and ``hi`` = the best it could reach, so "60 分以上" is MET only when ``lo >= 60`` and
UNMET only when ``hi < 60``. The single-enterprise :func:`matcher.tiers.assess.assess` runs this same code.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.domain.models import Tier
from matcher.tiers.criteria import Criteria, Indicator, Leaf, Node, ScoreTable
from matcher.tiers.metrics import Columns

UNMET, UNKNOWN, MET = 0, 1, 2
TIER_ORDER = {t: i for i, t in enumerate(Tier)}
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
Interval = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """States of every rule, points intervals, and the tier reached, one array entry per enterprise.

    ``tier`` holds the index (in :class:`Tier` order) of the highest tier whose conditions are all MET;
    ``possible`` the highest tier not ruled out (MET or UNKNOWN): the gap between them is missing data.
    """

    n: int
    states: dict[str, np.ndarray]
    points: dict[str, Interval]
    qualified: dict[Tier, np.ndarray]
    tier: np.ndarray
    possible: np.ndarray


def compare(x: np.ndarray, op: str, value: float) -> np.ndarray:
    """``x op value`` as MET/UNMET, UNKNOWN where ``x`` is NaN."""
    with np.errstate(invalid="ignore"):
        ok = _OPS[op](x, value)
    return np.where(np.isnan(x), UNKNOWN, np.where(ok, MET, UNMET)).astype(np.int8)


def compare_interval(lo: np.ndarray, hi: np.ndarray, op: str, value: float) -> np.ndarray:
    """MET when both ends satisfy ``op value``, UNMET when neither does, else UNKNOWN."""
    a, b = _OPS[op](lo, value), _OPS[op](hi, value)
    return np.where(a & b, MET, np.where(a | b, UNKNOWN, UNMET)).astype(np.int8)


def _node(
    node: Node, cols: Columns, points: dict[str, Interval], states: dict[str, np.ndarray], n: int
) -> np.ndarray:
    if isinstance(node, Leaf):
        if node.metric is not None:
            st = compare(cols[node.metric], node.op, node.value)
        else:
            lo, hi = points[str(node.score)]
            st = compare_interval(lo, hi, node.op, node.value)
    else:
        kids = [_node(c, cols, points, states, n) for c in node.children]
        if not kids:
            st = np.full(n, MET if node.mode == "all" else UNMET, dtype=np.int8)
        else:
            stack = np.vstack(kids)
            st = stack.min(axis=0) if node.mode == "all" else stack.max(axis=0)
    states[node.id] = st
    return st


def _indicator(ind: Indicator, cols: Columns, states: dict[str, np.ndarray], n: int) -> Interval:
    if ind.kind == "ladder":
        lo = np.full(n, ind.default)
        hi = lo.copy()
        for band in ind.bands:
            st = _node(band.when, cols, {}, states, n)
            lo = np.where(st == MET, np.maximum(lo, band.points), lo)
            hi = np.where(st >= UNKNOWN, np.maximum(hi, band.points), hi)
        return lo, hi
    if ind.kind == "count":
        sts = np.vstack([_node(item, cols, {}, states, n) for item in ind.items])
        met, unk = (sts == MET).sum(axis=0), (sts == UNKNOWN).sum(axis=0)
        return np.minimum(met * ind.per, ind.max), np.minimum((met + unk) * ind.per, ind.max)
    x = cols[str(ind.metric)]
    if ind.kind == "steps":
        pts = np.minimum(np.floor(x / ind.every) * ind.per, ind.max)
    else:
        pts = np.clip(x, 0, ind.max)
    missing = np.isnan(x)
    return np.where(missing, 0.0, pts), np.where(missing, ind.max, pts)


def _table(table: ScoreTable, cols: Columns, states: dict[str, np.ndarray], n: int) -> dict[str, Interval]:
    out: dict[str, Interval] = {}
    sums = {g: (np.zeros(n), np.zeros(n)) for g in table.groups}
    for ind in table.indicators:
        lo, hi = _indicator(ind, cols, states, n)
        out[ind.id] = (lo, hi)
        glo, ghi = sums[ind.group]
        sums[ind.group] = (glo + lo, ghi + hi)
    for g, interval in sums.items():
        out[f"{table.id}/{g}"] = interval
    out[table.id] = (
        np.sum([v[0] for v in sums.values()], axis=0),
        np.sum([v[1] for v in sums.values()], axis=0),
    )
    return out


def evaluate(cols: Columns, crit: Criteria) -> Evaluation:
    """Evaluate every tier of ``crit`` over the columns (see :func:`matcher.tiers.metrics.to_columns`)."""
    n = len(next(iter(cols.values())))
    states: dict[str, np.ndarray] = {}
    points: dict[str, Interval] = {}
    for t in crit.tiers:
        for table in t.scores:
            points.update(_table(table, cols, states, n))
    qualified: dict[Tier, np.ndarray] = {}
    tier = np.zeros(n, dtype=np.int8)
    possible = np.zeros(n, dtype=np.int8)
    for t in sorted(crit.tiers, key=lambda t: TIER_ORDER[t.tier]):
        st = _node(t.conditions, cols, points, states, n)
        for req in t.requires:
            st = np.minimum(st, qualified[req])
        qualified[t.tier] = st
        idx = TIER_ORDER[t.tier]
        tier = np.where(st == MET, np.maximum(tier, idx), tier).astype(np.int8)
        possible = np.where(st >= UNKNOWN, np.maximum(possible, idx), possible).astype(np.int8)
    return Evaluation(n=n, states=states, points=points, qualified=qualified, tier=tier, possible=possible)
