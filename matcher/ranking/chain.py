"""Chain knowledge as ranking features for buyer recommendation: which products use which materials.

The (product, material) pairs of ChainKnowledgeGraph (上游材料 and 下游产品 rows, read by
``matcher.graph.kg``, the one reader of that layout), keyed by ``product_key``. Leave-pair-out:
``without_pairs`` / ``without_material_links`` drop the edges an evaluation query is about, so a lookup
cannot answer from its own label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from matcher.text.normalize import product_key


class UpstreamPairs(NamedTuple):
    """(product, material) pairs by key: ``material`` is an input of ``product``."""

    pairs: frozenset[tuple[str, str]]

    def uses(self) -> dict[str, set[str]]:
        """material -> products that use it."""
        out: dict[str, set[str]] = defaultdict(set)
        for product, material in self.pairs:
            out[material].add(product)
        return out

    def inputs(self) -> dict[str, set[str]]:
        """product -> its materials."""
        out: dict[str, set[str]] = defaultdict(set)
        for product, material in self.pairs:
            out[product].add(material)
        return out


def load_upstream_pairs(graph_dir: Path) -> UpstreamPairs:
    """All (product, material) pairs of the graph (``matcher.graph.kg.upstream_pairs``), by key."""
    from matcher.graph.kg import upstream_pairs

    keys = ((product_key(p), product_key(m)) for p, m in upstream_pairs(graph_dir))
    return UpstreamPairs(frozenset((a, b) for a, b in keys if a and b and a != b))


def load_industry_up(graph_dir: Path) -> dict[str, dict[str, float]]:
    """Industry name -> {upstream industry name: count} (``matcher.graph.kg.industry_ups``)."""
    from matcher.graph.kg import industry_ups

    return industry_ups(graph_dir)


def without_pairs(upstream: UpstreamPairs, removed: Iterable[tuple[str, str]]) -> UpstreamPairs:
    """``upstream`` minus the given (product, material) pairs, in either direction."""
    drop = {(product_key(p), product_key(m)) for p, m in removed}
    drop |= {(m, p) for p, m in drop}
    return UpstreamPairs(frozenset(upstream.pairs - drop))


def without_material_links(
    upstream: UpstreamPairs, materials: Iterable[str], products: Iterable[str]
) -> UpstreamPairs:
    """``upstream`` minus every pair linking one of ``materials`` with one of ``products`` (either way).

    The buyer-recommendation labels are exactly such links (a material, the listed products using it),
    so dropping them all reproduces how the unseen evaluation sets were withheld from the graph.
    """
    mats = {product_key(m) for m in materials}
    prods = {product_key(p) for p in products}
    keep = {
        (p, m) for p, m in upstream.pairs if not ((m in mats and p in prods) or (p in mats and m in prods))
    }
    return UpstreamPairs(frozenset(keep))
