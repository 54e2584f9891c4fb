"""Hard constraints and soft boosts of matching, as pure functions over registry records.

Hard constraints decide eligibility before ranking, so the top-k is always filled from the eligible set:
required certifications, regions, park, roles. Soft boosts are named, weighted terms added to the score
(same park, same region, chain adjacency); their weights come from settings.

>>> has_certification(["ISO 9001:2015", "IATF16949"], "iso9001")
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

import numpy as np

from matcher.domain import Demand, Enterprise, Role
from matcher.errors import ValidationError
from matcher.ranking.explain import Requirement, Status
from matcher.ranking.records import Records

_CERT_NOISE = re.compile(r"[\s:：\-_/·.,，()（）]+")


@dataclass(frozen=True)
class Constraints:
    """What a candidate must satisfy; empty fields constrain nothing."""

    certifications: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # province, city or district names; any one suffices
    park: str | None = None
    roles: tuple[str, ...] = ()  # Role values allowed
    exclude: frozenset[int] = field(default_factory=frozenset)  # enterprise ids left out (e.g. the publisher)

    def parts(self) -> list[Part]:
        """Each condition a user could relax on its own (the publisher's exclusion is not one)."""
        out = [Part(f"cert:{c}", f"资质 {c}", "未满足资质 " + c) for c in self.certifications]
        if self.regions:
            where = "、".join(self.regions)
            out.append(Part("regions", f"地区 {where}", f"不在限定地区（{where}）"))
        if self.park is not None:
            out.append(Part("park", f"园区 {self.park}", f"不在园区“{self.park}”"))
        if self.roles:
            kinds = "、".join(Role(r).label for r in self.roles)
            out.append(Part("roles", f"企业类型 {kinds}", f"不属于所选企业类型（{kinds}）"))
        return out

    def without(self, key: str) -> Constraints:
        """These constraints less the part named ``key`` (``cert:IATF 16949``, ``regions``, ``park``, ``roles``).

        >>> Constraints(certifications=("ISO 9001", "IATF 16949")).without("cert:IATF 16949").certifications
        ('ISO 9001',)
        """
        if key not in {p.key for p in self.parts()}:
            known = "、".join(p.key for p in self.parts()) or "无"
            raise ValidationError([f"无法放宽条件“{key}”：本次匹配没有这一条件（现有：{known}）"])
        if key.startswith("cert:"):
            return replace(self, certifications=tuple(c for c in self.certifications if c != key[5:]))
        if key == "park":
            return replace(self, park=None)
        return replace(self, regions=()) if key == "regions" else replace(self, roles=())

    def only_exclusions(self) -> Constraints:
        """The same exclusions with every relaxable condition dropped."""
        return Constraints(exclude=self.exclude)


class Part(NamedTuple):
    """One relaxable condition: its key (for a 放宽 link), its label, and what failing it means."""

    key: str
    label: str
    failed: str


class Removed(NamedTuple):
    """How many relevant firms one condition kept out of the list, in a sentence a buyer can read."""

    key: str
    label: str
    firms: int
    message: str


def removed_by(parts: Sequence[Part], failing: Mapping[str, Sequence[str]]) -> list[Removed]:
    """One ``Removed`` per part that kept firms out, most first. ``failing``: part key -> the matched
    product of each firm it kept out (the first three distinct ones are named).

    >>> removed_by([Part("cert:IATF 16949", "资质 IATF 16949", "未满足资质 IATF 16949")],
    ...            {"cert:IATF 16949": ["磷酸铁锂正极材料"] * 3})[0].message
    '3 家生产磷酸铁锂正极材料的企业未满足资质 IATF 16949'
    """
    out = []
    for p in parts:
        products = failing.get(p.key, ())
        if not products:
            continue
        named = list(dict.fromkeys(x for x in products if x))
        what = "、".join(named[:3]) + ("等" if len(named) > 3 else "")
        who = f"生产{what}的企业" if what else "相关企业"
        out.append(Removed(p.key, p.label, len(products), f"{len(products)} 家{who}{p.failed}"))
    return sorted(out, key=lambda r: -r.firms)


def cert_key(name: str) -> str:
    """A certification name without spaces, punctuation or case: ``ISO 9001:2015`` -> ``ISO90012015``."""
    return _CERT_NOISE.sub("", name).upper()


def has_certification(held: Iterable[str], required: str) -> bool:
    """Whether any held certification is ``required`` (a version suffix such as :2015 still counts)."""
    want = cert_key(required)
    return bool(want) and any(
        cert_key(h).startswith(want) or want.startswith(cert_key(h) or "\0") for h in held
    )


class Placed(Protocol):
    """What requirement checks read of an enterprise: an ``Enterprise``, or ``Records.facts`` of one."""

    @property
    def province(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def district(self) -> str: ...
    @property
    def certifications(self) -> Sequence[str]: ...
    @property
    def capacity(self) -> str: ...


def in_region(enterprise: Placed, regions: Sequence[str]) -> bool:
    """Whether the enterprise's province, city or district is one of ``regions`` (江苏 matches 江苏省)."""
    return _in_places((enterprise.province, enterprise.city, enterprise.district), regions)


def _in_places(place: Sequence[str], regions: Sequence[str]) -> bool:
    places = [p for p in place if p]
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


class ValueCodes:
    """Values of one attribute over the pool as codes into its distinct values (few, however large the pool)."""

    def __init__(self, values: Sequence[Hashable], index: dict[Hashable, int] | None = None) -> None:
        self.index: dict[Hashable, int] = {} if index is None else index
        self.codes = np.fromiter(
            (self.index.setdefault(v, len(self.index)) for v in values), dtype=np.int64, count=len(values)
        )
        self.values = list(self.index)

    def extended(self, values: Sequence[Hashable]) -> ValueCodes:
        """These codes followed by those of ``values`` (a pool's delta), without coding the first again."""
        more = ValueCodes(values, dict(self.index))
        more.codes = np.concatenate([self.codes, more.codes])
        return more

    def where(self, test: Callable[[Any], bool]) -> np.ndarray:
        """Which enterprises have a value passing ``test`` (tested once per distinct value)."""
        passed = np.fromiter((test(v) for v in self.values), dtype=bool, count=len(self.values))
        return passed[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)

    def code(self, value: Hashable) -> int:
        """The code of ``value``; -1 (matches nothing) when no enterprise has it."""
        return self.index.get(value, -1)


def _holds(held_keys: Sequence[str], want: str) -> bool:
    """``has_certification`` on held certifications already passed through ``cert_key``."""
    return bool(want) and any(h.startswith(want) or want.startswith(h or "\0") for h in held_keys)


@dataclass(frozen=True)
class Eligibility:
    """The pool's constraint-relevant facts, coded once, so a mask costs array operations, not a loop.

    ``mask(c)`` equals ``eligible`` applied to every enterprise: each test runs once per distinct value
    (role, park, place, certification list), which a large registry repeats many times, and the mask of
    each constraint value is remembered (``cache_size`` of them) for the pool's life.
    """

    positions: dict[int, int]
    roles: ValueCodes
    parks: ValueCodes
    places: ValueCodes
    certifications: ValueCodes
    cert_keys: list[tuple[str, ...]]  # ``cert_key`` of each distinct certification list's items
    cache_size: int = 256
    _masks: dict[tuple[str, Hashable], np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, ids: Sequence[int], records: Records) -> Eligibility:
        if len(ids) != len(records):
            raise ValueError(f"ids 与 records 数量不一致：{len(ids)} != {len(records)}")
        held = records.certifications
        certifications = ValueCodes(held)
        keys = {h: tuple(cert_key(c) for c in h) for h in dict.fromkeys(held)}  # once per distinct list
        return cls(
            {eid: i for i, eid in enumerate(ids)},
            ValueCodes(records.roles),
            ValueCodes(records.parks),
            ValueCodes(records.places),
            certifications,
            [keys[h] for h in dict.fromkeys(held)],  # in the order of ``certifications.values``
        )

    def extended(
        self,
        ids: Sequence[int],
        roles: Sequence[str],
        parks: Sequence[str],
        places: Sequence[tuple[str, str, str]],
        certifications_held: Sequence[tuple[str, ...]],
    ) -> Eligibility:
        """These facts followed by those of more enterprises (``Records`` columns, positions after these),
        as ``build`` would give over both, in time that follows the added ones (a pool's delta)."""
        n = len(self.roles.codes)
        positions = {**self.positions, **{eid: n + i for i, eid in enumerate(ids)}}
        certifications = self.certifications.extended(certifications_held)
        known = dict(zip(self.certifications.values, self.cert_keys, strict=True))
        held: list[tuple[str, ...]] = certifications.values  # type: ignore[assignment]
        keys = [known[h] if h in known else tuple(cert_key(c) for c in h) for h in held]
        return Eligibility(
            positions,
            self.roles.extended(roles),
            self.parks.extended(parks),
            self.places.extended(places),
            certifications,
            keys,
        )

    def _mask(self, kind: str, value: Hashable) -> np.ndarray:
        found = self._masks.get((kind, value))
        if found is None:
            found = self._compute(kind, value)
            if len(self._masks) >= self.cache_size:
                self._masks.clear()
            self._masks[(kind, value)] = found
        return found

    def _compute(self, kind: str, value: Any) -> np.ndarray:
        if kind == "roles":
            return self.roles.where(lambda role: role in value)
        if kind == "park":
            return self.parks.codes == self.parks.code(value)
        if kind == "regions":
            return self.places.where(lambda place: _in_places(place, value))
        want = cert_key(value)
        passed = np.fromiter(
            (_holds(keys, want) for keys in self.cert_keys), dtype=bool, count=len(self.cert_keys)
        )
        return passed[self.certifications.codes]

    def part_mask(self, constraints: Constraints, key: str) -> np.ndarray:
        """Which enterprises pass the one part ``key`` of ``constraints`` (see ``Constraints.parts``)."""
        if key.startswith("cert:"):
            return self._mask("cert", key[5:])
        value = {"regions": constraints.regions, "park": constraints.park, "roles": constraints.roles}[key]
        return self._mask(key, value)

    def mask(self, constraints: Constraints) -> np.ndarray:
        c = constraints
        out = np.ones(len(self.roles.codes), dtype=bool)
        if c.roles:
            out &= self._mask("roles", c.roles)
        if c.park is not None:
            out &= self._mask("park", c.park)
        if c.regions:
            out &= self._mask("regions", c.regions)
        for required in c.certifications:
            out &= self._mask("cert", required)
        excluded = [self.positions[i] for i in c.exclude if i in self.positions]
        out[excluded] = False
        return out


def apply_boosts(scores: np.ndarray, terms: Mapping[str, tuple[float, np.ndarray]]) -> np.ndarray:
    """``scores`` plus each named term's weight where its mask (or 0-1 strength array) is set."""
    out = scores.astype(np.float64).copy()
    for weight, strength in terms.values():
        out += weight * strength.astype(np.float64)
    return out


def requirement_checks(enterprise: Placed, demand: Demand | None) -> list[Requirement]:
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
