"""Synthetic enterprises with plausible tier indicators (about 10 % of values unreported), for demos,
property tests and the 100,000-enterprise benchmark. Deterministic for a given seed; no real firm data.
"""

from __future__ import annotations

import random
from typing import Any

from matcher.domain.models import Enterprise, Indicators, InstitutionLevel, Patents
from matcher.domain.uscc import check_character

_INDUSTRIES = ("3841", "3562", "2929", "3989", "3311", "6513", "2710")
_CERTS = ("ISO9001", "高新技术企业", "IATF16949", "ISO14001", "省级质量奖", "CE认证")


def _maybe(rng: random.Random, value: Any, missing: float = 0.1) -> Any:
    return None if rng.random() < missing else value


def _indicators(rng: random.Random) -> Indicators:
    revenue = round(rng.lognormvariate(8.3, 1.1), 1)  # median ≈ 4000 万元
    rd = round(revenue * rng.uniform(0.0, 0.09), 1)
    inventions = rng.choice((0, 0, 1, 2, 3, 5))
    return Indicators(
        year=2023,
        employees=_maybe(rng, rng.randint(10, 900)),
        revenue=_maybe(rng, revenue, 0.03),
        revenue_prev=_maybe(rng, round(revenue / rng.uniform(0.85, 1.3), 1)),
        revenue_growth=_maybe(rng, round(rng.uniform(-10, 30), 2)),
        revenue_growth_prev=_maybe(rng, round(rng.uniform(-10, 30), 2)),
        main_business_share=_maybe(rng, round(rng.uniform(45, 100), 1)),
        rd_expense=_maybe(rng, rd),
        rd_expense_prev=_maybe(rng, round(rd * rng.uniform(0.7, 1.1), 1)),
        rd_staff=_maybe(rng, rng.randint(0, 60)),
        debt_ratio=_maybe(rng, round(rng.uniform(20, 85), 1)),
        net_profit=_maybe(rng, round(revenue * rng.uniform(-0.05, 0.15), 1)),
        equity_financing=_maybe(rng, rng.choice((0, 0, 0, 800, 2500, 7000))),
        equity_financing_3y=_maybe(rng, rng.choice((0, 0, 600, 3000))),
        years_in_niche=_maybe(rng, rng.randint(0, 25)),
        market_share=_maybe(rng, round(rng.uniform(0, 20), 1)),
        rd_institution_level=_maybe(rng, rng.choice(list(InstitutionLevel))),
        national_award_rank=_maybe(rng, rng.choice((0, 0, 0, 0, 2, 6))),
        provincial_award_rank=_maybe(rng, rng.choice((0, 0, 0, 1, 4))),
        maker_china_top=_maybe(rng, rng.choice((0, 0, 0, 0, 50, 500))),
        strategic_emerging=_maybe(rng, rng.random() < 0.5),
        chain_key_role=_maybe(rng, rng.random() < 0.3),
        six_basics=_maybe(rng, rng.random() < 0.3),
        key_field=_maybe(rng, rng.random() < 0.4),
        digital_level=_maybe(rng, rng.randint(1, 4)),
        info_system=_maybe(rng, rng.random() < 0.7),
        own_brand=_maybe(rng, rng.random() < 0.6),
        drafted_standards=_maybe(rng, rng.random() < 0.3),
        local_score=_maybe(rng, rng.randint(0, 15)),
        global_rank=_maybe(rng, rng.randint(1, 20), 0.5),
        new_product=_maybe(rng, rng.random() < 0.2, 0.5),
        patents=Patents(
            invention=inventions,
            utility_model=rng.randint(0, 12),
            software_copyright=rng.randint(0, 5),
            high_value_class1=_maybe(rng, min(inventions, rng.choice((0, 0, 1))), 0.3),
            self_developed_class1=_maybe(rng, inventions, 0.3),
        ),
    )


def sample_enterprises(n: int, seed: int = 0, park: str = "示例园区") -> list[Enterprise]:
    """``n`` synthetic enterprises of ``park`` (valid USCCs, GB/T 4754 codes, tier indicators)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        body = f"91330100MA{k:07d}"[:17]
        certs = rng.sample(_CERTS, rng.randint(0, 3))
        out.append(
            Enterprise(
                uscc=body + check_character(body),
                name=f"示例企业{k + 1:05d}",
                park=park,
                industry_code=rng.choice(_INDUSTRIES),
                certifications=certs,
                indicators=_indicators(rng),
            )
        )
    return out
