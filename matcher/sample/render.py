"""Turn a planned seat (park, chain link, role) into a complete, valid :class:`Enterprise`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from matcher.domain import Contact, Enterprise, Product, Role, Tier
from matcher.sample.certs import certifications
from matcher.sample.chains import ChainLink, ChainTemplate, LinkRef
from matcher.sample.indicators import declared_tier, draw_indicators, draw_latent
from matcher.sample.names import company_name, contact, make_uscc
from matcher.sample.places import OUTSIDE, ParkSpec, Place
from matcher.sample.plan import normalize
from matcher.sample.texts import capabilities_text, capacity_text, service_capabilities

SECONDARY_SHARE = 0.5  # SMEs that also make a product of a neighbouring link

# (GB/T class, service products) of park service providers (role 其他).
SERVICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("7452", ("第三方检验检测服务", "计量校准服务")),
    ("7224", ("供应链物流服务", "仓储配送服务")),
    ("7491", ("工业设计服务", "产品结构设计服务")),
    ("7320", ("中试验证服务", "技术研发服务")),
    ("7530", ("科技成果转化服务", "知识产权代理服务")),
    ("7724", ("危险废物处置服务", "工业废水处理服务")),
)


@dataclass(frozen=True, slots=True)
class Seat:
    """A planned enterprise: where it is, which link it mainly serves, and its role."""

    park: ParkSpec | None
    industry: str | None  # None for service providers
    link_id: str | None
    kind: str  # "leading" | "sme" | "service"
    gap_links: frozenset[str]  # the park's gap link ids (informative)
    covered: frozenset[str]  # links of this industry that may take secondary products


class Made(NamedTuple):
    enterprise: Enterprise
    brand: str
    links: list[LinkRef]
    true_tier: Tier


def _allowed(name: str, blocked: list[str]) -> bool:
    text = normalize(name)
    return not any(term in text for term in blocked)


def _products(
    rng: random.Random, seat: Seat, t: ChainTemplate, blocked: list[str]
) -> tuple[list[str], list[LinkRef]]:
    link = t.link(seat.link_id or "")
    own = [k for k in link.keywords if _allowed(k, blocked)] or [link.name]
    k = rng.randint(2, 4) if seat.kind == "leading" else rng.choices((1, 2, 3), weights=(0.5, 0.35, 0.15))[0]
    names = rng.sample(own, min(k, len(own)))
    refs = [LinkRef(t.industry, link.id)]
    neighbours = [
        x
        for x in (*link.upstream, *(d.id for d in t.downstream_of(link.id)))
        if seat.park is None or x in seat.covered
    ]
    if neighbours and rng.random() < SECONDARY_SHARE:
        other = t.link(rng.choice(sorted(neighbours)))
        extra = [kw for kw in other.keywords if _allowed(kw, blocked) and kw not in names]
        if extra:
            names.append(rng.choice(extra))
            refs.append(LinkRef(t.industry, other.id))
    return names, refs


def _shares(rng: random.Random, names: list[str]) -> list[Product]:
    if rng.random() < 0.15:
        return [Product(name=n) for n in names]
    weights = sorted((rng.uniform(0.2, 1.0) for _ in names), reverse=True)
    total = rng.uniform(0.7, 1.0) / sum(weights)
    return [Product(name=n, share=int(w * total * 100) / 100) for n, w in zip(names, weights, strict=True)]


def _place(rng: random.Random, seat: Seat) -> tuple[Place, str]:
    if seat.park is None:
        place = rng.choice(OUTSIDE)
        return place, place.code
    place = seat.park.place
    return place, place.code if rng.random() < 0.8 else place.city_code


def _role(seat: Seat) -> Role:
    return {"leading": Role.LEADING, "sme": Role.SME, "service": Role.OTHER}[seat.kind]


def render(
    rng: random.Random,
    seat: Seat,
    serial: int,
    templates: dict[str, ChainTemplate],
    blocked: list[str],
    used: set[str],
) -> Made:
    """One enterprise for ``seat``; ``used`` collects names and codes so both stay unique."""
    population = seat.kind if seat.kind in ("leading", "service") else ("park" if seat.park else "outside")
    latent = draw_latent(rng, population)
    indicators = draw_indicators(rng, latent, seat.kind)
    place, region = _place(rng, seat)
    if seat.industry is None:
        code, services = rng.choice(SERVICES)
        names, link = list(services), None
        refs: list[LinkRef] = []
    else:
        t = templates[seat.industry]
        names, refs = _products(rng, seat, t, blocked)
        link = t.link(seat.link_id or "")
        code = link.gbt or "C"
    name, brand = _unique(used, lambda: company_name(rng, place.city, code, listed=seat.kind == "leading"))
    uscc, _ = _unique(
        used, lambda: (make_uscc(rng, region, recent=(indicators.years_in_niche or 0) < 10), "")
    )
    person, phone, email = contact(rng, serial)
    products = _shares(rng, names)
    revenue = indicators.revenue or 0.0
    return Made(
        Enterprise(
            uscc=uscc,
            name=name,
            park=seat.park.name if seat.park else "",
            province=place.province,
            city=place.city,
            district=place.district,
            industry_code=code,
            role=_role(seat),
            tier=latent if seat.kind == "leading" else declared_tier(rng, latent),
            products=products,
            capabilities=_capabilities(rng, seat, link, names),
            certifications=_certs(rng, seat, link, code, latent),
            capacity=capacity_text(rng, link, names[0], revenue)
            if link
            else f"年服务企业约 {rng.randint(30, 400)} 家",
            indicators=indicators,
            contact=Contact(person=person, phone=phone, email=email),
        ),
        brand,
        refs,
        latent,
    )


def _capabilities(rng: random.Random, seat: Seat, link: ChainLink | None, names: list[str]) -> str:
    if link is None or seat.industry is None:
        return service_capabilities(rng, names)
    return capabilities_text(rng, seat.industry, link, names)


def _certs(rng: random.Random, seat: Seat, link: ChainLink | None, code: str, latent: Tier) -> list[str]:
    if link is None or seat.industry is None:
        extra = ["CMA 资质认定", "CNAS 认可"] if code == "7452" else []
        return ["ISO 9001", *extra] if rng.random() < 0.7 else extra
    innovative = seat.kind == "leading" or latent is not Tier.NONE
    return certifications(rng, seat.industry, link, innovative=innovative)


def _unique(used: set[str], draw: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """Draw (value, extra) until value is new; records it in ``used``."""
    for _ in range(1000):
        value, extra = draw()
        if value not in used:
            used.add(value)
            return value, extra
    raise RuntimeError("无法生成不重复的企业名称或代码")
