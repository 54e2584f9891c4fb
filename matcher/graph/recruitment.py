"""From coverage to action: 链式招商 candidates for gaps, 融入供应链 suggestions, the leading-industry check.

Scores are simple weighted sums of explainable parts, and each part that contributes becomes a Chinese
reason, so a park officer can see why a firm is on the list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from matcher.domain.industry import industry_name
from matcher.domain.models import GUIDELINE, MAX_LEADING_INDUSTRIES, Role, Tier
from matcher.graph.analysis import ChainCoverage, Producer
from matcher.graph.firms import TIER_RANK, Firm, as_firm
from matcher.graph.schema import EdgeKind, NodeKind, key_of
from matcher.ranking.relevance import points

METHOD_LABEL = {
    "exact": "名称一致",
    "normalized": "名称规范化后一致",
    "contains": "包含环节关键词",
    "embedding": "语义相近",
}
WEIGHTS = {"match": 0.4, "share": 0.2, "tier": 0.15, "multi": 0.15, "near": 0.1}


@dataclass(frozen=True)
class Candidate:
    firm: Firm
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Location:
    """Where the park is, for the proximity reason."""

    province: str = ""
    city: str = ""


def _share(p: Producer) -> float | None:
    firm = p.firm
    for name, share in zip(firm.products, firm.shares, strict=False):
        if name == p.link.item:
            return share
    return None


def _candidate(p: Producer, link_name: str, fills: list[str], where: Location) -> Candidate:
    share, tier = _share(p), TIER_RANK[p.firm.tier] / (len(TIER_RANK) - 1)
    near = (
        1.0
        if where.city and p.firm.city == where.city
        else (0.5 if where.province and p.firm.province == where.province else 0.0)
    )
    parts = {
        "match": p.link.score,
        "share": share or 0.0,
        "tier": tier,
        "multi": min(1.0, (len(fills) - 1) / 2),
        "near": near,
    }
    reasons = [f"主营「{p.link.item}」，对应环节「{link_name}」（{METHOD_LABEL[p.link.method]}）"]
    if share:
        reasons.append(f"该产品占营收 {share:.0%}")
    if p.firm.tier is not Tier.NONE:
        reasons.append(f"已认定为{p.firm.tier_label}")
    if len(fills) > 1:
        reasons.append(f"可同时补齐本园区 {len(fills)} 个缺失环节：{'、'.join(fills)}")
    if near:
        reasons.append(
            f"位于{'同市' if near == 1.0 else '同省'}（{p.firm.city if near == 1.0 else p.firm.province}）"
        )
    if p.firm.source != "registry":
        reasons.append(f"来源：{p.firm.source}")
    return Candidate(p.firm, points(sum(WEIGHTS[k] * v for k, v in parts.items())), tuple(reasons))


def recruitment_candidates(
    coverage: ChainCoverage, *, where: Location = Location(), limit: int = 10
) -> dict[str, list[Candidate]]:
    """For each gap link, outside firms that make it, best first (score, then name for stable order)."""
    gap_names: dict[str, list[str]] = defaultdict(list)
    for lc in coverage.gaps:
        for p in lc.outside:
            gap_names[p.firm.id].append(lc.name)
    result: dict[str, list[Candidate]] = {}
    for lc in coverage.gaps:
        ranked = [_candidate(p, lc.name, gap_names[p.firm.id], where) for p in lc.outside]
        ranked.sort(key=lambda c: (-c.score, c.firm.name))
        result[lc.node] = ranked[:limit]
    return result


@dataclass(frozen=True)
class Supplier:
    firm: Firm
    tier_label: str
    product: str


@dataclass(frozen=True)
class Integration:
    """Local SMEs that could supply ``upstream``, a link feeding ``link`` which the leading firm makes."""

    leading: Firm
    link: str
    upstream: str
    suppliers: tuple[Supplier, ...]


def supply_integration(
    G: nx.DiGraph, coverage: ChainCoverage, *, tier_of: Callable[[Firm], str] | None = None
) -> list[Integration]:
    """融入供应链: per local leading firm and each link directly upstream of what it makes, the local SMEs."""
    by_node = {lc.node: lc for lc in coverage.links}
    label = tier_of or (lambda f: f.tier_label)
    result = []
    for lc in coverage.links:
        for lead in (p.firm for p in lc.local if p.firm.role is Role.LEADING):
            for up in G.predecessors(lc.node):
                if up not in by_node:
                    continue
                smes = [p for p in by_node[up].local if p.firm.role is Role.SME and p.firm.id != lead.id]
                smes.sort(key=lambda p: (-TIER_RANK[p.firm.tier], p.firm.name))
                result.append(
                    Integration(
                        lead,
                        lc.name,
                        by_node[up].name,
                        tuple(Supplier(p.firm, label(p.firm), p.link.item) for p in smes),
                    )
                )
    return result


@dataclass(frozen=True)
class IndustryCheck:
    ok: bool
    in_chains: float
    problems: tuple[str, ...]
    top_outside: tuple[tuple[str, int], ...]


def leading_industry_check(
    industries: Sequence[str],
    coverages: Iterable[ChainCoverage],
    firms: Iterable[Any],
    *,
    min_share: float = 0.5,
) -> IndustryCheck:
    """The guideline's limit of 3 leading industries, and a warning when most firms fall outside them."""
    problems = []
    if len(industries) > MAX_LEADING_INDUSTRIES:
        problems.append(f"主导产业 {len(industries)} 个，超过{GUIDELINE}规定的 {MAX_LEADING_INDUSTRIES} 个")
    inside = {p.firm.id for cov in coverages for lc in cov.links for p in lc.local}
    flat = [as_firm(f) for f in firms]
    share = sum(f.id in inside for f in flat) / max(1, len(flat))
    outside = Counter(_division(f.industry_code) for f in flat if f.id not in inside)
    if flat and share < min_share:
        problems.append(
            f"园区仅 {share:.0%} 的企业处于主导产业链上，企业集中在主导产业之外"
            f"（{'、'.join(f'{k} {v} 家' for k, v in outside.most_common(3))}）"
        )
    return IndustryCheck(not problems, share, tuple(problems), tuple(outside.most_common(5)))


def _division(code: str) -> str:
    """The GB/T 4754 大类 (two digits) of a code, named; '未知' when absent."""
    digits = "".join(c for c in code if c.isdigit())[:2]
    return (industry_name(digits) or digits) if digits else "未知行业"


def kg_firms(G: nx.DiGraph, *, source: str = "产业链知识图谱") -> list[Firm]:
    """The companies of a loaded knowledge graph as outside firms, products ordered by revenue share."""
    firms = []
    for node, data in G.nodes(data=True):
        if data.get("kind") != NodeKind.COMPANY.value:
            continue
        made = sorted(
            (
                (key_of(p), d.get("weight", 0.0))
                for _, p, d in G.out_edges(node, data=True)
                if d.get("kind") == EdgeKind.PRODUCES.value
            ),
            key=lambda t: -t[1],
        )
        firms.append(
            Firm(
                id=data.get("code", key_of(node)),
                name=data.get("name", ""),
                park="",
                products=tuple(n for n, _ in made),
                shares=tuple(min(1.0, w) for _, w in made),
                source=source,
            )
        )
    return firms
