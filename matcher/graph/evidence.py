"""Graph evidence for matching: does the supplier make an upstream input of what the buyer makes?

The known 上游材料 edges are few and incomplete, so evidence generalizes from them in three ways, each
discounted and each leaving a Chinese reason: sub-types (产品小类, either direction), similar products
(embedding neighbours in a :class:`ProductSpace`), and industry-level upstream links (industry_up.json).
All functions are pure functions of ``G``; none mutates it.

Example::

    scores = graph_buyer_scores(G, "本企业专业生产不锈钢，希望对接下游企业。")
    best = max(scores.items(), key=lambda kv: kv[1][0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import numpy as np

from matcher.encoders.base import Encoder
from matcher.graph.linking import LinkIndex, normalize
from matcher.graph.schema import EdgeKind, NodeKind, key_of, kind_of, product_id

DECAY = {"direct": 1.0, "child": 0.8, "parent": 0.6, "similar": 0.8, "industry": 0.3}
Weights = dict[str, tuple[float, str]]  # node -> (weight, reason)


class Evidence(NamedTuple):
    score: float
    reasons: tuple[str, ...]


@dataclass
class ProductSpace:
    """Embeddings of product nodes, for 'similar product' steps. Build once per graph and encoder."""

    nodes: list[str]
    vectors: np.ndarray
    encoder: Encoder
    threshold: float = 0.8
    k: int = 5

    @classmethod
    def build(cls, G: nx.DiGraph, encoder: Encoder, *, threshold: float = 0.8, k: int = 5) -> ProductSpace:
        """Embed every product that a company sells or that takes part in an upstream edge."""
        nodes = [
            n for n, d in G.nodes(data=True) if d.get("kind") == NodeKind.PRODUCT.value and _useful(G, n)
        ]
        vectors = (
            encoder.encode([key_of(n) for n in nodes]) if nodes else np.zeros((0, encoder.dim), "float32")
        )
        return cls(nodes, vectors, encoder, threshold, k)

    def similar(self, names: list[str]) -> list[list[tuple[str, float]]]:
        """Per name, up to ``k`` other product nodes with cosine >= ``threshold``, best first."""
        if not names or not self.nodes:
            return [[] for _ in names]
        scores = self.encoder.encode(names) @ self.vectors.T
        top = np.argsort(-scores, axis=1)[:, : self.k + 1]
        return [
            [
                (self.nodes[j], float(scores[r, j]))
                for j in row
                if scores[r, j] >= self.threshold and key_of(self.nodes[j]) != names[r]
            ][: self.k]
            for r, row in enumerate(top)
        ]


def _useful(G: nx.DiGraph, node: str) -> bool:
    """Sold by a company, or joined to another product by an upstream or sub-type edge."""
    if G.nodes[node].get("sold", 0) > 0:
        return True
    chain = (EdgeKind.UPSTREAM.value, EdgeKind.SUBTYPE.value)
    return any(k in chain for *_, k in G.out_edges(node, data="kind")) or any(
        k == EdgeKind.SUBTYPE.value for *_, k in G.in_edges(node, data="kind")
    )


def _edges(G: nx.DiGraph, node: str, kind: EdgeKind, *, out: bool = True) -> list[str]:
    edges = G.out_edges(node, data="kind") if out else G.in_edges(node, data="kind")
    return [v if out else u for u, v, k in edges if k == kind.value]


def _put(weights: Weights, node: str, weight: float, reason: str) -> None:
    if weight > weights.get(node, (0.0, ""))[0]:
        weights[node] = (weight, reason)


def relatives(G: nx.DiGraph, seeds: Weights, space: ProductSpace | None = None) -> Weights:
    """Seeds plus their sub-types, their general types and (with a space) their similar products."""
    out: Weights = dict(seeds)
    for node, (w, why) in seeds.items():
        name = key_of(node)
        for child in _edges(G, node, EdgeKind.SUBTYPE):
            _put(out, child, w * DECAY["child"], f"{why}；「{key_of(child)}」是「{name}」的小类")
        for parent in _edges(G, node, EdgeKind.SUBTYPE, out=False):
            _put(out, parent, w * DECAY["parent"], f"{why}；「{name}」属于「{key_of(parent)}」")
    if space is not None and seeds:
        names = [key_of(n) for n in seeds]
        for (node, (w, why)), near in zip(seeds.items(), space.similar(names), strict=True):
            for other, sim in near:
                _put(
                    out,
                    other,
                    w * DECAY["similar"] * sim,
                    f"{why}；「{key_of(other)}」与「{key_of(node)}」相近（{sim:.2f}）",
                )
    return out


def consumers(G: nx.DiGraph, materials: Weights, space: ProductSpace | None = None) -> Weights:
    """Products that take the (generalized) materials as an upstream input, generalized once more."""
    direct: Weights = {}
    for node, (w, why) in relatives(G, materials, space).items():
        for product in _edges(G, node, EdgeKind.UPSTREAM):
            _put(direct, product, w, f"{why}；「{key_of(node)}」是「{key_of(product)}」的上游材料")
    return relatives(G, direct, space)


def company_scores(G: nx.DiGraph, products: Weights) -> Weights:
    """Companies that make the weighted products; a company keeps its best path."""
    out: Weights = {}
    for node, (w, why) in products.items():
        for company in _edges(G, node, EdgeKind.PRODUCES, out=False):
            name = G.nodes[company].get("name", key_of(company))
            _put(out, company, w, f"{why}；{name}主营「{key_of(node)}」")
    return out


def industry_scores(G: nx.DiGraph, industries: Mapping[str, float]) -> Weights:
    """Companies in industries that industry_up.json lists as downstream of the given industries."""
    out: Weights = {}
    for industry, w in industries.items():
        ups = [
            (v, d.get("weight", 1.0))
            for _, v, d in G.out_edges(industry, data=True)
            if d.get("kind") == EdgeKind.INDUSTRY_UP.value
        ]
        top = max((c for _, c in ups), default=1.0)
        for target, count in ups:
            reason = f"行业层面：「{G.nodes[industry]['name']}」是「{G.nodes[target]['name']}」的上游行业"
            for company in _edges(G, target, EdgeKind.IN_INDUSTRY, out=False):
                _put(out, company, w * DECAY["industry"] * count / top, reason)
    return out


def product_industries(G: nx.DiGraph, products: Iterable[str]) -> dict[str, float]:
    """Industries of the companies making the products, as shares of those companies."""
    counts: dict[str, float] = {}
    makers = {c for p in products if p in G for c in _edges(G, p, EdgeKind.PRODUCES, out=False)}
    for company in makers:
        for industry in _edges(G, company, EdgeKind.IN_INDUSTRY):
            counts[industry] = counts.get(industry, 0.0) + 1.0 / len(makers)
    return counts


@dataclass
class GraphIndex:
    """Mention indexes over a graph: products with chain evidence, and industries by name."""

    products: LinkIndex
    industries: LinkIndex


def graph_index(G: nx.DiGraph) -> GraphIndex:
    """Build once per graph: product nodes that are sold or in an upstream edge, and industry names."""
    products = {
        n: [key_of(n)]
        for n, d in G.nodes(data=True)
        if d.get("kind") == NodeKind.PRODUCT.value and _useful(G, n)
    }
    industries = {
        n: [d["name"], d["name"].rstrip("Ⅲ")]
        for n, d in G.nodes(data=True)
        if d.get("kind") == NodeKind.INDUSTRY.value
    }
    return GraphIndex(LinkIndex(products), LinkIndex(industries))


BOILERPLATE = frozenset(
    [
        "企业",
        "公司",
        "供应链",
        "主营",
        "生产",
        "产品",
        "定制",
        "采购",
        "采购方",
        "供应",
        "供应商",
        "服务",
        "合作",
        "下游",
        "上游",
        "配套",
        "制品",
        "领域",
        "能力",
        "长期",
        "需求",
        "对接",
        "专业",
        "工厂",
        "厂家",
        "客户",
        "项目",
        "技术",
        "材料",
        "设备",
        "系统",
        "加工",
        "销售",
        "希望",
        "寻求",
        "机会",
    ]
)


def query_mentions(index: GraphIndex, text: str) -> tuple[list[str], list[str]]:
    """Product and industry nodes named in a text; product mentions inside an industry name don't count."""
    key = normalize(text)
    industries = index.industries.spans(key, normalized=True)
    inside = [(start, start + len(name)) for start, name in industries]
    products = [
        m
        for start, m in index.products.spans(key, normalized=True)
        if m not in BOILERPLATE and not any(a <= start and start + len(m) <= b for a, b in inside)
    ]
    return (
        [index.products.normal[m] for m in dict.fromkeys(products)],
        [index.industries.normal[m] for m in dict.fromkeys(m for _, m in industries)],
    )


def _noisy_or(a: Weights, b: Weights) -> dict[str, Evidence]:
    out: dict[str, Evidence] = {}
    for node in a.keys() | b.keys():
        (wa, ra), (wb, rb) = a.get(node, (0.0, "")), b.get(node, (0.0, ""))
        out[node] = Evidence(round(1 - (1 - wa) * (1 - wb), 6), tuple(r for r in (ra, rb) if r))
    return out


def graph_buyer_scores(
    G: nx.DiGraph,
    query_text: str,
    companies: Iterable[str] | None = None,
    *,
    index: GraphIndex | None = None,
    space: ProductSpace | None = None,
) -> dict[str, Evidence]:
    """Graph scores of companies as buyers of what ``query_text`` offers: ``{company code: (score, reasons)}``.

    Product paths (material → consumer product → maker) and industry-level paths combine by noisy-or.
    ``companies`` (codes) restricts the answer; companies without evidence are absent (score 0).
    """
    index = index or graph_index(G)
    products, industries = query_mentions(index, query_text)
    seeds: Weights = {p: (1.0, f"供方产品「{key_of(p)}」") for p in products}
    by_product = company_scores(G, consumers(G, seeds, space))
    levels = dict(product_industries(G, products))
    for industry in industries:
        levels[industry] = 1.0
    by_industry = industry_scores(G, levels)
    scores = {key_of(c): ev for c, ev in _noisy_or(by_product, by_industry).items()}
    if companies is not None:
        wanted = set(companies)
        scores = {c: ev for c, ev in scores.items() if c in wanted}
    return scores


def upstream_affinity(
    G: nx.DiGraph,
    supplier_products: Iterable[str],
    buyer_products: Iterable[str],
    *,
    space: ProductSpace | None = None,
) -> Evidence:
    """How strongly the supplier makes an upstream input of what the buyer makes (0-1), with the path.

    Both sides are product names; names not in ``G`` still count through ``space`` (similar products).
    """
    seeds: Weights = {}
    for name in supplier_products:
        for node, w in _anchor(G, name, space):
            _put(seeds, node, w, f"供方产品「{name}」")
    used = consumers(G, seeds, space)
    best = Evidence(0.0, ())
    for name in buyer_products:
        for node, w in _anchor(G, name, space):
            if node in used and used[node][0] * w > best.score:
                best = Evidence(round(used[node][0] * w, 6), (f"{used[node][1]}；需方主营「{name}」",))
    return best


def _anchor(G: nx.DiGraph, name: str, space: ProductSpace | None) -> list[tuple[str, float]]:
    """The product node of a name, or its nearest similar products when it is not in the graph."""
    node = product_id(name)
    if node in G:
        return [(node, 1.0)]
    if space is None:
        return []
    return [(n, DECAY["similar"] * s) for n, s in space.similar([name])[0]]


def downstream_candidates(
    G: nx.DiGraph, product: str, *, space: ProductSpace | None = None, limit: int = 20
) -> tuple[list[tuple[str, Evidence]], list[tuple[str, Evidence]]]:
    """Buyer recommendation for a product: (products that use it, companies that make those), best first."""
    seeds: Weights = {n: (w, f"供方产品「{product}」") for n, w in _anchor(G, product, space)}
    used = consumers(G, seeds, space)
    makers = company_scores(G, used)

    def ranked(ws: Weights) -> list[tuple[str, Evidence]]:
        items = sorted(ws.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        return [(key_of(n), Evidence(round(w, 6), (why,))) for n, (w, why) in items]

    return ranked({n: v for n, v in used.items() if n not in seeds}), ranked(makers)


def is_product(node: str) -> bool:
    return kind_of(node) is NodeKind.PRODUCT
