"""Filters for the noise in public chain data: accounting segments, generic segments, recipe edges.

Revenue breakdowns list accounting lines (平衡项目, 分部间抵销) and generic segments (租赁, 贸易) beside real
products; encyclopedia-derived 上游材料 rows are mostly recipes (红豆薏米仁汤 → 冰糖). The recipe filter is
learned from the data by bootstrapping: products no company sells whose name names a dish or a cooking
method seed the set; a material most of whose consumers are such dishes is *culinary*; an unsold product
whose materials are mostly culinary is a dish too; repeat until stable. Products a listed company sells
are never called recipes, so the food industry's real products stay.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

ACCOUNTING = re.compile(
    r"平衡项目|抵销|抵銷|抵减|抵減|调整项|^(其他|其它)(业务|收入|产品|行业|项目|地区|类)?(\(补充\)|（补充）)?$"
    r"|合计$|小计$|总计$|^补充$|^减[:：]"
)
GENERIC = frozenset(
    [
        "技术服务",
        "租赁",
        "材料销售",
        "贸易",
        "商品销售",
        "服务",
        "销售商品",
        "销售",
        "租金",
        "销售材料",
        "劳务",
        "贸易业务",
        "咨询服务",
        "服务业",
        "租赁业务",
        "商业",
        "房租",
        "利息",
        "加工费",
        "工业",
        "技术服务费",
        "提供劳务",
        "服务费",
        "商品贸易",
        "资金业务",
        "工程",
        "加工",
        "设备",
        "配套",
        "原材料",
        "材料",
        "废料",
        "配件",
        "其他业务收入",
        "主营业务",
        "产品销售",
        "物业出租",
        "房屋租赁",
        "物业租赁",
        "房产租赁",
    ]
)
COOKING = re.compile(
    r"[炒炖煲粥蒸焗拌煮炸烤焖卤烩羹汤煎烧腌熘煨扒酿]|蛋糕|面包|饼|布丁|沙拉|色拉|豆浆|奶昔|粽|饭|面条|糕|酥"
    r"|丸子|饺|包子|馒头|馍|披萨|比萨|三明治|寿司|派$|挞$|卷$|菜$"
)


def is_accounting(name: str) -> bool:
    """True for accounting lines of a revenue breakdown (offsets, adjustments, totals, 'other')."""
    return bool(ACCOUNTING.search(name.strip()))


def is_generic(name: str) -> bool:
    """True for generic segments that name no product (租赁, 贸易, 技术服务…)."""
    return name.strip() in GENERIC


def recipe_products(
    materials: Mapping[str, Iterable[str]],
    sold: set[str],
    *,
    min_consumers: int = 3,
    share: float = 0.5,
    rounds: int = 5,
) -> set[str]:
    """Products (keys of ``materials``) judged to be dishes, by the bootstrap described above."""
    mats = {p: set(ms) for p, ms in materials.items() if ms}
    consumers: dict[str, set[str]] = defaultdict(set)
    for product, ms in mats.items():
        for m in ms:
            consumers[m].add(product)
    dishes = {p for p in mats if p not in sold and COOKING.search(p)}
    for _ in range(rounds):
        culinary = {
            m
            for m, ps in consumers.items()
            if len(ps) >= min_consumers and len(ps & dishes) >= share * len(ps)
        }
        grown = dishes | {
            p for p, ms in mats.items() if p not in sold and len(ms & culinary) >= share * len(ms)
        }
        if grown == dishes:
            break
        dishes = grown
    return dishes
