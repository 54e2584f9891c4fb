"""Every rule of the 2022-63 criteria at its threshold: just below, at, just above (values worked by hand)."""

from __future__ import annotations

from typing import Any

import pytest
from tiers_helpers import make

from matcher.tiers import load_criteria
from matcher.tiers.evaluate import MET, UNKNOWN, UNMET, evaluate
from matcher.tiers.metrics import to_columns

CRIT = load_criteria()
M, U, X = MET, UNMET, UNKNOWN


def states(rule: str, cases: list[dict[str, Any]]) -> list[int]:
    ents = [make(k + 1, **c) for k, c in enumerate(cases)]
    ev = evaluate(to_columns(ents, CRIT.keywords), CRIT)
    return [int(s) for s in ev.states[rule]]


def points(indicator: str, cases: list[dict[str, Any]]) -> list[tuple[float, float]]:
    ents = [make(k + 1, **c) for k, c in enumerate(cases)]
    ev = evaluate(to_columns(ents, CRIT.keywords), CRIT)
    lo, hi = ev.points[indicator]
    return [(float(a), float(b)) for a, b in zip(lo, hi, strict=True)]


def rd(ratio: float, revenue: float = 10000) -> dict[str, float]:
    """R&D expense giving ``ratio`` % of ``revenue`` (万元)."""
    return {"revenue": revenue, "rd_expense": ratio * revenue / 100}


CONDITIONS = [
    # (rule id, [below, at, above] cases, expected states)
    ("innovative.sme", [dict(employees=1000, revenue=40000), dict(employees=999, revenue=40000),
                        dict(employees=1000, revenue=39999), dict(revenue=100)], [U, M, M, X]),
    ("innovative.award.national", [dict(national_award_rank=0), dict(national_award_rank=1), {}], [U, M, X]),
    ("innovative.honors", [dict(certs=["ISO9001"]), dict(certs=["高新技术企业"]), dict(certs=["国家知识产权示范企业"])],
     [U, M, M]),
    ("innovative.institution", [dict(rd_institution_level="municipal"), dict(rd_institution_level="provincial"),
                                dict(rd_institution_level="national")], [U, M, M]),
    ("innovative.equity", [dict(equity_financing_3y=499.99), dict(equity_financing_3y=500),
                           dict(equity_financing_3y=500.01)], [U, M, M]),
    ("specialized.niche_years", [dict(years_in_niche=1.99), dict(years_in_niche=2), dict(years_in_niche=2.01)],
     [U, M, M]),
    ("specialized.rd_expense", [dict(rd_expense=99.99), dict(rd_expense=100), dict(rd_expense=100.01)], [U, M, M]),
    ("specialized.rd_ratio", [rd(2.9999), rd(3), rd(3.0001), dict(rd_expense=300)], [U, M, M, X]),
    ("specialized.revenue", [dict(revenue=999.99), dict(revenue=1000), dict(revenue=1000.01)], [U, M, M]),
    ("specialized.equity", [dict(equity_financing=1999.99), dict(equity_financing=2000),
                            dict(equity_financing=2000.01)], [U, M, M]),
    ("specialized.scale", [dict(revenue=999, equity_financing=1999), dict(revenue=999, equity_financing=2000),
                           dict(revenue=999)], [U, M, X]),
    ("specialized.route.provincial_award", [dict(provincial_award_rank=r) for r in (0, 1, 3, 4)], [U, M, M, U]),
    ("specialized.route.national_award", [dict(national_award_rank=r) for r in (0, 1, 5, 6)], [U, M, M, U]),
    ("specialized.route.rd_avg", [dict(rd_expense=1000, rd_expense_prev=999.98),
                                  dict(rd_expense=1000, rd_expense_prev=1000),
                                  dict(rd_expense=1000, rd_expense_prev=1000.02)], [U, M, M]),
    ("specialized.route.equity", [dict(equity_financing=v) for v in (5999.99, 6000, 6000.01)], [U, M, M]),
    ("specialized.route.maker", [dict(maker_china_top=v) for v in (0, 1, 500, 501)], [U, M, M, U]),
    ("little_giant.niche_years", [dict(years_in_niche=v) for v in (2.99, 3, 3.01)], [U, M, M]),
    ("little_giant.main_share", [dict(main_business_share=v) for v in (69.99, 70, 70.01)], [U, M, M]),
    ("little_giant.growth", [dict(revenue_growth_2y=v) for v in (4.99, 5, 5.01)], [U, M, M]),
    ("little_giant.growth", [dict(revenue_growth=4, revenue_growth_prev=5.98), dict(revenue_growth=4,
                             revenue_growth_prev=6), dict(revenue_growth=4)], [U, M, X]),
    ("little_giant.info_system", [dict(info_system=False), dict(info_system=True), {}], [U, M, X]),
    ("little_giant.certification", [dict(certs=["省级质量奖"]), dict(certs=["ISO 9001"]), dict(certs=["IATF16949"])],
     [U, M, M]),
    ("little_giant.debt", [dict(debt_ratio=v) for v in (69.99, 70, 70.01)], [M, M, U]),
    ("little_giant.market_share", [dict(market_share=v) for v in (9.99, 10, 10.01)], [U, M, M]),
    ("little_giant.own_brand", [dict(own_brand=False), dict(own_brand=True)], [U, M]),
    ("little_giant.band_large", [dict(revenue=9999.99, rd_expense=400, revenue_prev=10000, rd_expense_prev=300),
                                 dict(revenue=10000, rd_expense=300, revenue_prev=10000, rd_expense_prev=300),
                                 dict(revenue=10000, rd_expense=300, revenue_prev=10000, rd_expense_prev=299.99)],
     [U, M, U]),
    ("little_giant.band_mid", [dict(**rd(5.9999, 8000), revenue_prev=8000, rd_expense_prev=480),
                               dict(**rd(6, 8000), revenue_prev=8000, rd_expense_prev=480),
                               dict(**rd(6, 5000), revenue_prev=8000, rd_expense_prev=480),
                               dict(**rd(6, 4999.99), revenue_prev=8000, rd_expense_prev=480)], [U, M, M, U]),
    ("little_giant.band_small.staff", [dict(employees=100, rd_staff=s) for s in (49, 50, 51)], [U, M, M]),
    ("little_giant.band_small.equity", [dict(equity_financing=v) for v in (7999.99, 8000)], [U, M]),
    ("little_giant.band_small.rd_total", [dict(rd_expense=1500, rd_expense_prev=v) for v in (1499.99, 1500)], [U, M]),
    ("little_giant.institution", [dict(has_rd_institution=False), dict(has_rd_institution=True),
                                  dict(rd_institution_level="below"), dict(rd_institution_level="none")],
     [U, M, M, U]),
    ("little_giant.class1_ip", [dict(patents={"invention": v}) for v in (1, 2, 3)], [U, M, M]),
    ("little_giant.direct.award", [dict(national_award_rank=v) for v in (0, 1, 3, 4)], [U, M, M, U]),
    ("little_giant.direct.maker", [dict(maker_china_top=v) for v in (0, 50, 51, 500)], [U, M, U, U]),
    ("little_giant.chain", [dict(chain_key_role=False), dict(chain_key_role=True)], [U, M]),
    ("little_giant.field", [dict(key_field=False), dict(key_field=True)], [U, M]),
    ("champion.manufacturing", [dict(industry="6513"), dict(industry="3841"), dict(industry="C")], [U, M, M]),
    ("champion.years", [dict(years_in_niche=9.99, new_product=False), dict(years_in_niche=10),
                        dict(years_in_niche=3, new_product=True), dict(years_in_niche=2.99, new_product=True)],
     [U, M, M, U]),
    ("champion.rank", [dict(global_rank=v) for v in (1, 3, 4)], [M, M, U]),
]


@pytest.mark.parametrize(("rule", "cases", "expected"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_condition_thresholds(rule: str, cases: list[dict[str, Any]], expected: list[int]) -> None:
    assert states(rule, cases) == expected


def pts(*values: float) -> list[tuple[float, float]]:
    return [(v, v) for v in values]


POINTS = [
    ("innovative.rd_share", [rd(v) for v in (0.99, 1, 1.99, 2, 2.99, 3, 4.99, 5, 5.01)],
     pts(0, 5, 5, 10, 10, 15, 15, 20, 20)),
    ("innovative.growth", [dict(revenue_growth=v) for v in (-0.01, 0, 4.99, 5, 9.99, 10, 14.99, 15)],
     pts(0, 5, 5, 10, 10, 15, 15, 20)),
    ("innovative.growth", [dict(revenue=1150, revenue_prev=1000), dict(revenue=1149.9, revenue_prev=1000)],
     pts(20, 15)),
    ("innovative.debt", [dict(debt_ratio=v) for v in (54.99, 55, 55.01, 75, 75.01)], pts(10, 10, 5, 5, 0)),
    ("innovative.main_share", [dict(main_business_share=v) for v in (49.99, 50, 55, 60, 69.99, 70)],
     pts(0, 5, 10, 15, 15, 20)),
    ("innovative.field", [dict(strategic_emerging=True), dict(strategic_emerging=False), {}],
     [(10, 10), (5, 5), (5, 10)]),
    ("innovative.ip", [dict(patents={"invention": 1, "high_value_class1": 1}),
                       dict(patents={"invention": 1, "high_value_class1": 0, "self_developed_class1": 1}),
                       dict(patents={"invention": 1, "high_value_class1": 0, "self_developed_class1": 0}),
                       dict(patents={"utility_model": 1}), {}, dict(patents={"invention": 1})],
     [(20, 20), (15, 15), (10, 10), (5, 5), (0, 0), (10, 20)]),
    ("specialized.main_share", [dict(main_business_share=v) for v in (59.99, 60, 70, 79.99, 80)],
     pts(0, 1, 3, 3, 5)),
    ("specialized.growth", [dict(revenue_growth_2y=v) for v in (-0.01, 0, 4, 6, 8, 9.99, 10)],
     pts(0, 2, 4, 6, 8, 8, 10)),
    ("specialized.niche", [dict(years_in_niche=v) for v in (1.99, 2, 3.99, 4, 10, 30)], pts(0, 1, 1, 2, 5, 5)),
    ("specialized.field", [dict(chain_key_role=True), dict(chain_key_role=False, six_basics=True),
                           dict(chain_key_role=False, six_basics=False)], pts(5, 3, 0)),
    ("specialized.digital", [dict(digital_level=v) for v in (1, 2, 3, 4)], pts(0, 3, 5, 5)),
    ("specialized.quality", [dict(own_brand=False, drafted_standards=False),
                             dict(own_brand=True, drafted_standards=False),
                             dict(own_brand=True, drafted_standards=True, certs=["ISO9001"]),
                             dict(own_brand=True)], [(0, 0), (3, 3), (5, 5), (3, 5)]),
    ("specialized.net_margin", [dict(revenue=1000, net_profit=v) for v in (19.99, 20, 40, 60, 80, 99.99, 100)],
     pts(0, 2, 4, 6, 8, 8, 10)),
    ("specialized.debt", [dict(debt_ratio=v) for v in (50, 50.01, 60, 70, 70.01)], pts(5, 3, 3, 1, 0)),
    ("specialized.local", [dict(local_score=8), {}], [(8, 8), (0, 15)]),
    ("specialized.rd_input", [dict(revenue=100000, rd_expense=v) for v in (99.99, 100, 199.99, 200, 499.99, 500)],
     pts(0, 2, 2, 4, 8, 10)),
    ("specialized.rd_input", [rd(v, 1000) for v in (2.99, 3, 4, 6, 8, 9.99, 10)], pts(0, 2, 4, 6, 8, 8, 10)),
    ("specialized.rd_staff", [dict(employees=1000, rd_staff=v) for v in (49, 50, 99, 100, 199, 200)],
     pts(0, 1, 1, 3, 3, 5)),
    ("specialized.institution", [dict(rd_institution_level=v) for v in
                                 ("national", "provincial", "municipal", "below", "none")], pts(10, 8, 4, 2, 0)),
    ("specialized.ip", [dict(patents={"invention": 1, "high_value_class1": 1}), dict(patents={"design": 2})],
     pts(10, 2)),
]


@pytest.mark.parametrize(("indicator", "cases", "expected"), POINTS, ids=[p[0] for p in POINTS])
def test_points_bands(indicator: str, cases: list[dict[str, Any]], expected: list[tuple[float, float]]) -> None:
    assert points(indicator, cases) == expected
