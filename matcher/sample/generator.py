"""The deterministic sample: parks, enterprises and demands, with the chain gaps it was built to have.

>>> sample = generate_sample(seed=2025, n_enterprises=300)
>>> len(sample.parks), len(sample.enterprises)
(3, 300)

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so a seed always yields the same
records; dates are offsets from :data:`REFERENCE_DATE`. ``expected_gaps`` and ``expected_weak_links`` are
measured on the result with :func:`matcher.sample.plan.matches` (product name contains a link term).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from matcher.domain import Demand, Enterprise, Park, Tier
from matcher.sample.chains import ChainTemplate, LinkRef, load_templates
from matcher.sample.demands import REFERENCE_DATE, Publisher, make_demands
from matcher.sample.places import PARKS, ParkSpec
from matcher.sample.plan import IndustryPlan, gap_eligible, local_producers, normalize, plan_industry
from matcher.sample.render import Seat, render

OUTSIDE_SHARE = 0.15
SERVICE_SHARE = 0.05
MIN_ENTERPRISES = 30


@dataclass
class Sample:
    """Generated records plus the truths tests and evaluations check against."""

    parks: list[Park]
    enterprises: list[Enterprise]
    demands: list[Demand]
    expected_gaps: dict[str, dict[str, list[str]]]  # park -> industry -> link ids without local producer
    expected_weak_links: dict[str, dict[str, list[str]]]  # ... with exactly one local producer
    planned_gaps: dict[str, dict[str, list[str]]]  # the deliberate subset (the rest: budget ran out)
    enterprise_links: dict[str, list[LinkRef]] = field(default_factory=dict)  # uscc -> links it produces
    demand_links: dict[str, LinkRef] = field(default_factory=dict)  # demand code -> link it concerns
    true_tiers: dict[str, Tier] = field(default_factory=dict)  # uscc -> tier its indicators were drawn for
    reference_date: dt.date = REFERENCE_DATE
    seed: int = 0


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _weighted_split(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders get the leftover units)."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _plans(
    rng: random.Random, templates: dict[str, ChainTemplate], n_chain: int
) -> dict[str, list[IndustryPlan]]:
    pairs = [(park, ind) for park in PARKS for ind in park.industries]
    budgets = _weighted_split(n_chain, [len(templates[ind].links) for _, ind in pairs])
    plans: dict[str, list[IndustryPlan]] = {park.name: [] for park in PARKS}
    for (park, industry), budget in zip(pairs, budgets, strict=True):
        park_templates = [templates[i] for i in park.industries]
        eligible = gap_eligible(templates[industry], park_templates)
        plans[park.name].append(plan_industry(rng, templates[industry], budget, eligible))
    return plans


def _park_seats(park: ParkSpec, plans: list[IndustryPlan], n_service: int) -> list[Seat]:
    gaps = {lid for p in plans for lid in p.gaps}
    weak = {(p.industry, lid) for p in plans for lid in p.weak}
    seats: list[Seat] = []
    for p in plans:
        blocked = frozenset(gaps)
        covered = frozenset(lid for lid in p.sme_links if (p.industry, lid) not in weak)
        seats += [Seat(park, p.industry, lid, "leading", blocked, covered) for lid in p.leader_links]
        seats += [Seat(park, p.industry, lid, "sme", blocked, covered) for lid in p.sme_links]
    seats += [Seat(park, None, None, "service", frozenset(), frozenset())] * n_service
    return seats


def _outside_seats(
    rng: random.Random, templates: dict[str, ChainTemplate], plans: dict[str, list[IndustryPlan]], n: int
) -> list[Seat]:
    deliberate = [(p.industry, lid) for ps in plans.values() for p in ps for lid in p.gaps]
    unserved = [(p.industry, lid) for ps in plans.values() for p in ps for lid in p.unserved]
    wanted = list(dict.fromkeys(deliberate + unserved))[:n]
    while len(wanted) < n:
        t = templates[rng.choice(sorted(templates))]
        wanted.append((t.industry, rng.choice(t.links).id))
    kinds = ["leading" if rng.random() < 0.08 else "sme" for _ in range(n)]
    return [
        Seat(None, ind, lid, kind, frozenset(), frozenset())
        for (ind, lid), kind in zip(wanted, kinds, strict=True)
    ]


def _blocked_terms(templates: dict[str, ChainTemplate], seat: Seat, plans: list[IndustryPlan]) -> list[str]:
    """Normalized terms a seat's products must avoid: the park's gap links and others' weak links."""
    terms = []
    for p in plans:
        t = templates[p.industry]
        for lid in p.gaps + tuple(w for w in p.weak if (p.industry, w) != (seat.industry, seat.link_id)):
            terms += [normalize(term) for term in t.link(lid).terms]
    return terms


def _coverage(
    templates: dict[str, ChainTemplate], enterprises: list[Enterprise], size: int
) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for park in PARKS:
        out[park.name] = {}
        for ind in park.industries:
            found = local_producers(templates[ind], enterprises, park.name)
            out[park.name][ind] = [lid for lid, who in found.items() if len(who) == size]
    return out


def generate_sample(seed: int = 2025, n_enterprises: int = 300, n_demands: int | None = None) -> Sample:
    """A realistic, deterministic sample of ``n_enterprises`` enterprises in and around three parks.

    ``n_demands`` defaults to one per six enterprises (at least one per leading firm in a park).
    """
    if n_enterprises < MIN_ENTERPRISES:
        raise ValueError(
            f"n_enterprises 至少为 {MIN_ENTERPRISES}（每个园区主导产业至少需要 2 家企业），实为 {n_enterprises}"
        )
    rng = random.Random(seed)
    templates = load_templates()
    n_out, n_service = round(OUTSIDE_SHARE * n_enterprises), round(SERVICE_SHARE * n_enterprises)
    plans = _plans(rng, templates, n_enterprises - n_out - n_service)
    seats = [
        s
        for park, k in zip(PARKS, _split(n_service, len(PARKS)), strict=True)
        for s in _park_seats(park, plans[park.name], k)
    ]
    seats += _outside_seats(rng, templates, plans, n_out)
    sample = Sample([], [], [], {}, {}, {}, seed=seed)
    publishers: list[Publisher] = []
    used: set[str] = set()
    for serial, seat in enumerate(seats):
        blocked = _blocked_terms(templates, seat, plans[seat.park.name]) if seat.park else []
        made = render(rng, seat, serial, templates, blocked, used)
        sample.enterprises.append(made.enterprise)
        sample.enterprise_links[made.enterprise.uscc] = made.links
        sample.true_tiers[made.enterprise.uscc] = made.true_tier
        if seat.kind == "leading" and seat.park and seat.industry and seat.link_id:
            publishers.append(
                Publisher(made.enterprise, made.brand, seat.park, templates[seat.industry], seat.link_id)
            )
    sample.parks = [
        Park(
            name=p.name,
            province=p.place.province,
            city=p.place.city,
            district=p.place.district,
            leading_industries=list(p.industries),
        )
        for p in PARKS
    ]
    sample.expected_gaps = _coverage(templates, sample.enterprises, 0)
    sample.expected_weak_links = _coverage(templates, sample.enterprises, 1)
    sample.planned_gaps = {name: {p.industry: list(p.gaps) for p in ps} for name, ps in plans.items()}
    count = n_demands if n_demands is not None else max(len(publishers), round(n_enterprises / 6))
    sample.demands, sample.demand_links = make_demands(rng, publishers, count)
    return sample
