"""Whole-enterprise assessments worked out by hand: tier, points, direct routes, gaps, missing data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tiers_helpers import make

from matcher.domain.models import Tier
from matcher.tiers import State, assess, assess_many, load_criteria
from matcher.tiers.sample import sample_enterprises

CRIT = load_criteria()
DAY = dt.date(2024, 6, 30)

# Hand-computed: 创新型 15 (自主研发Ⅰ类) + 10 (2.4%) + 15 (增长12%) + 10 (负债50%) + 10 (战新) + 20 (主营90%) = 80.
# 专精特新 5+10+2+[领域缺失 0-5]+3+[质量 3-5]+8+5+8+8+2+3+4 = 61..68; but 研发占比 2.4% < 3% fails 认定条件（二）.
BASE: dict[str, Any] = dict(
    employees=120, revenue=6000, rd_expense=144, years_in_niche=5, revenue_growth=12, revenue_growth_prev=8,
    debt_ratio=50, strategic_emerging=True, main_business_share=90, rd_staff=20, net_profit=500,
    digital_level=2, own_brand=True, local_score=8, rd_institution_level="municipal",
    patents={"invention": 2, "high_value_class1": 0, "self_developed_class1": 2},
)


def test_hand_worked_enterprise_points_and_tier() -> None:
    a = assess(make(**BASE), CRIT, DAY)
    assert a.tier is Tier.INNOVATIVE and a.next_tier is Tier.SPECIALIZED
    assert a.results[Tier.INNOVATIVE].points == 80
    spec = a.results[Tier.SPECIALIZED]
    assert (spec.points_lo, spec.points_hi, spec.points) == (61, 68, None)
    by_id = {i.id: i for i in spec.indicators}
    assert by_id["specialized.net_margin"].points == 8
    assert [v.display for v in by_id["specialized.net_margin"].values] == ["8.33%"]
    assert by_id["specialized.field"].display == "缺失（0–5）"


def test_gap_message_quantified_in_chinese() -> None:
    a = assess(make(**BASE), CRIT, DAY)
    assert [g.message for g in a.gaps_to_next] == ["研发费用占比 2.4%，距专精特新要求的 3% 差 0.6 个百分点，约 36 万元"]
    gap = a.gaps_to_next[0]
    assert gap.amount == pytest.approx(0.6) and gap.money == pytest.approx(36) and gap.cost == pytest.approx(36)


def test_park_override_changes_the_outcome() -> None:
    park = load_criteria(overrides={"park": "宽松园区", "rules": {"specialized.rd_ratio": 2}})
    assert assess(make(**BASE), park, DAY).tier is Tier.SPECIALIZED
    strict = load_criteria(overrides={"rules": {"innovative.total": 85}})
    a = assess(make(**BASE, national_award_rank=0, provincial_award_rank=0, equity_financing_3y=0), strict, DAY)
    assert a.tier is Tier.NONE and a.results[Tier.INNOVATIVE].state is State.UNMET


def test_missing_data_is_missing_not_zero() -> None:
    no_routes: dict[str, Any] = dict(national_award_rank=0, provincial_award_rank=0, equity_financing_3y=0,
                     rd_institution_level="none")
    dear_equity = load_criteria(overrides={"costs": {"per_unit": {"equity_financing_3y": 1}}})
    a = assess(make(**{**BASE, **no_routes, "rd_expense": None}), dear_equity, DAY)
    rd_share = {i.id: i for i in a.results[Tier.INNOVATIVE].indicators}["innovative.rd_share"]
    assert rd_share.points is None and (rd_share.lo, rd_share.hi) == (0, 20)
    assert rd_share.values[0].display == "缺失"
    # 创新能力 = 15 + (0..20): the 20-point minimum is undecided, so the tier is MISSING, not failed.
    assert a.results[Tier.INNOVATIVE].state is State.MISSING and a.tier is Tier.NONE
    assert list(Tier).index(a.possible_tier) >= list(Tier).index(Tier.SPECIALIZED)
    assert a.gaps_to_next[0].message == (
        "创新型创新能力指标得分 至少 15 分（另有 1 项指标缺失，最高 35 分），距 20 分差 5 分"
    )
    spec = assess(make(**{**BASE, "rd_expense": None, "certs": ["高新技术企业"]}), CRIT, DAY)
    assert spec.tier is Tier.INNOVATIVE and spec.results[Tier.SPECIALIZED].state is State.MISSING
    assert "上年度研发费用总额 缺失，无法判断是否达到专精特新要求（不低于 100 万元），请补报" in [
        g.message for g in spec.gaps_to_next
    ]
    assert "上年度研发费用总额" in spec.missing
    cond = {c.id: c for c in spec.results[Tier.SPECIALIZED].conditions}["specialized.rd_ratio"]
    assert cond.state is State.MISSING and cond.value is not None and cond.value.display == "缺失"


def test_group_minimum_blocks_a_high_total() -> None:
    # 创新能力 0 + 15 = 15 < 20 although total = 15 + 30 + 30 = 75.
    e: dict[str, Any] = dict(employees=50, revenue=1000, rd_expense=30, revenue_growth=20, debt_ratio=40, strategic_emerging=True,
             main_business_share=80, national_award_rank=0, provincial_award_rank=0, equity_financing_3y=0,
             rd_institution_level="none")
    a = assess(make(**e), CRIT, DAY)
    assert a.results[Tier.INNOVATIVE].points == 75 and a.tier is Tier.NONE
    assert a.gaps_to_next[0].message == "创新型创新能力指标得分 15 分，距 20 分差 5 分"
    # cheapest +5: one Ⅱ类 right (1 万元等值) beats raising R&D from 3% to 5% (20 万元)
    assert [g.message for g in a.gaps_to_next[1:]] == ["Ⅱ类知识产权 0 项，距创新型要求的 1 项 差 1 项"]
    assert assess(make(**{**e, "rd_expense": 50}), CRIT, DAY).tier is Tier.INNOVATIVE


NO_POINTS: dict[str, Any] = dict(employees=50, revenue=1000, national_award_rank=0, provincial_award_rank=0, equity_financing_3y=0)


@pytest.mark.parametrize("route", [
    dict(national_award_rank=7), dict(provincial_award_rank=2), dict(certs=["高新技术企业"]),
    dict(rd_institution_level="provincial"), dict(equity_financing_3y=500),
])
def test_innovative_direct_routes(route: dict[str, Any]) -> None:
    assert assess(make(**NO_POINTS), CRIT, DAY).tier is Tier.NONE
    assert assess(make(**{**NO_POINTS, **route}), CRIT, DAY).tier is Tier.INNOVATIVE


# 专精特新 by a direct route: conditions (一)-(三) met, score low but a route of (四) holds.
SPEC: dict[str, Any] = dict(employees=80, revenue=2000, rd_expense=100, years_in_niche=2, certs=["高新技术企业"],
            provincial_award_rank=0, national_award_rank=0, maker_china_top=0, equity_financing=0,
            rd_expense_prev=0)


@pytest.mark.parametrize("route", [
    dict(provincial_award_rank=3), dict(national_award_rank=5), dict(rd_expense=1000, rd_expense_prev=1000,
                                                                   revenue=20000),
    dict(equity_financing=6000), dict(maker_china_top=500),
])
def test_specialized_direct_routes(route: dict[str, Any]) -> None:
    assert assess(make(**SPEC), CRIT, DAY).tier is Tier.INNOVATIVE
    assert assess(make(**{**SPEC, **route}), CRIT, DAY).tier is Tier.SPECIALIZED


GIANT: dict[str, Any] = dict(
    employees=200, revenue=8000, revenue_prev=7000, rd_expense=480, rd_expense_prev=420, years_in_niche=3,
    main_business_share=70, revenue_growth_2y=5, info_system=True, certs=["ISO9001", "高新技术企业"],
    debt_ratio=70, market_share=10, own_brand=True, rd_institution_level="provincial", chain_key_role=True,
    key_field=True, patents={"invention": 2, "high_value_class1": 1}, digital_level=3, net_profit=800,
    local_score=10, rd_staff=40,
)  # 专精特新 points: 3+4+1+5 + 5+5+10+1 + 10 + 10+8+5+8 = 75


def test_little_giant_general_and_direct() -> None:
    assert assess(make(**GIANT), CRIT, DAY).tier is Tier.LITTLE_GIANT
    weak: dict[str, Any] = {**GIANT, "rd_expense_prev": 419.99, "national_award_rank": 0, "maker_china_top": 0}
    a = assess(make(**weak), CRIT, DAY)
    assert a.tier is Tier.SPECIALIZED
    # last year's 5.9999% cannot be bought back; growing revenue to the 1亿 band (3%) is the priced route
    assert [g.message for g in a.gaps_to_next] == ["上年度营业收入 8000 万元，距小巨人要求的 10000 万元 差 2000 万元"]
    only_mid = load_criteria(overrides={"rules": {"little_giant.band_large.revenue": 1e12}})
    msg = assess(make(**weak), only_mid, DAY).gaps_to_next[0].message
    assert msg == "前一年度研发费用占比 5.9999%，距小巨人要求的 6% 差 0.0001 个百分点"
    assert assess(make(**{**weak, "maker_china_top": 50}), CRIT, DAY).tier is Tier.LITTLE_GIANT
    assert assess(make(**{**weak, "national_award_rank": 3}), CRIT, DAY).tier is Tier.LITTLE_GIANT


def test_lower_tier_required_and_override_of_requirement() -> None:
    no_innov: dict[str, Any] = {**GIANT, "certs": ["ISO9001"], "rd_institution_level": "below", "equity_financing_3y": 0,
                "national_award_rank": 0, "provincial_award_rank": 0, "revenue_growth": -5, "debt_ratio": 70,
                "main_business_share": 70, "strategic_emerging": False}
    # 创新型: IP 10 + R&D 6% 20 + growth 0 + debt 5 + field 5 + share 20 = 60, but growth group 5 < 15.
    assert assess(make(**no_innov), CRIT, DAY).tier is Tier.NONE
    flat = load_criteria(overrides={"tiers": {"specialized": {"requires": []}, "little_giant": {"requires": []}}})
    assert assess(make(**no_innov), flat, DAY).tier is Tier.LITTLE_GIANT


def test_champion_and_pilot() -> None:
    champ = make(industry="3841", years_in_niche=12, global_rank=2, employees=3000, revenue=90000)
    assert assess(champ, CRIT, DAY).tier is Tier.CHAMPION  # large firms may be champions
    assert assess(make(industry="6513", years_in_niche=12, global_rank=1), CRIT, DAY).tier is not Tier.CHAMPION


def test_batch_equals_single() -> None:
    ents = sample_enterprises(60, seed=3)
    batch = assess_many(ents, CRIT, DAY)
    singles = [assess(e, CRIT, DAY) for e in ents]
    assert batch.tiers == [a.tier for a in singles]
    assert [batch.assessment(i).gaps_to_next for i in range(60)] == [a.gaps_to_next for a in singles]
    assert sum(batch.counts().values()) == 60
