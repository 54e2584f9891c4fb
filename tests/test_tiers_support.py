"""Targeted support (cheapest gap, demand hook, pipeline) and the park report (XLSX + pyramid chart)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from tiers_helpers import make

from matcher.domain.models import Enterprise, Tier
from matcher.tiers import (
    assess,
    assess_many,
    awaiting_data,
    load_criteria,
    pipeline,
    pyramid,
    pyramid_chart,
    support_plan,
    write_park_report,
)
from matcher.tiers.sample import sample_enterprises
from matcher.tiers.support import path_cost

CRIT = load_criteria()
DAY = dt.date(2024, 6, 30)
BASE: dict[str, Any] = dict(employees=120, revenue=6000, rd_expense=144, years_in_niche=5, revenue_growth=12, debt_ratio=50,
            strategic_emerging=True, main_business_share=90, revenue_growth_prev=8, rd_staff=20, net_profit=500,
            digital_level=2, own_brand=True, local_score=8, rd_institution_level="municipal",
            patents={"invention": 2, "high_value_class1": 0, "self_developed_class1": 2})


def test_cheapest_gap_and_demand_hook() -> None:
    e = make(**BASE)
    seen: list[Enterprise] = []

    def demands(ent: Enterprise) -> list[str]:
        seen.append(ent)
        return ["龙头甲：精密轴承采购", "龙头乙：传感器联合攻关"]

    plan = support_plan(assess(e, CRIT, DAY), e, demands)
    assert plan.cheapest is not None and plan.cheapest.rule_id == "specialized.rd_ratio"
    assert plan.cost is not None and abs(plan.cost - 36) < 1e-9
    assert plan.steps[0] == "优先补齐（约 36 万元等值）：研发费用占比 2.4%，距专精特新要求的 3% 差 0.6 个百分点，约 36 万元"
    assert plan.steps[-2:] == ("可对接龙头企业需求：龙头甲：精密轴承采购", "可对接龙头企业需求：龙头乙：传感器联合攻关")
    assert seen == [e]


def test_pipeline_orders_by_cost() -> None:
    near = make(1, **{**BASE, "rd_expense": 174})   # 2.9%: 6 万元 short
    far = make(2, **BASE)                           # 2.4%: 36 万元 short
    blocked = make(3, **{**BASE, "rd_expense": 180, "years_in_niche": 1})  # years cannot be bought
    out = pipeline([assess(e, CRIT, DAY) for e in (far, blocked, near)])
    names = [p.name for p in out[Tier.SPECIALIZED]]
    assert names == ["测试企业1", "测试企业2", "测试企业3"]
    assert out[Tier.SPECIALIZED][2].cost is None
    assert path_cost(assess(near, CRIT, DAY)) is not None


def test_pipeline_is_not_padded_with_data_requests() -> None:
    known = make(1, **BASE)
    silent = make(4)  # reports no figures: every gap to 创新型 is data it has not reported
    found = [assess(e, CRIT, DAY) for e in (silent, known)]
    out = pipeline(found)
    listed = [p.name for entries in out.values() for p in entries]
    assert listed == ["测试企业1"]
    assert all("请补报" not in p.summary for entries in out.values() for p in entries)
    assert [a.name for a in awaiting_data(found)] == ["测试企业4"]


def test_a_large_group_is_not_told_to_become_an_sme() -> None:
    group = make(5, **{**BASE, "employees": 2187, "revenue": 520_000})  # 大型 by the 2017 rule
    assert group.size_class == "大型"
    a = assess(group, CRIT, DAY)
    assert a.next_tier is Tier.CHAMPION
    assert all(g.tier_short != "创新型" and "中小企业" not in g.message for g in a.gaps_to_next)
    assert assess(make(6, **BASE), CRIT, DAY).next_tier is Tier.SPECIALIZED  # an SME keeps the ladder


def test_park_report_names_tier_points_gap(tmp_path: Path) -> None:
    ents = [make(1, **BASE), *sample_enterprises(30, seed=5)]
    batch = assess_many(ents, CRIT, DAY)
    items = batch.assessments()
    earlier = [replace(a, as_of=dt.date(2023, 6, 30), tier=Tier.NONE) for a in items[:10]]
    years = pyramid(items + earlier)
    assert years[1].up == sum(a.tier is not Tier.NONE for a in items[:10])
    out = write_park_report(tmp_path / "report.xlsx", items, years, chart=tmp_path / "pyramid.png")
    wb = load_workbook(out)
    assert wb.sheetnames == ["企业评估", "指标得分", "培育梯队", "梯度金字塔"]
    rows = list(wb["企业评估"].iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称", "统一社会信用代码", "评估层级") and len(rows) == 32
    first = rows[1]
    assert first[0] == "测试企业1" and first[2] == "创新型中小企业" and first[4] == "80"
    assert "差 0.6 个百分点，约 36 万元" in first[7]
    assert (tmp_path / "pyramid.png").stat().st_size > 5000
    assert len(wb["梯度金字塔"]._images) == 1


def test_chart_svg(tmp_path: Path) -> None:
    path = pyramid_chart({Tier.NONE: 5, Tier.INNOVATIVE: 3, Tier.SPECIALIZED: 1}, tmp_path / "p.svg")
    assert path.read_text(encoding="utf-8").startswith("<?xml")


def test_pyramid_labels_stay_inside_their_bars_or_sit_clear_beside_them() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matcher.tiers.report import draw_pyramid

    values = [240, 60, 9, 1, 0]  # a real park: the narrow top bars cannot hold their labels
    fig, ax = plt.subplots(figsize=(7, 4.5))
    try:
        drawn = draw_pyramid(ax, [f"tier-{k}  {v}" for k, v in enumerate(values)], values)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        frame = ax.get_window_extent(renderer)
        inside = 0
        for bar, text in drawn:
            b, t = bar.get_window_extent(renderer), text.get_window_extent(renderer)
            assert frame.x0 <= t.x0 and t.x1 <= frame.x1, text.get_text()  # never cut off by the frame
            if b.x0 <= t.x0 and t.x1 <= b.x1:
                inside += 1
            else:
                assert t.x0 >= b.x1, f"{text.get_text()} straddles its bar's edge"
        assert inside >= 2  # the wide bars keep their labels inside
    finally:
        plt.close(fig)


def test_a_chinese_font_installed_after_matplotlib_cached_its_list_is_found(monkeypatch: Any) -> None:
    import shutil
    import subprocess

    import pytest
    from matplotlib import font_manager

    from matcher.tiers.report import CJK_FONTS, cjk_font

    if shutil.which("fc-list") is None or not subprocess.run(
        ["fc-list", ":lang=zh"], capture_output=True, text=True
    ).stdout.strip():
        pytest.skip("no Chinese font installed here (apt-get install fonts-noto-cjk)")
    manager = font_manager.fontManager
    chinese = {f.fname for f in manager.ttflist if f.name in CJK_FONTS}
    stale = [f for f in manager.ttflist if f.fname not in chinese]  # as cached before the fonts came
    monkeypatch.setattr(manager, "ttflist", stale)
    cjk_font.cache_clear()  # as in a fresh process
    assert cjk_font() in CJK_FONTS
