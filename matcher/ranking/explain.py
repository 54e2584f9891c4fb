"""Chinese explanations of a match: a plain sentence a buyer can act on, then each channel's similarity.

A sentence never claims more than the numbers show: its wording follows the evidence of
``matcher.ranking.relevance`` (the same the 0-100 score is made of).

Requirement checks (certifications, regions, capacity) are explained apart by ``explain_requirements``,
which takes the outcome of those checks from whoever made them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from matcher.ranking.relevance import CLOSE, RELATED, SAME, evidence

CHANNEL_LABELS = {
    "exact": "产品名称一致",
    "lexical": "字面相似度",
    "dense": "语义相似度",
    "text": "整体描述相似度",
    "profile": "业务整体与需求的相近度",
    "feedback": "与前列供应商产品同类程度",
    "inputs": "原料相近度",
    "uses": "产业链用途相近度",
    "direct": "产品相似度",
    "industry": "行业上下游关联",
}


class Reason(NamedTuple):
    """Why a company was matched: a plain sentence first, the line item it answers, the channel numbers.

    ``summary`` says only what the evidence shows (see ``matcher.ranking.relevance``: 即所需 for an
    exact product name or evidence from ``SAME``, 相近 from ``CLOSE``, 有一定关联 from ``RELATED``);
    ``details`` holds the numbers behind it for whoever wants them (the web shows them under 详情).
    """

    summary: str
    item: str
    details: str


def supplier_reason(
    items: Sequence[str],
    item: str,
    product: str,
    channels: Mapping[str, float],
    dense_baseline: float = 0.0,
    *,
    who: str = "对方",
) -> Reason:
    """Why a company may supply ``item`` (one of the demand's ``items``) through its ``product``.

    ``item`` empty: the evidence does not tell which item the product answers, and none is named.
    ``who`` names the company (对方 for a buyer reading candidates, 贵司 for the SME itself).

    >>> supplier_reason(["石墨电极"], "石墨电极", "石墨电极", {"exact": 1.0, "lexical": 1.0}).summary
    '对方主营“石墨电极”，即所需的“石墨电极”'
    >>> supplier_reason(["钢材"], "钢材", "硫酸", {"exact": 0.0, "lexical": 0.0, "dense": 0.1}).summary
    '对方主营“硫酸”，与所需的“钢材”无明显对应'
    """
    e = evidence(channels, dense_baseline)
    asked = item or "、".join(items)
    wanted = f"所需的“{asked}”" if asked else "需求"
    what = f"{who}主营“{product}”" if product else f"{who}未登记主营产品"
    similar = max(e.get("lexical", 0.0), e.get("dense", 0.0))
    if (e.get("exact", 0.0) >= 1.0 or similar >= SAME) and product:
        summary = f"{what}，即{wanted}"
    elif similar >= CLOSE:
        summary = f"{what}，与{wanted}相近"
    elif similar >= RELATED:
        summary = f"{what}，与{wanted}有一定关联，需进一步确认"
    elif e.get("feedback", 0.0) >= CLOSE and product:
        summary = f"{what}，与排名前列的供应商所供产品同类，能否供应{wanted}待确认"
    elif e.get("profile", 0.0) >= CLOSE:
        summary = f"{what}；其主营业务整体与需求描述相近，能否供应{wanted}待确认"
    elif e.get("text", 0.0) >= RELATED:
        summary = f"{what}；其企业介绍与需求描述用词相近，产品是否对应待确认"
    else:
        summary = f"{what}，与{wanted}无明显对应"
    if item and len(items) > 1 and item in items:
        summary += f"（对应第 {list(items).index(item) + 1} 项）"
    return Reason(summary, item, channels_text(channels, dense_baseline))


def buyer_reason(
    item: str, product: str, channels: Mapping[str, float], dense_baseline: float = 0.0
) -> Reason:
    """Why a company may buy ``item`` (what the SME offers): the chain evidence its numbers show.

    >>> buyer_reason("硫酸", "磷肥", {"inputs": 0.9, "uses": 0.0, "direct": 0.0, "industry": 0.0}).summary
    '对方生产“磷肥”，其已知原料与“硫酸”相近，可能采购'
    """
    e = evidence(channels, dense_baseline)
    what = f"对方生产“{product}”" if product else "对方"
    inputs, uses, direct = (e.get(k, 0.0) for k in ("inputs", "uses", "direct"))
    if inputs >= CLOSE and inputs >= uses:
        summary = f"{what}，其已知原料与“{item}”相近，可能采购"
    elif uses >= CLOSE:
        summary = f"{what}，产业链中同类产品以与“{item}”相近的物料为原料，可能采购"
    elif direct >= CLOSE:
        summary = f"{what}，与“{item}”同类或相近，可能采购或合作"
    elif max(inputs, uses, direct) >= RELATED:
        summary = f"{what}，与“{item}”有一定产业链关联，需进一步确认"
    elif e.get("industry", 0.0) > 0:
        summary = f"{what}；其所属行业常从“{item}”所在行业采购"
    else:
        summary = f"{what}，与“{item}”无明显关联"
    return Reason(summary, item, channels_text(channels, dense_baseline))


def explain_supplier(item: str, product: str, channels: Mapping[str, float]) -> str:
    """``supplier_reason`` as one line (plain sentence, then the numbers), for the core's own results."""
    reason = supplier_reason([item], item, product, channels)
    return reason.summary + "；" + reason.details


def explain_buyer(item: str, product: str, via: str, channels: Mapping[str, float]) -> str:
    """``buyer_reason`` as one line; ``via`` names the chain link that suggests the purchase, if any."""
    reason = buyer_reason(item, product, channels)
    return reason.summary + (f"（依据：{via}）" if via else "") + "；" + reason.details


def channels_text(channels: Mapping[str, float], dense_baseline: float = 0.0) -> str:
    """The channel numbers, e.g. ``字面相似度 0.53，语义相似度 0.82（无关产品约 0.75）``."""
    parts = ["产品名称一致"] if channels.get("exact", 0) >= 1 else []
    for k, v in channels.items():
        if k == "exact":
            continue
        part = f"{CHANNEL_LABELS.get(k, k)} {v:.2f}"
        if k == "dense" and dense_baseline > 0:
            part += f"（无关产品约 {dense_baseline:.2f}）"
        parts.append(part)
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
