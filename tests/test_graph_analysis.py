"""Park chain analysis on a tiny hand-built park; every expected value is worked out by hand.

Chain 测试链: 矿石(上游) → 钢材 → 零部件 → 整机(下游), and 涂料(上游) → 整机.
Park 示范园: leading L1 makes 挖掘机 (整机); S1 钢板 (钢材); S2 螺母, S3 螺母系列 (零部件); S4 面包 (none).
Outside: O1 铁矿石 (share 0.9, champion, 江苏), O2 铁矿粉, O3 水性涂料 + 铁矿.
So 矿石 and 涂料 are gaps, 钢材 and 整机 weak (one producer), 零部件 covered.
"""

from __future__ import annotations

from typing import Any

import pytest

from matcher.domain.models import Enterprise
from matcher.graph import (
    LinkStatus,
    Location,
    chain_coverage,
    chain_graph,
    leading_industry_check,
    recruitment_candidates,
    supply_integration,
)
from matcher.graph.templates import parse_template

TEMPLATE = parse_template({"industry": "测试链", "links": [
    {"id": "ore", "name": "矿石", "stage": "上游", "keywords": ["铁矿"]},
    {"id": "steel", "name": "钢材", "stage": "中游", "keywords": ["钢板"], "upstream": ["ore"]},
    {"id": "part", "name": "零部件", "stage": "中游", "keywords": ["螺母"], "upstream": ["steel"]},
    {"id": "paint", "name": "涂料", "stage": "上游"},
    {"id": "machine", "name": "整机", "stage": "下游", "keywords": ["挖掘机"], "upstream": ["part", "paint"]},
]})
PARK = "示范园"


def firm(fid: str, products: list[Any], park: str = PARK, **extra: object) -> dict[str, object]:
    return {"id": fid, "name": fid, "park": park, "products": products, **extra}


FIRMS = [
    firm("L1", ["挖掘机"], role="leading"),
    firm("S1", ["钢板"], tier="specialized"),
    firm("S2", ["螺母"]),
    firm("S3", ["螺母系列"], tier="little_giant"),
    firm("S4", ["面包"]),
    firm("O1", [{"name": "铁矿石", "share": 0.9}], park="外园", tier="champion", province="江苏"),
    firm("O2", ["铁矿粉"], park="外园"),
    firm("O3", ["水性涂料", "铁矿"], park="外园"),
]


@pytest.fixture
def coverage():  # type: ignore[no-untyped-def]
    return chain_coverage(chain_graph([TEMPLATE]), "测试链", FIRMS, park=PARK)


def test_statuses_upstream_first(coverage) -> None:  # type: ignore[no-untyped-def]
    assert [(lc.name, lc.status) for lc in coverage.links] == [
        ("矿石", LinkStatus.GAP), ("涂料", LinkStatus.GAP), ("钢材", LinkStatus.WEAK),
        ("零部件", LinkStatus.COVERED), ("整机", LinkStatus.WEAK)]
    assert [lc.depth for lc in coverage.links] == [0, 0, 1, 2, 3]
    assert coverage.coverage == pytest.approx(3 / 5)
    assert [(f.id, p) for f, p in coverage.unlinked] == [("S4", "面包")]
    ore = coverage.links[0]
    assert ore.outside_only and {p.firm.id for p in ore.outside} == {"O1", "O2", "O3"}


def test_exposed_leading_firms(coverage) -> None:  # type: ignore[no-untyped-def]
    by_name = {lc.name: lc for lc in coverage.links}
    assert [(e.firm.id, e.distance) for e in by_name["矿石"].exposed] == [("L1", 3)]
    assert [(e.firm.id, e.distance) for e in by_name["涂料"].exposed] == [("L1", 1)]
    assert by_name["整机"].exposed == []  # the leading firm's own link exposes nobody downstream


def test_recruitment_ranking(coverage) -> None:  # type: ignore[no-untyped-def]
    cands = recruitment_candidates(coverage, where=Location(province="江苏"))
    ore = cands["link:测试链/ore"]
    # O1: 0.4*0.9 + 0.2*0.9 + 0.15*4/5 + 0.1*0.5 = 0.71; O3: 0.4*1 + 0.15*0.5 = 0.475; O2: 0.4*0.9 = 0.36
    assert [(c.firm.id, c.score) for c in ore] == [("O1", 71.0), ("O3", 47.5), ("O2", 36.0)]
    assert any("可同时补齐本园区 2 个缺失环节" in r for r in ore[1].reasons)
    assert any("制造业单项冠军" in r for r in ore[0].reasons)
    assert [c.firm.id for c in cands["link:测试链/paint"]] == ["O3"]


def test_supply_integration(coverage) -> None:  # type: ignore[no-untyped-def]
    G = chain_graph([TEMPLATE])
    rows = {(r.leading.id, r.upstream): r for r in supply_integration(G, coverage)}
    assert set(rows) == {("L1", "零部件"), ("L1", "涂料")}
    part = rows[("L1", "零部件")]
    assert [(s.firm.id, s.tier_label) for s in part.suppliers] == [("S3", "专精特新“小巨人”企业"), ("S2", "未入库")]
    assert rows[("L1", "涂料")].suppliers == ()
    custom = supply_integration(G, coverage, tier_of=lambda f: "T-" + f.id)
    assert {s.tier_label for r in custom for s in r.suppliers} == {"T-S2", "T-S3"}


def test_leading_industry_check(coverage) -> None:  # type: ignore[no-untyped-def]
    local = [f for f in FIRMS if f["park"] == PARK]
    ok = leading_industry_check(["测试链"], [coverage], local)
    assert ok.ok and ok.in_chains == pytest.approx(4 / 5)
    too_many = leading_industry_check(["甲", "乙", "丙", "丁"], [coverage], local)
    assert not too_many.ok and "超过" in too_many.problems[0]
    crowd = local + [firm(f"X{i}", ["面包"], industry_code="1411") for i in range(5)]
    warn = leading_industry_check(["测试链"], [coverage], crowd)
    assert not warn.ok and "主导产业之外" in warn.problems[0]
    assert warn.top_outside[0] == ("食品制造业", 5)


def test_accepts_domain_enterprises() -> None:
    e = Enterprise(uscc="91350100M000100Y43", name="甲公司", park=PARK, industry_code="3311",
                   role="leading", products=[{"name": "钢板", "share": 0.5}])
    cov = chain_coverage(chain_graph([TEMPLATE]), "测试链", [e], park=PARK)
    steel = next(lc for lc in cov.links if lc.name == "钢材")
    assert steel.status is LinkStatus.WEAK and steel.local[0].firm.name == "甲公司"


def test_an_adopted_trial_is_a_supplier_link_the_chain_counts() -> None:
    """S4 makes only 面包; L1 adopted its 水性涂料 in a 先试首用 trial: 涂料 turns from gap to weak with S4
    as its local producer, and the link lists the adoption. An adoption of a product no link knows is
    dropped; the firm list itself is not changed."""
    from matcher.graph import Supply

    G = chain_graph([TEMPLATE])
    paint = Supply("S4", "S4", "L1", "L1", "水性涂料")
    stray = Supply("S2", "S2", "L1", "L1", "咖啡")
    cov = chain_coverage(G, "测试链", FIRMS, park=PARK, supplies=[paint, stray])
    by = {lc.name: lc for lc in cov.links}
    assert by["涂料"].status is LinkStatus.WEAK and [p.firm.id for p in by["涂料"].local] == ["S4"]
    assert by["涂料"].adopted == [paint] and paint.label == "S4 → L1（水性涂料）"
    assert all(not lc.adopted for name, lc in by.items() if name != "涂料")
    assert FIRMS[4]["products"] == ["面包"]
    before = chain_coverage(G, "测试链", FIRMS, park=PARK)
    assert {lc.name: lc.status for lc in before.links}["涂料"] is LinkStatus.GAP
