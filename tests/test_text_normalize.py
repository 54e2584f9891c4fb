"""Normalization, the accounting-item filter and profile builders."""

from matcher.domain.models import Demand, DemandKind, Enterprise, Product
from matcher.text.normalize import clean_products, is_accounting_item, normalize_text, product_key
from matcher.text.profiles import ProfileDoc, demand_profile, enterprise_profile
from matcher.text.tokenize import char_ngrams


def test_normalize_full_width_and_case() -> None:
    assert normalize_text("ＰＶＣ  管材 ") == "pvc 管材"
    assert product_key("PVC（管材）") == "pvc管材"


def test_accounting_items_are_dropped_real_products_kept() -> None:
    assert is_accounting_item("平衡项目")
    assert is_accounting_item("分部间抵销")
    assert is_accounting_item("内部抵销数")
    assert is_accounting_item("租赁")
    assert not is_accounting_item("硫酸")
    assert not is_accounting_item("融资租赁设备")  # a product that merely contains 租赁 stays


def test_clean_products_drops_duplicates_and_negative_weights() -> None:
    cleaned = clean_products([("硫酸", 0.5), ("平衡项目", 0.3), ("硫酸", 0.1), ("钛白粉", -0.2)])
    assert cleaned == [("硫酸", 0.5), ("钛白粉", 0.0)]


def test_profile_from_corpus_record_orders_by_share() -> None:
    record = {"id": "1", "name": "甲", "industry_l3": "钛白粉", "industry_l1": "基础化工",
              "products": [{"name": "硫酸", "weight": 0.2}, {"name": "钛白粉", "weight": 0.7},
                           {"name": "平衡项目", "weight": 0.1}]}
    doc = ProfileDoc.from_corpus_record(record)
    assert doc.product_names == ["硫酸", "钛白粉"]
    assert enterprise_profile(record) == "钛白粉 硫酸 钛白粉 基础化工"


def test_profile_from_enterprise_shares_unknown_rest() -> None:
    ent = Enterprise(uscc="91350100M000100Y43", name="测试企业", industry_code="2611",
                     products=[Product(name="硫酸", share=0.6), Product(name="盐酸")], capabilities="酸洗")
    doc = ProfileDoc.from_enterprise(ent)
    assert doc.products == (("硫酸", 0.6), ("盐酸", 0.4))
    assert enterprise_profile(ent).endswith("酸洗")


def test_demand_profile_of_procurement() -> None:
    demand = Demand(code="D1", kind=DemandKind.PROCUREMENT, title="年度采购", publisher_uscc="91350100M000100Y43",
                    product="硅钢片", spec="0.3mm")
    assert demand_profile(demand).startswith("采购硅钢片")


def test_char_ngrams() -> None:
    assert char_ngrams("硫酸铵", (1, 2)) == ["硫", "酸", "铵", "硫酸", "酸铵"]
