"""Chain knowledge as ranking features for buyer recommendation: which products use which materials.

Reads ``product_product.json`` of ChainKnowledgeGraph (上游材料 and 下游产品 rows) into (product, material)
pairs, keyed by ``product_key``. The graph package proper belongs to ``matcher.graph``; this module only
needs the pairs. Leave-pair-out: ``without_pairs`` / ``without_material_links`` drop the edges an
evaluation query is about, so a lookup cannot answer from its own label.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

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


def _rows(path: Path) -> Iterable[Mapping[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_upstream_pairs(graph_dir: Path) -> UpstreamPairs:
    """All (product, material) pairs of ``product_product.json`` (上游材料 and reversed 下游产品 rows)."""
    pairs: set[tuple[str, str]] = set()
    for row in _rows(Path(graph_dir) / "product_product.json"):
        a, b = product_key(row["from_entity"]), product_key(row["to_entity"])
        if not a or not b or a == b:
            continue
        if row["rel"] == "上游材料":
            pairs.add((a, b))
        elif row["rel"] == "下游产品":
            pairs.add((b, a))
    return UpstreamPairs(frozenset(pairs))


def load_industry_up(graph_dir: Path) -> dict[str, dict[str, float]]:
    """Industry name -> {upstream industry name: count} from ``industry_up.json``."""
    return {
        row["industry"]: {k: float(v) for k, v in row["ups"].items()}
        for row in _rows(Path(graph_dir) / "industry_up.json")
    }


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
