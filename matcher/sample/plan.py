"""Which links of a park's chain get leaders, producers, a single producer (weak) or none (gap).

Planning comes before any enterprise is drawn, so the sample's gaps are deliberate; the coverage that
results is then measured by :func:`local_producers` with the same keyword rule the tests use.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matcher.domain import Enterprise
from matcher.sample.chains import ChainLink, ChainTemplate

GAP_SHARE = 0.10
WEAK_SHARE = 0.10
STAGE_GAP_WEIGHT = {"上游": 3.0, "中游": 2.0, "下游": 1.0}
_PUNCT = re.compile(r"[\s\-_·/\\|()（）\[\]【】,，.。:：;；]+")


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation (as entity linking compares)."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def matches(product: str, link: ChainLink) -> bool:
    """True when the product name contains the link's name or one of its keywords."""
    name = normalize(product)
    return any(normalize(term) in name for term in link.terms)


@dataclass(frozen=True, slots=True)
class IndustryPlan:
    """The plan for one leading industry of one park."""

    industry: str
    leader_links: tuple[str, ...]
    gaps: tuple[str, ...]
    weak: tuple[str, ...]
    sme_links: tuple[str, ...]  # the primary link of each SME, in seat order
    unserved: tuple[str, ...] = ()  # links left without producer because the budget ran out

    @property
    def all_gaps(self) -> tuple[str, ...]:
        return self.gaps + self.unserved


def gap_eligible(template: ChainTemplate, park_templates: Sequence[ChainTemplate]) -> set[str]:
    """Links none of whose terms occur inside another link's term in the park (a gap must stay a gap)."""
    others = [
        normalize(term)
        for t in park_templates
        for link in t.links
        for term in link.terms
        if t.industry != template.industry
    ]
    eligible: set[str] = set()
    for link in template.links:
        own = [normalize(term) for term in link.terms]
        rest = others + [normalize(x) for o in template.links if o.id != link.id for x in o.terms]
        if not any(term in other for term in own for other in rest):
            eligible.add(link.id)
    return eligible


def _leaders(rng: random.Random, template: ChainTemplate, n: int) -> list[str]:
    down = [lk.id for lk in template.links if lk.stage == "下游" and len(lk.upstream) >= 2]
    mid = [lk.id for lk in template.links if lk.stage == "中游" and len(lk.upstream) >= 3]
    chosen = rng.sample(down, min(1, len(down)))
    pool = [x for x in down + mid if x not in chosen]
    chosen += rng.sample(pool, min(n - len(chosen), len(pool)))
    return chosen


def _weighted_pick(rng: random.Random, links: list[ChainLink], k: int) -> list[str]:
    picked: list[str] = []
    pool = list(links)
    while pool and len(picked) < k:
        link = rng.choices(pool, weights=[STAGE_GAP_WEIGHT.get(lk.stage, 1.0) for lk in pool])[0]
        picked.append(link.id)
        pool.remove(link)
    return picked


def plan_industry(
    rng: random.Random, template: ChainTemplate, budget: int, eligible: set[str]
) -> IndustryPlan:
    """Leaders, deliberate gaps and weak links, and the SME seats of a ``budget`` of enterprises."""
    n_leaders = 3 if budget >= 24 else 2 if budget >= 8 else 1
    leaders = _leaders(rng, template, n_leaders)
    feeding = {up for lid in leaders for up in template.link(lid).upstream}
    candidates = [lk for lk in template.links if lk.id in eligible and lk.id not in leaders]
    n_gaps = max(1, round(GAP_SHARE * len(template.links)))
    near = [lk for lk in candidates if lk.id in feeding]
    gaps = _weighted_pick(rng, near, (n_gaps + 1) // 2)
    gaps += _weighted_pick(rng, [lk for lk in candidates if lk.id not in gaps], n_gaps - len(gaps))
    rest = [lk.id for lk in template.links if lk.id not in gaps and lk.id not in leaders]
    weak = rng.sample(rest, max(1, round(WEAK_SHARE * len(template.links))))
    covered = [x for x in rest if x not in weak]
    rng.shuffle(covered)
    covered.sort(key=lambda x: x not in feeding)  # stable: links feeding the leaders first
    seats = _fill(weak, covered + leaders, budget - len(leaders))
    unserved = tuple(x for x in covered + weak if x not in seats)
    return IndustryPlan(template.industry, tuple(leaders), tuple(gaps), tuple(weak), tuple(seats), unserved)


def _fill(weak: list[str], covered: list[str], n: int) -> list[str]:
    seats = weak[:n]
    i = 0
    while len(seats) < n and covered:
        seats.append(covered[i % len(covered)])
        i += 1
    return seats


def local_producers(
    template: ChainTemplate, enterprises: Iterable[Enterprise], park: str
) -> dict[str, list[str]]:
    """Per link, the USCCs of ``park`` enterprises with a product matching the link, in input order."""
    found: dict[str, list[str]] = {lk.id: [] for lk in template.links}
    for e in enterprises:
        if e.park != park:
            continue
        for link in template.links:
            if any(matches(p.name, link) for p in e.products):
                found[link.id].append(e.uscc)
    return found
