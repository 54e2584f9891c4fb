"""Indicators drawn per latent tier, so that a later tier assessment yields a pyramid.

Ranges follow the thresholds of 《优质中小企业梯度培育管理暂行办法》(2022): 专精特新 needs revenue
>= 1000 万元, R&D >= 100 万元 and >= 3% of revenue, >= 2 years in the niche; 小巨人 needs >= 3 years,
main business >= 70%, R&D staff >= 15%, >= 2 invention patents, growth >= 5% and R&D >= 6% of revenue
below 1 亿元. SMEs stay under the 2011 SME ceiling (1000 staff or 40000 万元 revenue).
"""

from __future__ import annotations

import math
import random
from typing import Any, NamedTuple

from matcher.domain import Indicators, Patents, Tier
from matcher.domain.models import InstitutionLevel

YEAR = 2024
SME_MAX_REVENUE = 39_000.0


class Ranges(NamedTuple):
    employees: tuple[int, int]  # log-uniform
    revenue_per_head: tuple[float, float]  # 万元 per employee
    rd_ratio: tuple[float, float]  # % of revenue
    rd_staff: tuple[float, float]  # share of employees
    invention: tuple[int, int]
    utility: tuple[int, int]
    years: tuple[float, float]
    main_share: tuple[float, float]
    market_share: tuple[float, float]
    rd_institution: float  # probability
    growth: tuple[float, float]  # mean, sd


RANGES: dict[str, Ranges] = {
    "none": Ranges(
        (8, 250),
        (25, 90),
        (0.2, 2.8),
        (0.02, 0.10),
        (0, 1),
        (0, 6),
        (1, 12),
        (50, 95),
        (0.01, 0.8),
        0.15,
        (3, 15),
    ),
    "innovative": Ranges(
        (15, 300),
        (30, 100),
        (3.2, 7),
        (0.08, 0.2),
        (1, 4),
        (3, 15),
        (2, 15),
        (60, 95),
        (0.05, 1.5),
        0.4,
        (10, 14),
    ),
    "specialized": Ranges(
        (60, 600),
        (40, 120),
        (3.5, 8),
        (0.10, 0.25),
        (2, 10),
        (8, 30),
        (3, 20),
        (75, 98),
        (0.5, 5),
        0.75,
        (12, 12),
    ),
    "little_giant": Ranges(
        (150, 950),
        (50, 150),
        (6.2, 10),
        (0.16, 0.35),
        (5, 30),
        (15, 60),
        (5, 25),
        (80, 99),
        (3, 25),
        1.0,
        (18, 9),
    ),
    "large": Ranges(
        (1200, 30_000),
        (80, 400),
        (3, 8),
        (0.10, 0.25),
        (60, 1500),
        (150, 3000),
        (8, 30),
        (70, 98),
        (5, 40),
        1.0,
        (10, 15),
    ),
    "service": Ranges(
        (10, 200),
        (15, 60),
        (0, 4),
        (0.03, 0.15),
        (0, 2),
        (0, 5),
        (2, 15),
        (60, 98),
        (0.01, 0.3),
        0.2,
        (6, 12),
    ),
}

LATENT_WEIGHTS: dict[str, dict[Tier, float]] = {
    "park": {Tier.NONE: 0.45, Tier.INNOVATIVE: 0.30, Tier.SPECIALIZED: 0.16, Tier.LITTLE_GIANT: 0.09},
    "outside": {Tier.NONE: 0.30, Tier.INNOVATIVE: 0.30, Tier.SPECIALIZED: 0.25, Tier.LITTLE_GIANT: 0.15},
    "leading": {Tier.NONE: 0.62, Tier.CHAMPION: 0.30, Tier.PILOT: 0.08},
    "service": {Tier.NONE: 0.8, Tier.INNOVATIVE: 0.2},
}
_ORDER = (Tier.NONE, Tier.INNOVATIVE, Tier.SPECIALIZED, Tier.LITTLE_GIANT)


def draw_latent(rng: random.Random, population: str) -> Tier:
    weights = LATENT_WEIGHTS[population]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def declared_tier(rng: random.Random, latent: Tier) -> Tier:
    """The recognized tier: mostly the latent one, sometimes not yet recognized, rarely over-claimed."""
    if latent not in _ORDER:
        return latent
    i = _ORDER.index(latent)
    roll = rng.random()
    if roll < 0.08 and i > 0:
        return _ORDER[i - 1]
    if roll > 0.96 and i < len(_ORDER) - 1:
        return _ORDER[i + 1]
    return latent


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _ranges_for(latent: Tier, kind: str) -> Ranges:
    if kind == "leading":
        return RANGES["large"]
    if kind == "service":
        return RANGES["service"]
    return RANGES[latent.value if latent in _ORDER else "none"]


def _core(rng: random.Random, latent: Tier, kind: str) -> dict[str, Any]:
    """Size, money and innovation figures of the latest year."""
    r = _ranges_for(latent, kind)
    employees = round(_log_uniform(rng, *r.employees))
    revenue = employees * rng.uniform(*r.revenue_per_head)
    if kind != "leading":
        revenue = min(revenue, SME_MAX_REVENUE * rng.uniform(0.5, 1.0))
    if latent is Tier.SPECIALIZED:
        revenue = max(revenue, rng.uniform(1_200, 3_000))
    if latent is Tier.LITTLE_GIANT:
        revenue = max(revenue, rng.uniform(6_000, 12_000))
    share = (15.0, 45.0) if latent is Tier.CHAMPION else r.market_share
    rd_expense = revenue * rng.uniform(*r.rd_ratio) / 100
    if latent in (Tier.SPECIALIZED, Tier.LITTLE_GIANT):
        rd_expense = max(rd_expense, 120.0)
    growth = max(rng.gauss(*r.growth), -60.0)
    if latent is Tier.LITTLE_GIANT:
        growth = max(growth, rng.uniform(5.5, 9))
    equity = rng.uniform(500, 20_000) if latent in _ORDER[2:] and rng.random() < 0.3 else None
    return {
        "year": YEAR,
        "employees": employees,
        "revenue": round(revenue, 1),
        "revenue_growth": round(growth, 1),
        "main_business_share": round(rng.uniform(*r.main_share), 1),
        "rd_expense": round(rd_expense, 1),
        "rd_staff": round(employees * rng.uniform(*r.rd_staff)),
        "debt_ratio": round(rng.uniform(15, 72), 1),
        "equity_financing": round(equity) if equity else None,
        "years_in_niche": round(rng.uniform(*r.years)),
        "market_share": None
        if latent is Tier.NONE and rng.random() < 0.35
        else round(rng.uniform(*share), 2),
        "has_rd_institution": rng.random() < r.rd_institution,
    }


def _history(rng: random.Random, core: dict[str, Any]) -> dict[str, Any]:
    """The previous year's figures, consistent with this year's growth."""
    growth_prev = max(rng.gauss(core["revenue_growth"], 6), -60.0)
    equity = core["equity_financing"]
    return {
        "revenue_prev": round(core["revenue"] / (1 + core["revenue_growth"] / 100), 1),
        "revenue_growth_prev": round(growth_prev, 1),
        "revenue_growth_2y": round((core["revenue_growth"] + growth_prev) / 2, 1),
        "rd_expense_prev": round(core["rd_expense"] * rng.uniform(0.8, 1.05), 1),
        "debt_ratio_prev": round(min(max(core["debt_ratio"] + rng.uniform(-6, 6), 5.0), 95.0), 1),
        "net_profit": round(core["revenue"] * rng.uniform(-0.04, 0.14), 1),
        "equity_financing_3y": round(equity * rng.uniform(1.0, 1.5)) if equity else None,
    }


# Probabilities by level: (chain_key_role, six_basics, key_field, drafted_standards, provincial award)
_QUALITY = {
    0: (0.05, 0.10, 0.15, 0.05, 0.02),
    1: (0.08, 0.12, 0.2, 0.15, 0.05),
    2: (0.3, 0.25, 0.4, 0.4, 0.2),
    3: (0.95, 0.5, 0.95, 0.7, 0.35),
    4: (0.8, 0.6, 0.6, 0.9, 0.5),
}
_LEVELS = (
    InstitutionLevel.BELOW,
    InstitutionLevel.MUNICIPAL,
    InstitutionLevel.PROVINCIAL,
    InstitutionLevel.NATIONAL,
)


def _qualitative(rng: random.Random, latent: Tier, kind: str, has_rd: bool) -> dict[str, Any]:
    """Awards, institution level, digital level and yes/no criteria, richer for higher tiers."""
    level = 4 if kind == "leading" else (_ORDER.index(latent) if latent in _ORDER else 0)
    key_role, six, key_field, standards, award = _QUALITY[level]
    institution = (
        _LEVELS[min(3, max(0, level - 1 + rng.choice((-1, 0, 0, 1))))] if has_rd else InstitutionLevel.NONE
    )
    global_rank = {Tier.CHAMPION: rng.randint(1, 3), Tier.PILOT: rng.randint(1, 5)}.get(latent)
    return {
        "rd_institution_level": institution,
        "national_award_rank": rng.randint(1, 5) if rng.random() < award / 3 else 0,
        "provincial_award_rank": rng.randint(1, 5) if rng.random() < award else 0,
        "maker_china_top": rng.choice((50, 100, 500)) if level and rng.random() < 0.05 else 0,
        "strategic_emerging": rng.random() < 0.9,
        "chain_key_role": rng.random() < key_role,
        "six_basics": rng.random() < six,
        "key_field": rng.random() < key_field,
        "digital_level": min(4, max(1, level + rng.choice((0, 1)) if level else rng.choice((1, 2)))),
        "info_system": rng.random() < (0.9 if level >= 2 else 0.7),
        "own_brand": rng.random() < (0.9 if level >= 2 else 0.7),
        "drafted_standards": rng.random() < standards,
        "local_score": round(rng.uniform(8, 15) if level >= 2 else rng.uniform(0, 8), 1),
        "global_rank": global_rank,
        "new_product": rng.random() < 0.5,
    }


def _patents(rng: random.Random, r: Ranges, kind: str, employees: int) -> Patents:
    scale = 1 + employees / 2000 if kind == "leading" else 1.0
    invention = round(rng.randint(*r.invention) * scale)
    return Patents(
        invention=invention,
        utility_model=round(rng.randint(*r.utility) * scale),
        design=rng.randint(0, 3),
        software_copyright=rng.randint(0, 12 if kind != "service" else 4),
        high_value_class1=round(invention * rng.uniform(0.2, 0.7)),
        self_developed_class1=round(invention * rng.uniform(0.6, 1.0)),
    )


def draw_indicators(rng: random.Random, latent: Tier, kind: str) -> Indicators:
    """Indicators for an enterprise of ``kind`` (sme/leading/service) whose true tier is ``latent``."""
    core = _core(rng, latent, kind)
    patents = _patents(rng, _ranges_for(latent, kind), kind, core["employees"])
    return Indicators(
        **core,
        **_history(rng, core),
        **_qualitative(rng, latent, kind, core["has_rd_institution"]),
        patents=patents,
    )
