"""Node and edge kinds of the chain graph, and the node-id scheme.

One ``networkx.DiGraph`` holds everything. Node ids carry their kind as a prefix so product, industry and
company names never collide: ``product:正极材料``, ``link:新能源汽车/cathode``, ``industry:630000``,
``company:600000.SH``, ``chain:新能源汽车``. Edges point the way goods flow or membership goes:

- ``upstream``: material → product (also link → downstream link in a template);
- ``subtype``: general product → its sub-type (产品小类);
- ``parent``: industry → its parent industry (上级行业);
- ``industry_up``: upstream industry → industry, ``weight`` = co-occurrence count (industry_up.json);
- ``produces``: company → product, ``weight`` = revenue share;
- ``in_industry``: company → industry;
- ``in_chain``: link → its chain.
"""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    PRODUCT = "product"
    LINK = "link"
    INDUSTRY = "industry"
    COMPANY = "company"
    CHAIN = "chain"


class EdgeKind(StrEnum):
    UPSTREAM = "upstream"
    SUBTYPE = "subtype"
    PARENT = "parent"
    INDUSTRY_UP = "industry_up"
    PRODUCES = "produces"
    IN_INDUSTRY = "in_industry"
    IN_CHAIN = "in_chain"


STAGES = ("上游", "中游", "下游")


def node_id(kind: NodeKind, key: str) -> str:
    """The graph id of a node: ``f"{kind}:{key}"``."""
    return f"{kind.value}:{key}"


def product_id(name: str) -> str:
    return node_id(NodeKind.PRODUCT, name)


def link_id(industry: str, link: str) -> str:
    return node_id(NodeKind.LINK, f"{industry}/{link}")


def company_id(code: str) -> str:
    return node_id(NodeKind.COMPANY, code)


def industry_id(code: str) -> str:
    return node_id(NodeKind.INDUSTRY, code)


def chain_id(industry: str) -> str:
    return node_id(NodeKind.CHAIN, industry)


def kind_of(node: str) -> NodeKind:
    """The kind encoded in a node id."""
    return NodeKind(node.split(":", 1)[0])


def key_of(node: str) -> str:
    """The id without its kind prefix (a product's name, a company's code)."""
    return node.split(":", 1)[1]
