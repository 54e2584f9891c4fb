"""The typed criteria: conditions (leaves and all/any groups), points tables, tiers, cost model.

These frozen dataclasses are what :mod:`matcher.tiers.loader` builds from the versioned YAML after a park's
overrides; the assessment code reads only these, never raw YAML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from matcher.domain.models import Tier
from matcher.errors import MatcherError

OPS = (">=", ">", "<=", "<", "==")


class CriteriaError(MatcherError):
    """The criteria YAML or a park override is malformed; the message names the rule and the fix."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """One comparison: ``metric op value``, or ``score op value`` for a points table or one of its groups."""

    id: str
    op: str
    value: float
    metric: str | None = None
    score: str | None = None
    title: str = ""
    article: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """``all`` (every child) or ``any`` (one child suffices) of nested conditions."""

    id: str
    mode: str
    children: tuple[Node, ...]
    title: str = ""
    article: str = ""
    note: str = ""


Node = Leaf | Group


@dataclass(frozen=True, slots=True)
class Band:
    id: str
    points: float
    when: Node


@dataclass(frozen=True, slots=True)
class Indicator:
    """One scored indicator: ``ladder`` (best band met), ``steps``, ``count`` of items, or a ``value``."""

    id: str
    title: str
    group: str
    max: float
    kind: str
    bands: tuple[Band, ...] = ()
    default: float = 0.0
    metric: str | None = None
    every: float = 1.0
    per: float = 1.0
    items: tuple[Leaf, ...] = ()
    article: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ScoreTable:
    id: str
    title: str
    groups: dict[str, tuple[str, float]]
    indicators: tuple[Indicator, ...]
    article: str = ""


@dataclass(frozen=True, slots=True)
class TierCriteria:
    tier: Tier
    label: str
    short: str
    source: str
    requires: tuple[Tier, ...]
    conditions: Node
    scores: tuple[ScoreTable, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class CostModel:
    """万元-equivalent cost of closing one unit of a gap, per metric (see the YAML's ``costs.note``)."""

    per_unit: dict[str, float | str]
    missing: float = 2.0
    staff_cost: float = 15.0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Criteria:
    version: str
    title: str
    tiers: tuple[TierCriteria, ...]
    keywords: dict[str, tuple[str, ...]]
    costs: CostModel
    park: str = ""
    disabled: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)

    def tier(self, tier: Tier) -> TierCriteria:
        for t in self.tiers:
            if t.tier is tier:
                return t
        raise CriteriaError(f"标准 {self.version} 未定义层级 {tier.label}")

    def nodes(self) -> Iterator[Node]:
        for t in self.tiers:
            yield from walk(t.conditions)
            for table in t.scores:
                for ind in table.indicators:
                    for band in ind.bands:
                        yield from walk(band.when)
                    yield from ind.items

    def rule(self, rule_id: str) -> Node:
        for node in self.nodes():
            if node.id == rule_id:
                return node
        raise CriteriaError(f"未知规则编号 {rule_id!r}")


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Group):
        for child in node.children:
            yield from walk(child)
