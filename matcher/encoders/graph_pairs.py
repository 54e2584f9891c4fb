"""Training pairs mined from a chain knowledge graph, for domain fine-tuning (``train-encoder --from-graph``).

Four kinds of (query, positive) pairs, each hung on an *anchor* node so that a hold-out split by anchor
keeps every pair of a held-out node out of training:

- ``subtype``: a product and its 产品小类 hypernym or sub-type (either direction, one per edge);
- ``upstream``: "what X is made from" → an 上游材料 of X (anchor: the product X);
- ``industry``: a product a company sells → the name of its Shenwan L3 industry (anchor: the industry);
- ``company``: one product of a company → the company's profile without that product (anchor: the company),
  i.e. "which firm makes this, judging by the rest of what it makes".

Only product relations with at least one product a listed company sells are used: the 产品小类 and
上游材料 rows are otherwise mostly encyclopedia noise. Nothing here reads evaluation queries. The graph is
the one ``matcher.graph.kg.load_kg`` builds (accounting items, generic segments and recipe rows dropped).

>>> import networkx as nx
>>> G = nx.DiGraph()
>>> G.add_node("product:锂电池", kind="product", name="锂电池", sold=1)
>>> G.add_node("product:动力锂电池", kind="product", name="动力锂电池", sold=0)
>>> G.add_edge("product:锂电池", "product:动力锂电池", kind="subtype")
>>> [p.kind for p in mine_pairs(G)]
['subtype']
"""

from __future__ import annotations

import random
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import networkx as nx

from matcher.graph.schema import EdgeKind, NodeKind, key_of

KINDS = ("subtype", "upstream", "industry", "company")
# plain ways of asking for a product's materials; several, so the model learns the relation, not a phrase
MATERIAL_QUERIES = ("{}的原材料", "生产{}需要什么材料", "{}的上游材料", "制造{}用的原料")
PROFILE_PRODUCTS = 12  # a company positive lists at most this many of its other products
SHENWAN_LEVEL = re.compile(r"[ⅠⅡⅢ]+$")


class MinedPair(NamedTuple):
    """A training pair with its kind and the anchor node the hold-out split is keyed on."""

    kind: str
    anchor: str
    query: str
    positive: str


class GraphPairs(NamedTuple):
    """Pairs mined from a graph directory: the bounded training sample and the held-out anchors' pairs."""

    train: list[MinedPair]
    held: list[MinedPair]
    mined: int


def mine_pairs(G: nx.DiGraph, *, per_anchor: int = 2, seed: int = 0) -> list[MinedPair]:
    """All four kinds of pairs of ``G``, at most ``per_anchor`` pairs per anchor and kind; ``G`` is unchanged.

    The sample per anchor is seeded, so the same graph and seed always give the same pairs.
    """
    rng = random.Random(seed)
    pairs: list[MinedPair] = []
    pairs += _subtype_pairs(G, per_anchor, rng)
    pairs += _upstream_pairs(G, per_anchor, rng)
    products = _company_products(G)
    pairs += _industry_pairs(G, products, per_anchor, rng)
    pairs += _company_pairs(G, products, per_anchor, rng)
    return pairs


def pairs_from_graph(
    directory: str | Path, *, max_pairs: int, holdout: float = 0.1, seed: int = 0
) -> GraphPairs:
    """Load a ChainKnowledgeGraph directory, mine its pairs, hold out ``holdout`` of the anchors and keep at
    most ``max_pairs`` training pairs (kinds in equal shares)."""
    from matcher.graph.kg import load_kg

    G, _ = load_kg(directory)
    mined = mine_pairs(G, seed=seed)
    train, held = split_pairs(mined, holdout)
    return GraphPairs(bounded(train, max_pairs, seed), held, len(mined))


def split_pairs(pairs: Iterable[MinedPair], holdout: float = 0.1) -> tuple[list[MinedPair], list[MinedPair]]:
    """(train, held out): an anchor is held out when the CRC32 of its id falls in the ``holdout`` share."""
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout 必须在 [0, 1) 之间，收到 {holdout}")
    train: list[MinedPair] = []
    held: list[MinedPair] = []
    for pair in pairs:
        (held if zlib.crc32(pair.anchor.encode("utf-8")) % 1000 < holdout * 1000 else train).append(pair)
    return train, held


def bounded(pairs: Sequence[MinedPair], limit: int, seed: int = 0) -> list[MinedPair]:
    """At most ``limit`` pairs, the kinds in equal shares as far as each kind has pairs (seeded sample)."""
    by_kind: dict[str, list[MinedPair]] = defaultdict(list)
    for pair in pairs:
        by_kind[pair.kind].append(pair)
    rng = random.Random(seed)
    for group in by_kind.values():
        rng.shuffle(group)
    chosen: list[MinedPair] = []
    kinds = sorted(by_kind, key=lambda k: len(by_kind[k]))  # small kinds first give their spare share away
    for i, kind in enumerate(kinds):
        share = (limit - len(chosen)) // (len(kinds) - i)
        chosen += by_kind[kind][:share]
    rng.shuffle(chosen)
    return chosen


def _name(G: nx.DiGraph, node: str) -> str:
    return str(G.nodes[node].get("name") or key_of(node))


def _sold(G: nx.DiGraph, node: str) -> bool:
    return bool(G.nodes[node].get("sold"))


def _edges(G: nx.DiGraph, kind: EdgeKind) -> dict[str, list[str]]:
    """source → targets of the edges of ``kind``, in a stable order."""
    out: dict[str, list[str]] = defaultdict(list)
    for u, v, k in G.edges(data="kind"):
        if k == kind.value:
            out[u].append(v)
    return {u: sorted(vs) for u, vs in sorted(out.items())}


def _sample(items: Sequence[str], k: int, rng: random.Random) -> list[str]:
    return list(items) if len(items) <= k else rng.sample(list(items), k)


def _subtype_pairs(G: nx.DiGraph, per_anchor: int, rng: random.Random) -> list[MinedPair]:
    pairs = []
    for general, specifics in _edges(G, EdgeKind.SUBTYPE).items():
        kept = [s for s in specifics if _sold(G, general) or _sold(G, s)]
        for specific in _sample(kept, per_anchor, rng):
            a, b = _name(G, general), _name(G, specific)
            query, positive = (a, b) if rng.random() < 0.5 else (b, a)
            pairs.append(MinedPair("subtype", general, query, positive))
    return pairs


def _upstream_pairs(G: nx.DiGraph, per_anchor: int, rng: random.Random) -> list[MinedPair]:
    materials: dict[str, list[str]] = defaultdict(list)
    for material, products in _edges(G, EdgeKind.UPSTREAM).items():
        for product in products:
            if NodeKind.PRODUCT.value == G.nodes[product].get("kind") and (
                _sold(G, product) or _sold(G, material)
            ):
                materials[product].append(material)
    pairs = []
    for product in sorted(materials):
        for material in _sample(materials[product], per_anchor, rng):
            query = rng.choice(MATERIAL_QUERIES).format(_name(G, product))
            pairs.append(MinedPair("upstream", product, query, _name(G, material)))
    return pairs


def _company_products(G: nx.DiGraph) -> dict[str, list[str]]:
    """company → its product names, largest revenue share first."""
    products = _edges(G, EdgeKind.PRODUCES)
    return {
        company: [_name(G, p) for p in sorted(nodes, key=lambda p: (-G[company][p].get("weight", 0.0), p))]
        for company, nodes in products.items()
    }


def _industry_pairs(
    G: nx.DiGraph, products: dict[str, list[str]], per_anchor: int, rng: random.Random
) -> list[MinedPair]:
    sold_in: dict[str, list[str]] = defaultdict(list)
    for company, industries in _edges(G, EdgeKind.IN_INDUSTRY).items():
        for industry in industries:
            sold_in[industry] += products.get(company, [])[:3]  # a firm's main lines say its industry
    pairs = []
    for industry in sorted(sold_in):
        name = SHENWAN_LEVEL.sub("", _name(G, industry)).strip()
        names = sorted(set(sold_in[industry]) - {name})
        for product in _sample(names, per_anchor * 4, rng):  # ~250 industries: more pairs each
            pairs.append(MinedPair("industry", industry, product, name))
    return pairs


def _company_pairs(
    G: nx.DiGraph, products: dict[str, list[str]], per_anchor: int, rng: random.Random
) -> list[MinedPair]:
    pairs = []
    for company, names in products.items():
        if len(names) < 2:
            continue
        for product in _sample(names, per_anchor, rng):
            rest = [n for n in names if n != product][:PROFILE_PRODUCTS]
            pairs.append(MinedPair("company", company, product, " ".join(rest)))
    return pairs
