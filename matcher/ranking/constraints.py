"""Hard constraints and soft boosts of matching, as pure functions over registry records.

Hard constraints decide eligibility before ranking, so the top-k is always filled from the eligible set:
required certifications, regions, park, roles. Soft boosts are named, weighted terms added to the score
(same park, same region, chain adjacency); their weights come from settings.

>>> has_certification(["ISO 9001:2015", "IATF16949"], "iso9001")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.domain import Demand, Enterprise
from matcher.ranking.explain import Requirement, Status

_CERT_NOISE = re.compile(r"[\s:：\-_/·.,，()（）]+")


@dataclass(frozen=True)
class Constraints:
    """What a candidate must satisfy; empty fields constrain nothing."""

    certifications: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # province, city or district names; any one suffices
    park: str | None = None
    roles: tuple[str, ...] = ()  # Role values allowed
    exclude: frozenset[int] = field(default_factory=frozenset)  # enterprise ids left out (e.g. the publisher)


def cert_key(name: str) -> str:
    """A certification name without spaces, punctuation or case: ``ISO 9001:2015`` -> ``ISO90012015``."""
    return _CERT_NOISE.sub("", name).upper()


def has_certification(held: Iterable[str], required: str) -> bool:
    """Whether any held certification is ``required`` (a version suffix such as :2015 still counts)."""
    want = cert_key(required)
    return bool(want) and any(
        cert_key(h).startswith(want) or want.startswith(cert_key(h) or "\0") for h in held
    )


def in_region(enterprise: Enterprise, regions: Sequence[str]) -> bool:
    """Whether the enterprise's province, city or district is one of ``regions`` (江苏 matches 江苏省)."""
    places = [p for p in (enterprise.province, enterprise.city, enterprise.district) if p]
    return any(r and (p.startswith(r) or r.startswith(p)) for r in regions for p in places)


def eligible(enterprise_id: int, enterprise: Enterprise, constraints: Constraints) -> bool:
    c = constraints
    return (
        enterprise_id not in c.exclude
        and (not c.roles or enterprise.role.value in c.roles)
        and (c.park is None or enterprise.park == c.park)
        and (not c.regions or in_region(enterprise, c.regions))
        and all(has_certification(enterprise.certifications, r) for r in c.certifications)
    )


def eligible_mask(ids: Sequence[int], records: Sequence[Enterprise], constraints: Constraints) -> np.ndarray:
    """A boolean array: which of the pool's enterprises satisfy every hard constraint."""
    return np.fromiter(
        (eligible(i, e, constraints) for i, e in zip(ids, records, strict=True)), dtype=bool, count=len(ids)
    )


def apply_boosts(scores: np.ndarray, terms: Mapping[str, tuple[float, np.ndarray]]) -> np.ndarray:
    """``scores`` plus each named term's weight where its mask (or 0-1 strength array) is set."""
    out = scores.astype(np.float64).copy()
    for weight, strength in terms.values():
        out += weight * strength.astype(np.float64)
    return out


def requirement_checks(enterprise: Enterprise, demand: Demand | None) -> list[Requirement]:
    """Each requirement of a demand against what the registry knows of the enterprise."""
    if demand is None:
        return []
    checks = [
        Requirement(f"资质 {r}", "met" if has_certification(enterprise.certifications, r) else "unmet")
        for r in demand.required_certifications
    ]
    if demand.preferred_regions:
        where = enterprise.province + enterprise.city
        status: Status = "met" if in_region(enterprise, demand.preferred_regions) else "unmet"
        checks.append(Requirement(f"优先地区 {'、'.join(demand.preferred_regions)}", status, where))
    if demand.quantity is not None:
        detail = enterprise.capacity or "未登记产能"
        checks.append(Requirement(f"供货量 {demand.quantity:g}{demand.unit}", "unknown", detail))
    if demand.delivery_date is not None:
        checks.append(Requirement(f"交付期 {demand.delivery_date}", "unknown"))
    if demand.spec:
        checks.append(Requirement("规格", "unknown", demand.spec[:40]))
    return checks
