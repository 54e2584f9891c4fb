"""Demand understanding on texts written for these tests (none is a dev query or a dev template).

Each case is a way buyers write: tables with varying headers, tab-separated sheets, numbered lists, the
buyer's own product first, refusals, English, requirements inside the item.
"""

from __future__ import annotations

import pytest

from matcher.text.demand import extract_requirements, search_queries, understand_demand

PIPE_PLAN = """某某机械集团2026年度外购件采购清单
编号 | 品名 | 型号规格 | 年用量 | 到货时间
1 | 液压油缸（重载型） | 缸径125，行程800 | 2,400支 | 2026年4月起
2 | 齿轮泵 | 排量32ml/r | 900台 | 2026年第二季度
3 | 橡胶O形圈 | NBR 70，GB/T 3452.1 | 60万只 | 按月
备注：需具备ISO 9001体系认证。"""

TAB_PLAN = "物资名称\t规格\t数量\n工业盐\t日晒，NaCl≥94%\t800吨\n片碱\t99%\t120吨"

NUMBERED = """园区食堂下季度食材与耗材需求：
1. 大米：五常稻花香，每月3吨
2. 食用植物油：一级大豆油，每月600升
3. 一次性餐盒：可降解，每月5万只"""


def test_pipe_table_rows_become_line_items_with_their_requirements() -> None:
    u = understand_demand(PIPE_PLAN)
    assert [li.name for li in u.line_items] == ["液压油缸", "齿轮泵", "橡胶o形圈"]
    assert u.items == ("液压油缸", "齿轮泵", "橡胶o形圈")
    first = u.line_items[0]
    assert "重载型" in first.detail  # the bracketed variant helps meaning but is not the name
    assert ("quantity", "2,400支") in [(r.kind, r.text) for r in first.requirements]
    assert ("standard", "gb/t 3452.1") in [(r.kind, r.text) for r in u.line_items[2].requirements]
    assert ("standard", "iso 9001") in [(r.kind, r.text) for r in u.requirements]


def test_tab_sheet_and_numbered_list_are_line_items_too() -> None:
    assert [li.name for li in understand_demand(TAB_PLAN).line_items] == ["工业盐", "片碱"]
    assert [li.name for li in understand_demand(NUMBERED).line_items] == ["大米", "食用植物油", "一次性餐盒"]


def test_each_line_item_is_its_own_search_with_attribution() -> None:
    queries = search_queries(understand_demand(PIPE_PLAN))
    assert [q.label for q in queries] == ["第 1 项：液压油缸", "第 2 项：齿轮泵", "第 3 项：橡胶o形圈"]
    assert queries[1].items == ("齿轮泵",) and queries[1].text.startswith("齿轮泵")


@pytest.mark.parametrize(
    ("text", "item", "own"),
    [
        ("本厂主营家用电饭煲，年产300万台，现采购不粘涂层内胆。", "不粘涂层内胆", "本厂主营家用电饭煲"),
        ("我们是做户外储能电源的，想找磷酸铁锂电芯的稳定货源。", "磷酸铁锂电芯", None),
        ("我司专业生产高铁座椅，需求阻燃面料，年用量2万米。", "阻燃面料", "我司专业生产高铁座椅"),
    ],
)
def test_buyers_own_product_is_context_not_the_wanted_item(text: str, item: str, own: str | None) -> None:
    u = understand_demand(text)
    assert item in u.items
    assert all("电饭煲" not in i and "座椅" not in i for i in u.items)
    if own is not None:
        assert own in u.context and own not in u.focus


def test_refusals_become_exclusions_and_leave_the_focus() -> None:
    u = understand_demand("求购工业级碳酸钠，拒绝中间商，不接受OEM贴牌。")
    assert u.exclusions == ("中间商", "oem贴牌")
    assert "中间商" not in u.focus and "碳酸钠" in u.focus
    assert understand_demand("只接受源头工厂，采购铝锭").exclusions == ()  # "only" is not a refusal


def test_a_negation_inside_a_technical_term_is_not_a_refusal() -> None:
    assert understand_demand("寻找非晶合金带材的生产企业").exclusions == ()


def test_quantity_and_specs_leave_the_item() -> None:
    u = understand_demand("采购水泥熟料8000吨，抗压强度≥52.5MPa")
    assert u.items == ("水泥熟料",)
    kinds = {r.kind for r in u.requirements}
    assert {"quantity", "spec"} <= kinds


def test_english_demand_gets_an_item_and_its_requirements() -> None:
    u = understand_demand("We need suppliers of stainless steel coils, 2,000 tons per month, ASTM A240.")
    assert "stainless steel coils" in u.items
    assert ("standard", "astm a240") in [(r.kind, r.text) for r in u.requirements]


def test_requirements_extracts_dates_and_keeps_order_of_kinds() -> None:
    found = extract_requirements("交货期2026年6月，数量300套，符合iec 61439")
    assert [r.kind for r in found] == ["standard", "quantity", "date"]


def test_overlong_and_empty_texts_are_bounded() -> None:
    assert understand_demand("").items == ()
    long = "采购钢板。" * 5000
    assert len(understand_demand(long).text) <= 4000


@pytest.mark.parametrize(
    ("text", "items"),
    [
        # the asker before a cue inside the item, and a target-metric clause, are not items
        ("家电企业联合开发耐候型丙烯酸涂层钢板，目标盐雾时间提升至1000小时。", ("耐候型丙烯酸涂层钢板",)),
        # a bracket cut by the list split: its head and its last alternative; paperwork only if alone
        (
            "采购工业风机（含配套电机、减速机）、变频控制柜及出厂检测报告。",
            ("工业风机", "减速机", "变频控制柜"),
        ),
        # a spec left after the numbers are taken out is no item; a grade (1#) is a spec
        ("招标1#电解铜，只接受冶炼厂直供。", ("电解铜",)),
        ("求购冷轧不锈钢带、厚度0.3-0.8mm。", ("冷轧不锈钢带",)),
    ],
)
def test_item_names_leave_the_prose_around_them(text: str, items: tuple[str, ...]) -> None:
    assert understand_demand(text).items == items
