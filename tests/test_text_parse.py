"""Demand and offer parsing: the wanted/offered item, across phrasings not used to write the rules."""

import pytest

from matcher.text.parse import parse_demand, parse_offer

DEMANDS = [
    ("寻找甲烷的长期合格供应商，产品将用于CNG，要求质量稳定、交付及时。", "甲烷", "cng"),
    ("需要二极管供应，应用场景为DC-DC转换器，优先考虑本地企业。", "二极管", "dc-dc转换器"),
    ("面向K金制造的合金采购计划，年需求量较大，诚邀供应商洽谈。", "合金", "k金"),
    ("技术攻关需求：提升轴承所用轴承钢的性能与一致性，寻求能提供轴承钢的合作伙伴。", "轴承钢", "轴承"),
    ("日科化学发布ACS产线配套需求：硫酸，欢迎园区内外企业参与对接。", "硫酸", "acs"),
    ("我司LED业务扩产，计划批量采购LED显示屏，用于LED信息发布系统的生产，请有供货能力的企业报价。", "led显示屏",
     "led信息发布系统"),
    # phrasings outside the dev templates
    ("求购聚丙烯，用于医用口罩生产", "聚丙烯", "医用口罩"),
    ("急需碳纤维，应用于无人机机身", "碳纤维", "无人机机身"),
    ("诚征铝合金压铸件供应商", "铝合金压铸件", None),
    ("需求：高纯石英砂", "高纯石英砂", None),
    ("变压器生产线急需硅钢片", "硅钢片", None),
    ("硅钢片采购", "硅钢片", None),
    ("长期收购废钢", "废钢", None),
]


@pytest.mark.parametrize(("text", "item", "context"), DEMANDS)
def test_demand_item_and_context(text: str, item: str, context: str | None) -> None:
    parsed = parse_demand(text)
    assert parsed.items[0] == item
    if context is not None:
        assert context in parsed.context


def test_demand_lists_split_and_trailing_category_dropped() -> None:
    assert parse_demand("公司拟采购硫酸、盐酸等化工原料，用于电镀线").items == ("硫酸", "盐酸")


OFFERS = [
    ("本企业专业生产PVC塑料粒子，希望对接需要该产品的下游企业。", "pvc塑料粒子"),
    ("供应能力：LED显示屏，可按需定制，寻找长期采购方。", "led显示屏"),
    ("我们是铝领域的企业，主营铝，寻求进入大企业供应链的机会。", "铝"),
    ("我公司主要产品为不锈钢管、不锈钢板", "不锈钢管"),
    ("专注于工业机器人减速器的研发生产", "工业机器人减速器"),
    ("本厂年产5万吨聚乙烯", "聚乙烯"),
    ("碳纤维复合材料制造商，寻求合作", "碳纤维复合材料"),
]


@pytest.mark.parametrize(("text", "item"), OFFERS)
def test_offer_item(text: str, item: str) -> None:
    assert parse_offer(text).items[0] == item


def test_unparseable_text_falls_back_to_its_content() -> None:
    assert parse_demand("钛白粉").items == ("钛白粉",)
