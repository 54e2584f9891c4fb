"""Assess enterprises against the criteria: the tier reached, points per indicator, gaps to the next tier.

>>> from matcher.tiers import assess, load_criteria
>>> a = assess(enterprise, load_criteria(), dt.date(2024, 6, 30))      # doctest: +SKIP
>>> a.tier.label, a.gaps_to_next[0].message                             # doctest: +SKIP
('创新型中小企业', '研发费用占比 2.4%，距专精特新要求的 3% 差 0.6 个百分点，约 36 万元')

:func:`assess_many` evaluates a whole park in one vectorized pass and builds the detailed
:class:`Assessment` of a row only when asked (``batch.assessment(i)``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from matcher.domain.models import Enterprise, Tier
from matcher.tiers.criteria import Criteria, Indicator, Leaf, TierCriteria, walk
from matcher.tiers.evaluate import MET, UNKNOWN, Evaluation, evaluate
from matcher.tiers.gaps import Gap, collect, fmt, with_unit
from matcher.tiers.metrics import METRICS, Columns, to_columns

LADDER = (Tier.INNOVATIVE, Tier.SPECIALIZED, Tier.LITTLE_GIANT, Tier.CHAMPION)
_TIERS = list(Tier)


class State(StrEnum):
    MET = "met"
    UNMET = "unmet"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {"met": "满足", "unmet": "未满足", "missing": "缺失"}[self.value]


_STATE = {MET: State.MET, UNKNOWN: State.MISSING, 0: State.UNMET}


@dataclass(frozen=True, slots=True)
class Value:
    metric: str
    title: str
    value: float | None

    @property
    def display(self) -> str:
        m = METRICS[self.metric]
        if self.value is None:
            return "缺失"
        if m.kind == "flag":
            return "是" if self.value else "否"
        if m.kind == "rank" and self.value == 0 and m.zero_label:
            return m.zero_label
        return with_unit(self.value, m.unit)


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    """Points of one indicator; ``points`` is None (缺失) when data is missing and ``lo < hi``."""

    id: str
    title: str
    group: str
    lo: float
    hi: float
    max: float
    values: tuple[Value, ...]
    article: str = ""

    @property
    def points(self) -> float | None:
        return self.lo if self.lo == self.hi else None

    @property
    def display(self) -> str:
        return fmt(self.lo) if self.lo == self.hi else f"缺失（{fmt(self.lo)}–{fmt(self.hi)}）"


@dataclass(frozen=True, slots=True)
class ConditionResult:
    id: str
    title: str
    state: State
    value: Value | None
    requirement: str
    article: str = ""


@dataclass(frozen=True, slots=True)
class TierResult:
    """One tier: MET = qualifies, UNMET = does not, MISSING = cannot tell without the missing data."""

    tier: Tier
    state: State
    points_lo: float | None = None
    points_hi: float | None = None
    indicators: tuple[IndicatorScore, ...] = ()
    conditions: tuple[ConditionResult, ...] = ()

    @property
    def points(self) -> float | None:
        return self.points_lo if self.points_lo == self.points_hi else None


@dataclass(frozen=True, slots=True)
class Assessment:
    uscc: str
    name: str
    as_of: dt.date
    tier: Tier
    possible_tier: Tier
    next_tier: Tier | None
    results: dict[Tier, TierResult] = field(default_factory=dict)
    gaps_to_next: tuple[Gap, ...] = ()
    missing: tuple[str, ...] = ()
    park: str = ""
    year: int | None = None


# Tiers for 中小企业 only (《优质中小企业梯度培育管理暂行办法》): a large enterprise is never steered to them
SME_TIERS = frozenset({Tier.INNOVATIVE, Tier.SPECIALIZED, Tier.LITTLE_GIANT})


def next_tier(tier: Tier, *, large: bool = False) -> Tier | None:
    """The next assessable tier above ``tier`` (领航 is recognized, not assessed); for a large enterprise
    (大型 by the 2017 statistical rule) the SME tiers are skipped: its next target is 单项冠军.

    >>> next_tier(Tier.NONE), next_tier(Tier.NONE, large=True)
    (<Tier.INNOVATIVE: 'innovative'>, <Tier.CHAMPION: 'champion'>)
    """
    above = [t for t in LADDER if _TIERS.index(t) > _TIERS.index(tier) and not (large and t in SME_TIERS)]
    return above[0] if above else None


def _metrics_of(ind: Indicator) -> list[str]:
    if ind.metric:
        return [ind.metric]
    leaves = [n for b in ind.bands for n in walk(b.when) if isinstance(n, Leaf)] + list(ind.items)
    return list(dict.fromkeys(str(n.metric) for n in leaves if n.metric))


def _val(cols: Columns, name: str, i: int) -> Value:
    v = float(cols[name][i])
    return Value(name, METRICS[name].title, None if math.isnan(v) else v)


def _tier_result(tc: TierCriteria, ev: Evaluation, cols: Columns, i: int) -> TierResult:
    inds: list[IndicatorScore] = []
    lo = hi = None
    for table in tc.scores:
        for ind in table.indicators:
            a, b = ev.points[ind.id]
            vals = tuple(_val(cols, m, i) for m in _metrics_of(ind))
            inds.append(
                IndicatorScore(
                    ind.id, ind.title, ind.group, float(a[i]), float(b[i]), ind.max, vals, ind.article
                )
            )
        lo, hi = (float(x[i]) for x in ev.points[table.id])
    conds = tuple(
        ConditionResult(
            n.id,
            n.title or (METRICS[n.metric].title if n.metric else n.id),
            _STATE[int(ev.states[n.id][i])],
            _val(cols, n.metric, i) if n.metric else None,
            f"{n.op} {fmt(n.value)}",
            n.article,
        )
        for n in walk(tc.conditions)
        if isinstance(n, Leaf)
    )
    return TierResult(tc.tier, _STATE[int(ev.qualified[tc.tier][i])], lo, hi, tuple(inds), conds)


def explain(
    ev: Evaluation, cols: Columns, crit: Criteria, i: int, enterprise: Enterprise, as_of: dt.date
) -> Assessment:
    """The detailed :class:`Assessment` of row ``i`` of an evaluation."""
    tier, possible = _TIERS[int(ev.tier[i])], _TIERS[int(ev.possible[i])]
    nxt = next_tier(tier, large=enterprise.size_class == "大型")
    gaps: list[Gap] = []
    if nxt is not None and any(t.tier is nxt for t in crit.tiers):
        tc = crit.tier(nxt)
        gaps = collect(tc.conditions, ev, cols, i, tc.short, crit)
    missing = tuple(dict.fromkeys(g.title for g in gaps if g.missing and g.metric))
    return Assessment(
        uscc=enterprise.uscc,
        name=enterprise.name,
        park=enterprise.park,
        as_of=as_of,
        year=enterprise.indicators.year,
        tier=tier,
        possible_tier=possible,
        next_tier=nxt,
        results={tc.tier: _tier_result(tc, ev, cols, i) for tc in crit.tiers},
        gaps_to_next=tuple(gaps),
        missing=missing,
    )


@dataclass(frozen=True, slots=True)
class BatchAssessment:
    """A park (or 100,000 enterprises) assessed at once: tiers as arrays, details on demand."""

    enterprises: Sequence[Enterprise]
    criteria: Criteria
    as_of: dt.date
    columns: Columns
    evaluation: Evaluation

    @property
    def tiers(self) -> list[Tier]:
        return [_TIERS[int(t)] for t in self.evaluation.tier]

    def counts(self) -> dict[Tier, int]:
        found = np.bincount(self.evaluation.tier.astype(np.int64), minlength=len(_TIERS))
        return {t: int(found[k]) for k, t in enumerate(_TIERS)}

    def assessment(self, i: int) -> Assessment:
        return explain(self.evaluation, self.columns, self.criteria, i, self.enterprises[i], self.as_of)

    def assessments(self) -> list[Assessment]:
        return [self.assessment(i) for i in range(len(self.enterprises))]


def assess_many(enterprises: Sequence[Enterprise], criteria: Criteria, as_of: dt.date) -> BatchAssessment:
    """Assess all ``enterprises`` in one vectorized pass."""
    cols = to_columns(enterprises, criteria.keywords)
    return BatchAssessment(enterprises, criteria, as_of, cols, evaluate(cols, criteria))


def assess(enterprise: Enterprise, criteria: Criteria, as_of: dt.date) -> Assessment:
    """Assess one enterprise: highest tier, points per indicator with the values used, gaps to the next tier."""
    return assess_many([enterprise], criteria, as_of).assessment(0)
