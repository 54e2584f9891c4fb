"""Profile builders: the one text of an enterprise and the one text of a demand that matching reads.

``ProfileDoc`` is the common shape of a company whether it comes from the registry (``Enterprise``) or
from the evaluation corpus (a JSON dict), so ranking code never sees either source format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matcher.domain.industry import industry_name
from matcher.domain.models import Demand, DemandKind, Enterprise
from matcher.text.normalize import clean_products

MAX_PROFILE_CHARS = 300


@dataclass(frozen=True)
class ProfileDoc:
    """A company as matching sees it: products with revenue shares (accounting items dropped)."""

    id: str
    name: str
    products: tuple[tuple[str, float], ...] = ()
    industry: str = ""
    capabilities: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_enterprise(cls, enterprise: Enterprise) -> ProfileDoc:
        """From a registry record; unknown shares count as equal parts of what is left."""
        known = sum(p.share or 0.0 for p in enterprise.products)
        unknown = [p for p in enterprise.products if p.share is None]
        rest = max(1.0 - known, 0.0) / len(unknown) if unknown else 0.0
        products = [(p.name, p.share if p.share is not None else rest) for p in enterprise.products]
        return cls(
            id=enterprise.uscc,
            name=enterprise.name,
            products=tuple(clean_products(products)),
            industry=industry_name(enterprise.industry_code) or enterprise.industry_code,
            capabilities=enterprise.capabilities,
        )

    @classmethod
    def from_corpus_record(cls, record: Mapping[str, Any]) -> ProfileDoc:
        """From an ``eval/corpus.jsonl`` line: {id, name, industry_l3, industry_l1, products:[{name, weight}]}."""
        products = [(str(p["name"]), float(p.get("weight") or 0.0)) for p in record.get("products", [])]
        industry = " ".join(str(record.get(k) or "") for k in ("industry_l3", "industry_l1")).strip()
        return cls(
            id=str(record["id"]),
            name=str(record.get("name") or record["id"]),
            products=tuple(clean_products(products)),
            industry=industry,
            extra={k: record[k] for k in ("industry_l3", "industry_l1") if k in record},
        )

    @property
    def product_names(self) -> list[str]:
        return [name for name, _ in self.products]


def enterprise_profile(
    doc: ProfileDoc | Enterprise | Mapping[str, Any], max_chars: int = MAX_PROFILE_CHARS
) -> str:
    """The enterprise text: products by revenue share, then industry and capabilities, cut at ``max_chars``.

    >>> enterprise_profile({"id": "1", "name": "甲", "products": [{"name": "硫酸", "weight": 0.2},
    ...                     {"name": "钛白粉", "weight": 0.7}, {"name": "平衡项目", "weight": 0.1}]})
    '钛白粉 硫酸'
    """
    doc = as_profile_doc(doc)
    names = [name for name, _ in sorted(doc.products, key=lambda p: -p[1])]
    parts = [" ".join(names), doc.industry, doc.capabilities]
    return " ".join(p for p in parts if p)[:max_chars]


def demand_profile(demand: Demand | str) -> str:
    """The demand text to parse and match: title, product and spec (or problem), description."""
    if isinstance(demand, str):
        return demand
    if demand.kind is DemandKind.PROCUREMENT:
        parts = [f"采购{demand.product}", demand.title, demand.spec, demand.description]
    else:
        parts = [demand.title, f"需求：{demand.problem}", demand.target_indicators, demand.description]
    return "，".join(p for p in parts if p)


def as_profile_doc(doc: ProfileDoc | Enterprise | Mapping[str, Any]) -> ProfileDoc:
    """Accept a ``ProfileDoc``, a registry ``Enterprise`` or a corpus dict."""
    if isinstance(doc, ProfileDoc):
        return doc
    if isinstance(doc, Enterprise):
        return ProfileDoc.from_enterprise(doc)
    return ProfileDoc.from_corpus_record(doc)
