"""Chinese explanations of a match: which products matched which phrase, and each channel's similarity.

Requirement checks (certifications, regions, capacity) are explained apart by ``explain_requirements``,
which takes the outcome of those checks from whoever made them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

CHANNEL_LABELS = {
    "exact": "产品名称一致",
    "lexical": "字面相似度",
    "dense": "语义相似度",
    "text": "整体描述相似度",
    "inputs": "原料相近度",
    "uses": "产业链用途相近度",
    "direct": "产品相似度",
    "industry": "行业上下游关联",
}


def explain_supplier(item: str, product: str, channels: Mapping[str, float]) -> str:
    """Why a company may supply ``item``: its matching product and the channel scores."""
    head = f"主营产品“{product}”与所需“{item}”" + ("名称一致" if channels.get("exact", 0) >= 1 else "相近")
    return head + "；" + _channels_text(channels)


def explain_buyer(item: str, product: str, via: str, channels: Mapping[str, float]) -> str:
    """Why a company may buy ``item``: its product, the chain link that suggests it, the channel scores."""
    head = f"其产品“{product}”可能以“{item}”为原料"
    if via:
        head += f"（依据：{via}）"
    return head + "；" + _channels_text(channels)


def _channels_text(channels: Mapping[str, float]) -> str:
    parts = [f"{CHANNEL_LABELS.get(k, k)} {v:.2f}" for k, v in channels.items() if k != "exact"]
    return "，".join(parts)


Status = Literal["met", "unmet", "unknown"]


class Requirement(NamedTuple):
    """One requirement of a demand (e.g. 资质 ISO 9001) and whether the candidate meets it."""

    label: str
    status: Status
    detail: str = ""


def explain_requirements(requirements: Sequence[Requirement]) -> str:
    """One line per group: 满足 / 不满足 / 待核实, e.g. ``满足：ISO 9001；待核实：年产能``."""
    names = {"met": "满足", "unmet": "不满足", "unknown": "待核实"}
    groups: list[str] = []
    for status, title in names.items():
        items = [
            r.label + (f"（{r.detail}）" if r.detail else "") for r in requirements if r.status == status
        ]
        if items:
            groups.append(f"{title}：" + "、".join(items))
    return "；".join(groups)
