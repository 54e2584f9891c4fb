"""Demand and offer parsing: the wanted/offered item, across phrasings not used to write the rules.

No text here is copied from a development query file (``../shared/eval``)."""

import pytest

from matcher.text.parse import parse_demand, parse_offer

DEMANDS = [
    # written for this test: none is a dev query (the dev files are for measuring, not for rules)
    ("长期求购工业甲醇，产品将用于甲醛装置，账期可谈。", "工业甲醇", "甲醛装置"),
    ("需要稳压二极管，应用场景为车载充电模块，可先送样。", "稳压二极管", "车载充电模块"),
    ("面向光伏组件制造的焊带采购需求，量大从优。", "焊带", "光伏组件"),
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
    ("本企业专业生产ABS改性粒子，可来样定制。", "abs改性粒子"),
    ("供应能力：OLED模组，支持小批量。", "oled模组"),
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
