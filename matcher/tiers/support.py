"""Targeted support: the cheapest gap to close, concrete next steps, and the park's cultivation pipeline.

Cost model (``costs`` in the criteria YAML, overridable per park): each gap is priced in 万元-equivalent —
R&D shortfalls at the money they need (a ratio gap times revenue), new R&D staff at ``staff_cost`` per
head, patents, certifications and ratio points at rough per-unit figures. Gaps money cannot close soon
(years in the niche, last year's figures, awards, ranks, market share) have no price: they are listed,
but never proposed as "the cheapest". Reporting a missing value costs ``costs.missing``.

The matching engine plugs in through ``candidate_demands(enterprise) -> list[...]``: open demands of
leading firms the enterprise could answer, shown as next steps ("可对接需求").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matcher.domain.models import Enterprise, Tier
from matcher.tiers.assess import Assessment
from matcher.tiers.gaps import NOT_CLOSABLE, Gap, fmt

CandidateDemands = Callable[[Enterprise], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class SupportPlan:
    uscc: str
    name: str
    tier: Tier
    next_tier: Tier | None
    cheapest: Gap | None
    cost: float | None
    steps: tuple[str, ...]
    demands: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class PipelineEntry:
    uscc: str
    name: str
    tier: Tier
    cost: float | None
    open_gaps: int
    summary: str


def _leaf_gaps(a: Assessment) -> list[Gap]:
    """Gaps naming a metric (score headlines are summaries of the leaf gaps that follow them)."""
    return [g for g in a.gaps_to_next if g.metric is not None]


def path_cost(a: Assessment) -> float | None:
    """Total 万元-equivalent to reach the next tier, None when some gap cannot be bought."""
    total = 0.0
    for g in a.gaps_to_next:
        if g.metric is None and g.cost is None:  # a points shortfall with no affordable plan
            return None
        if g.metric is not None:
            if g.cost is None:
                return None
            total += g.cost
    return total if a.next_tier is not None else None


def cheapest_gap(a: Assessment) -> Gap | None:
    """The priced, real (not missing-data) gap with the lowest cost."""
    priced = [g for g in _leaf_gaps(a) if not g.missing and g.cost is not None]
    return min(priced, key=lambda g: (g.cost or 0.0, g.rule_id)) if priced else None


def support_plan(
    a: Assessment,
    enterprise: Enterprise | None = None,
    candidate_demands: CandidateDemands | None = None,
    limit: int = 3,
) -> SupportPlan:
    """Next steps for one enterprise: report missing data, close the cheapest gap, answer demands."""
    steps: list[str] = []
    if a.missing:
        steps.append(f"补报数据：{'、'.join(a.missing)}")
    cheap = cheapest_gap(a)
    if cheap is not None:
        steps.append(f"优先补齐（约 {fmt(cheap.cost or 0)} 万元等值）：{cheap.message}")
    steps += [g.message for g in _leaf_gaps(a) if g is not cheap and not g.missing]
    demands: tuple[Any, ...] = ()
    if candidate_demands is not None and enterprise is not None:
        demands = tuple(candidate_demands(enterprise))[:limit]
        steps += [f"可对接龙头企业需求：{d}" for d in demands]
    return SupportPlan(a.uscc, a.name, a.tier, a.next_tier, cheap, path_cost(a), tuple(steps), demands)


def only_missing_data(a: Assessment) -> bool:
    """Whether every gap to the next tier is data not reported: nothing says how close the firm is."""
    leaf = _leaf_gaps(a)
    return a.next_tier is not None and bool(leaf) and all(g.missing for g in leaf)


def awaiting_data(assessments: Iterable[Assessment]) -> list[Assessment]:
    """The enterprises the pipeline leaves out until they report the data their next tier is judged on."""
    return [a for a in assessments if only_missing_data(a)]


def pipeline(assessments: Iterable[Assessment], per_tier: int = 10) -> dict[Tier, list[PipelineEntry]]:
    """For each next tier, the enterprises closest to it (lowest total cost first; unpriceable last).
    Not padded with data requests: a firm whose only gaps are unreported data is left out
    (``awaiting_data``), and a listed firm's summary names its real gaps, then how many items it lacks."""
    groups: dict[Tier, list[PipelineEntry]] = {}
    for a in assessments:
        if a.next_tier is None or only_missing_data(a):
            continue
        leaf = _leaf_gaps(a)
        unknown = sum(g.missing for g in leaf)
        cost = path_cost(a)
        summary = "；".join(g.message for g in [g for g in a.gaps_to_next if not g.missing][:3])
        if unknown:
            summary += f"；另有 {unknown} 项数据待补报"
        groups.setdefault(a.next_tier, []).append(
            PipelineEntry(a.uscc, a.name, a.tier, cost, len(leaf), summary)
        )
    return {
        t: sorted(v, key=lambda e: (NOT_CLOSABLE if e.cost is None else e.cost, e.open_gaps, e.uscc))[
            :per_tier
        ]
        for t, v in sorted(groups.items(), key=lambda kv: list(Tier).index(kv[0]))
    }


def plans(
    assessments: Iterable[Assessment],
    enterprises: Mapping[str, Enterprise] | None = None,
    candidate_demands: CandidateDemands | None = None,
) -> list[SupportPlan]:
    """Support plans for every enterprise that has a next tier, cheapest path first."""
    out = [
        support_plan(a, (enterprises or {}).get(a.uscc), candidate_demands)
        for a in assessments
        if a.next_tier is not None
    ]
    return sorted(out, key=lambda p: (NOT_CLOSABLE if p.cost is None else p.cost, p.uscc))
