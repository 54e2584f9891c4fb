"""Chain adjacency from the curated templates, as matching evidence: which links a firm makes, which
links feed them, and the (product, material) keyword pairs the buyer-side ranker can walk.

Functions of a template graph ``G`` (``chain_graph(load_templates(...))``); none mutates it.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from matcher.graph.linking import LinkIndex
from matcher.graph.schema import EdgeKind, NodeKind


def link_index(G: nx.DiGraph) -> LinkIndex:
    """Template links by name and keywords (exact, normalized, containment; no embeddings)."""
    return LinkIndex.from_graph(G, NodeKind.LINK)


def links_made(index: LinkIndex, products: Iterable[str]) -> set[str]:
    """The template links that these product names belong to."""
    return {link.node for link in index.link(list(products)).linked}


def upstream_links(G: nx.DiGraph, links: Iterable[str]) -> set[str]:
    """Links that directly feed any of ``links`` (their upstream neighbours in the template)."""
    return {
        u
        for link in links
        if link in G
        for u, _, kind in G.in_edges(link, data="kind")
        if kind == EdgeKind.UPSTREAM.value
    }


def keyword_pairs(G: nx.DiGraph) -> set[tuple[str, str]]:
    """(product, material) surface pairs: every name or keyword of a link with every one of a link feeding it.

    >>> G = nx.DiGraph()
    >>> G.add_node("link:a/cell", kind="link", name="电芯", keywords=["动力电池"])
    >>> G.add_node("link:a/cathode", kind="link", name="正极材料", keywords=[])
    >>> G.add_edge("link:a/cathode", "link:a/cell", kind="upstream")
    >>> sorted(keyword_pairs(G))
    [('动力电池', '正极材料'), ('电芯', '正极材料')]
    """
    pairs: set[tuple[str, str]] = set()
    for up, down, kind in G.edges(data="kind"):
        if kind != EdgeKind.UPSTREAM.value:
            continue
        products, materials = _surfaces(G, down), _surfaces(G, up)
        pairs |= {(p, m) for p in products for m in materials}
    return pairs


def _surfaces(G: nx.DiGraph, node: str) -> list[str]:
    data = G.nodes[node]
    return [s for s in (data.get("name", ""), *data.get("keywords", ())) if s]
