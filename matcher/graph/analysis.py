"""Park chain analysis: which links of a leading industry's chain the park's enterprises cover.

Each enterprise product is linked to a chain link (see :mod:`matcher.graph.linking`); a link's local
producers are the park's enterprises whose products reach it. Status per link:

- ``gap`` (缺失): no local producer (``outside_only`` says whether firms outside the park make it);
- ``weak`` (薄弱): exactly one local producer;
- ``covered`` (已覆盖): two or more.

Links come back upstream first (topological depth, then stage, then template order).

Example::

    cov = chain_coverage(G, "新能源汽车", firms, park="示范园")
    [lc.name for lc in cov.gaps]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

import networkx as nx

from matcher.domain.models import Role
from matcher.graph.firms import Firm, as_firm
from matcher.graph.linking import Link, LinkIndex
from matcher.graph.schema import STAGES
from matcher.graph.templates import chain_links


class LinkStatus(StrEnum):
    COVERED = "covered"
    WEAK = "weak"
    GAP = "gap"

    @property
    def label(self) -> str:
        return {"covered": "已覆盖", "weak": "薄弱", "gap": "缺失"}[self.value]


@dataclass(frozen=True)
class Producer:
    """A firm that makes a link, and the product and link that say so."""

    firm: Firm
    link: Link


@dataclass(frozen=True)
class Exposure:
    """A local leading firm whose link lies ``distance`` steps downstream of a gap."""

    firm: Firm
    via: str
    distance: int


class Supply(NamedTuple):
    """A confirmed supplier link (an adopted 先试首用 trial): ``supplier`` makes ``product`` for ``buyer``
    (firm ids, i.e. 统一社会信用代码)."""

    supplier: str
    supplier_name: str
    buyer: str
    buyer_name: str
    product: str

    @property
    def label(self) -> str:
        return f"{self.supplier_name} → {self.buyer_name}（{self.product}）"


@dataclass
class LinkCoverage:
    node: str
    name: str
    stage: str
    depth: int
    status: LinkStatus
    local: list[Producer]
    outside: list[Producer]
    exposed: list[Exposure] = field(default_factory=list)
    adopted: list[Supply] = field(default_factory=list)  # 先试首用 adoptions supplying this link

    @property
    def outside_only(self) -> bool:
        return not self.local and bool(self.outside)

    @property
    def note(self) -> str:
        """One Chinese sentence on the link's state."""
        if self.status is LinkStatus.COVERED:
            return f"本地 {len(self.local)} 家企业生产"
        if self.status is LinkStatus.WEAK:
            return f"仅 1 家本地企业（{self.local[0].firm.name}）生产，供应单一"
        if self.outside:
            return f"园区内无生产企业，仅园区外 {len({p.firm.id for p in self.outside})} 家"
        return "园区内外均未找到生产企业"


@dataclass
class ChainCoverage:
    industry: str
    links: list[LinkCoverage]
    unlinked: list[tuple[Firm, str]]

    @property
    def gaps(self) -> list[LinkCoverage]:
        return [lc for lc in self.links if lc.status is LinkStatus.GAP]

    @property
    def weak(self) -> list[LinkCoverage]:
        return [lc for lc in self.links if lc.status is LinkStatus.WEAK]

    @property
    def coverage(self) -> float:
        """Share of links with at least one local producer."""
        return sum(lc.status is not LinkStatus.GAP for lc in self.links) / max(1, len(self.links))


@dataclass
class FirmLinks:
    """Firms grouped by the link their products reach; products reaching no link are kept in ``unlinked``."""

    by_node: dict[str, list[Producer]]
    unlinked: list[tuple[Firm, str]]


def link_firms(index: LinkIndex, firms: Iterable[Any]) -> FirmLinks:
    """Link every product of every firm once; a firm counts once per link (its best-matching product)."""
    flat = [as_firm(f) for f in firms]
    cache = index.resolve(p for f in flat for p in f.products)
    by_node: dict[str, dict[str, Producer]] = defaultdict(dict)
    unlinked: list[tuple[Firm, str]] = []
    for firm in flat:
        for product in firm.products:
            lk = cache.get(product)
            if lk is None:
                unlinked.append((firm, product))
                continue
            best = by_node[lk.node].get(firm.id)
            if best is None or lk.score > best.link.score:
                by_node[lk.node][firm.id] = Producer(firm, lk)
    return FirmLinks({n: list(ps.values()) for n, ps in by_node.items()}, unlinked)


def link_depths(G: nx.DiGraph, links: list[str]) -> dict[str, int]:
    """Longest-path depth of each link from the chain's sources (0 = most upstream)."""
    flow = G.subgraph(links)  # only upstream edges join two links
    depth = dict.fromkeys(links, 0)
    for node in nx.topological_sort(flow):
        for succ in flow.successors(node):
            depth[succ] = max(depth[succ], depth[node] + 1)
    return depth


def chain_coverage(
    G: nx.DiGraph,
    industry: str,
    firms: Iterable[Any],
    *,
    park: str | None = None,
    outside: Iterable[Any] = (),
    index: LinkIndex | None = None,
    supplies: Iterable[Supply] = (),
) -> ChainCoverage:
    """Coverage of ``industry``'s chain. With ``park``, firms of other parks count as outside producers.

    ``supplies`` (adopted trials) are proven supplier links: the supplier counts as a producer of the
    product's link even when its profile does not list the product, and the link lists the adoption."""
    links = chain_links(G, industry)
    index = index or LinkIndex({n: [G.nodes[n]["name"], *G.nodes[n]["keywords"]] for n in links})
    supplies = list(supplies)
    everyone = with_supplied_products([as_firm(f) for f in firms], supplies)
    local = [f for f in everyone if park is None or f.park == park]
    others = [f for f in everyone if park is not None and f.park != park] + [as_firm(f) for f in outside]
    here, there = link_firms(index, local), link_firms(index, others)
    depth = link_depths(G, links)
    order = {n: (depth[n], STAGES.index(G.nodes[n]["stage"]), G.nodes[n]["order"]) for n in links}
    result = []
    for node in sorted(links, key=order.__getitem__):
        mine = here.by_node.get(node, [])
        status = LinkStatus.GAP if not mine else LinkStatus.WEAK if len(mine) == 1 else LinkStatus.COVERED
        result.append(
            LinkCoverage(
                node,
                G.nodes[node]["name"],
                G.nodes[node]["stage"],
                depth[node],
                status,
                mine,
                there.by_node.get(node, []),
            )
        )
    _expose(G, result)
    _adopt(index, result, supplies)
    return ChainCoverage(industry, result, here.unlinked)


def with_supplied_products(firms: list[Firm], supplies: Iterable[Supply]) -> list[Firm]:
    """The firms with each adopted product added to its supplier's products (when not listed already)."""
    extra: dict[str, list[str]] = defaultdict(list)
    for s in supplies:
        extra[s.supplier].append(s.product)
    out = []
    for f in firms:
        new = [p for p in dict.fromkeys(extra.get(f.id, ())) if p not in f.products]
        out.append(replace(f, products=f.products + tuple(new), shares=f.shares + (None,) * len(new)))
    return out


def _adopt(index: LinkIndex, links: list[LinkCoverage], supplies: list[Supply]) -> None:
    """List each adoption on the link its product reaches."""
    by_node = {lc.node: lc for lc in links}
    found = index.resolve(s.product for s in supplies)
    for s in supplies:
        lk = found.get(s.product)
        if lk is not None and lk.node in by_node:
            by_node[lk.node].adopted.append(s)


def _expose(G: nx.DiGraph, links: list[LinkCoverage]) -> None:
    """Fill ``exposed`` of each gap or weak link: local leading firms making a link downstream of it."""
    by_node = {lc.node: lc for lc in links}
    flow = G.subgraph(by_node)
    for lc in links:
        if lc.status is LinkStatus.COVERED:
            continue
        reach = nx.single_source_shortest_path_length(flow, lc.node)
        seen: set[str] = set()
        for node, distance in sorted(reach.items(), key=lambda kv: kv[1]):
            for p in by_node[node].local if distance else []:
                if p.firm.role is Role.LEADING and p.firm.id not in seen:
                    seen.add(p.firm.id)
                    lc.exposed.append(Exposure(p.firm, node, distance))
