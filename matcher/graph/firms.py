"""A flat view of an enterprise for chain analysis, built from a domain ``Enterprise``, a store row or a dict.

Analysis functions accept plain iterables of anything :func:`as_firm` understands, so the lead can pass
``Enterprise`` objects, SQLAlchemy rows or JSON records alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matcher.domain.models import TIER_LABELS, Role, Tier

TIER_RANK = {tier: rank for rank, tier in enumerate(Tier)}


@dataclass(frozen=True)
class Firm:
    """An enterprise as chain analysis sees it."""

    id: str
    name: str
    park: str = ""
    role: Role = Role.SME
    tier: Tier = Tier.NONE
    products: tuple[str, ...] = ()
    shares: tuple[float | None, ...] = ()
    province: str = ""
    city: str = ""
    industry_code: str = ""
    revenue: float | None = None
    source: str = "registry"

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _products(raw: Any) -> tuple[tuple[str, ...], tuple[float | None, ...]]:
    names: list[str] = []
    shares: list[float | None] = []
    for p in raw or ():
        if isinstance(p, str):
            name, share = p, None
        else:
            name, share = _get(p, "name", ""), _get(p, "share", _get(p, "weight"))
        if name and str(name).strip():
            names.append(str(name).strip())
            shares.append(None if share is None else float(share))
    return tuple(names), tuple(shares)


def as_firm(obj: Any) -> Firm:
    """A :class:`Firm` from an ``Enterprise``, a mapping or any object with the same attribute names."""
    if isinstance(obj, Firm):
        return obj
    names, shares = _products(_get(obj, "products"))
    indicators = _get(obj, "indicators")
    revenue = _get(indicators, "revenue") if indicators is not None else _get(obj, "revenue")
    return Firm(
        id=str(_get(obj, "uscc") or _get(obj, "id") or _get(obj, "code") or ""),
        name=str(_get(obj, "name", "")),
        park=str(_get(obj, "park", "") or ""),
        role=Role(_get(obj, "role") or Role.SME),
        tier=Tier(_get(obj, "tier") or Tier.NONE),
        products=names,
        shares=shares,
        province=str(_get(obj, "province", "") or ""),
        city=str(_get(obj, "city", "") or ""),
        industry_code=str(_get(obj, "industry_code", "") or ""),
        revenue=None if revenue is None else float(revenue),
        source=str(_get(obj, "source", "registry") or "registry"),
    )
