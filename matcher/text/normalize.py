"""Text normalization and the accounting-item filter.

Revenue breakdowns mix real products with accounting lines (平衡项目, 分部间抵销) and generic segments
(租赁, 技术服务, 贸易): those carry no information about what a company makes, and they match every
demand that mentions "服务" or "销售", so profiles drop them.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"[()（）\[\]【】<>《》「」“”\"']")

# Exact names (after normalization) that are accounting lines or segments too generic to match on.
ACCOUNTING_ITEMS: frozenset[str] = frozenset(
    {
        "平衡项目",
        "分部间抵销",
        "调整项目",
        "抵销",
        "内部抵销",
        "合并抵销",
        "分部抵销",
        "抵消",
        "减:内部抵销数",
        "其他业务",
        "其他",
        "其它",
        "其他主营业务",
        "其他业务收入",
        "其他收入",
        "主营业务",
        "其他产品",
        "技术服务",
        "技术服务费",
        "服务",
        "服务费",
        "服务业",
        "咨询服务",
        "劳务",
        "提供劳务",
        "租赁",
        "租金",
        "房租",
        "房屋租赁",
        "租赁业务",
        "租赁收入",
        "租赁及其他",
        "出租",
        "贸易",
        "贸易业务",
        "商品贸易",
        "商业",
        "材料销售",
        "销售材料",
        "销售",
        "商品销售",
        "销售商品",
        "加工费",
        "利息",
        "利息收入",
        "佣金",
        "代理费",
        "工业",
        "材料",
        "原材料",
        "配件",
        "废料",
        "废品",
        "国内",
        "国外",
        "境内",
        "境外",
        "国内销售",
        "国外销售",
        "出口",
        "内销",
        "外销",
        "华东",
        "华南",
        "华北",
        "华中",
        "西南",
        "西北",
        "东北",
        "其他地区",
        "合计",
        "小计",
        "总计",
    }
)
# Substrings that mark an accounting line whatever surrounds them.
_ACCOUNTING_PARTS = ("抵销", "抵消", "平衡项目", "调整项目", "未分配", "其他业务")


def normalize_text(text: str) -> str:
    """NFKC (full-width to half-width), lower-case, collapse whitespace, trim.

    >>> normalize_text("ＰＶＣ  管材 ")
    'pvc 管材'
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _SPACES.sub(" ", text).strip()


def product_key(name: str) -> str:
    """The key two product names share when they name the same thing: normalized, no spaces or brackets."""
    return _BRACKETS.sub("", normalize_text(name)).replace(" ", "")


def is_accounting_item(name: str) -> bool:
    """True for accounting lines and generic revenue segments that say nothing about the product."""
    key = product_key(name)
    if not key or key in ACCOUNTING_ITEMS:
        return True
    return any(part in key for part in _ACCOUNTING_PARTS)


def clean_products(products: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Products without accounting items or duplicates (first kept), weights clipped at zero."""
    seen: set[str] = set()
    out: list[tuple[str, float]] = []
    for name, weight in products:
        key = product_key(name)
        if is_accounting_item(name) or key in seen:
            continue
        seen.add(key)
        out.append((name.strip(), max(float(weight or 0.0), 0.0)))
    return out
