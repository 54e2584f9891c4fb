"""Parse free Chinese demand and offer statements into the item wanted and its context.

A buyer's demand names two things: the item it wants (硫酸) and what it makes with it (用于ACS的生产).
Matching the whole sentence mixes them up, so the parser splits the text by *cue words* that hold
across phrasings rather than by fixed templates: usage cues (用于/应用于/面向…制造/…产线) mark the
context, want cues (采购/寻找/需要/求购/需求：/所用/提供 …, …供应商/采购计划) mark the wanted item.
What no cue claims falls back to the text with boilerplate phrases removed.

>>> parse_demand("求购工业甲醇，用于甲醛装置。").items
('工业甲醇',)
>>> parse_offer("本企业专业生产ABS改性粒子，可来样定制。").items
('abs改性粒子',)
"""

from __future__ import annotations

import re
from typing import NamedTuple

from matcher.text.normalize import normalize_text

_X = r"([^，。；;,.!！?？:：\s|]{1,40}?)"  # a short span without clause punctuation
_END = r"(?=[，。；;,.!！?？\s|]|$)"
_SEP = "|"

# Usage / context: what the buyer makes, its line of business. The whole match is masked out.
_CONTEXT_PATTERNS = [
    re.compile(
        r"(?:产品将|将)?(?:用于|应用于|应用场景为|应用场景是|适用于|服务于|配套于)"
        + _X
        + r"(?:的)?(?:生产|制造|加工|项目|产线|生产线)?"
        + _END
    ),
    re.compile(r"面向" + _X + r"(?:的)?(?:制造|生产|加工|行业|领域|产线)(?:的)?"),
    re.compile(r"提升" + _X + r"(?=所用)"),
    re.compile(r"发布" + _X + r"(?:产线|生产线)?(?=配套)"),
    re.compile(r"(?:^|(?<=[，。；;,.!！?？\s]))" + _X + r"(?=发布)"),
    re.compile(r"我司" + _X + r"业务"),
    re.compile(r"我们是" + _X + r"领域(?:的企业)?"),
    re.compile(r"为" + _X + r"(?:生产|制造)(?:所需|配套)"),
]
# Phrases that contain cue characters but never name an item.
_STOP_PHRASES = re.compile(
    r"供应链|大企业|下游企业|下游客户|采购方|合作伙伴|园区内外|本地企业|质量稳定|交付及时|年需求量较大|需求量较大|"
    r"诚邀供应商洽谈|请有供货能力的企业报价|供货能力|供应能力(?![:：])|寻求进入|技术攻关需求[:：]?|"
    r"我司|我们|本企业|本公司|我公司|公司"
)
_WANT_CUES = (
    r"拟采购|需采购|采购|求购|购买|订购|采买|寻购|收购|需要|急需|配套需求[:：]|需求[:：]|寻找|寻求|征集|招募|诚征|"
    r"所用|所需|提供"
)
_WANT_QUALIFIERS = r"(?:一批|批量|大量|长期|稳定的?|优质的?|合格的?|可靠的?|能够提供|能提供|能)*"
_WANT_BEFORE = re.compile(
    r"(?:" + _WANT_CUES + r")" + _WANT_QUALIFIERS + _X + r"(?=的?(?:长期|稳定|合格|优质)*"
    r"(?:供应商|供货商|生产商|厂家|厂商|供应|供货|的性能|采购|[，。；;,.!！?？\s|]|$))"
)
_WANT_AFTER = re.compile(
    r"(?:^|[的，。；;,:：\s|])([^，。；;,.!！?？:：\s|的]{1,40}?)(?:的)?(?:长期|稳定|合格|优质)*"
    r"(?:供应商|供货商|生产商|厂家|厂商|采购计划|采购需求|采购项目|供应)"
)
# Offer: what an SME makes or sells.
_OFFER_PATTERNS = [
    re.compile(
        r"(?:主营|主要产品(?:为|是|有|包括)?[:：]?|专业生产|专注于|专注|研发生产|生产(?![商厂])|制造(?!商)|供应能力[:：]|供应|"
        r"提供|销售|主打|从事|(?:^|\|)(?:主要)?做|年产(?:[\d.]+[万千百]?(?:吨|件|台|套|平方米|米|辆|片)?)?)"
        r"(?:各类|各种|优质的?|高品质的?)?" + _X + r"(?=[，。；;,.!！?？\s|]|等|产品|$)"
    ),
    re.compile(
        r"(?:^|[，。；;,:：\s|])([^，。；;,.!！?？:：\s|的]{1,40}?)(?:的)?(?:专业)?(?:制造商|生产商|供应商|生产厂家|厂家)"
    ),
]
_FILLER_PREFIX = re.compile(
    r"^(?:" + _WANT_CUES + r"|的|一批|批量|大量|长期|稳定|合格|优质|各类|各种|一些|相关)+"
)
_FILLER_SUFFIX = re.compile(
    r"(?:等(?!离)\S{0,6}|的研发生产|的研发|的生产|的|产品|类产品|供应|生产|制造|计划|批量|拟|准备)+$"
)
_SPLIT_ITEMS = re.compile(r"[、/]|以及|及")
_BOILERPLATE = re.compile(
    r"业务|扩产|计划|批量|采购|寻找|寻求|长期|合格|供应商|供应|产品|将|用于|要求|需要|应用场景为|优先考虑|"
    r"面向|制造|需求|提升|所用|的|性能|与|一致性|提供|发布|产线|配套|欢迎|参与|对接|请|供货|能力|报价|生产|希望|"
    r"[，。；;,.!！?？:：\s|]"
)


class ParsedText(NamedTuple):
    """The items a statement is about (wanted or offered), its context phrases, and the normalized text."""

    items: tuple[str, ...]
    context: tuple[str, ...]
    text: str


def _clean(span: str) -> str:
    span = _FILLER_PREFIX.sub("", span.strip())
    return _FILLER_SUFFIX.sub("", span).strip()


def _split(span: str) -> list[str]:
    return [p for p in (_clean(x) for x in _SPLIT_ITEMS.split(span)) if p]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _mask_context(text: str) -> tuple[str, list[str]]:
    """The text with every context phrase replaced by a separator, and the context items found."""
    spans: list[tuple[int, int]] = []
    context: list[str] = []
    for pattern in _CONTEXT_PATTERNS:
        for m in pattern.finditer(text):
            spans.append(m.span())
            context.append(_clean(m.group(1)))
    chars = list(text)
    for start, end in spans:
        chars[start:end] = [_SEP] * (end - start)
    masked = _STOP_PHRASES.sub(lambda m: _SEP * len(m.group(0)), "".join(chars))
    return masked, context


def _fallback(masked: str) -> list[str]:
    rest = [r for r in _BOILERPLATE.sub(" ", masked).split() if len(r) > 1 or len(masked) < 8]
    return [max(rest, key=len)] if rest else []


def _extract(patterns: list[re.Pattern[str]], masked: str, exclude: tuple[str, ...]) -> list[str]:
    found = sorted((m.start(1), m.group(1)) for p in patterns for m in p.finditer(masked))
    items = [item for _, span in found for item in _split(span)]
    return [i for i in items if i not in exclude and not _BOILERPLATE.fullmatch(i)]


def parse_demand(text: str) -> ParsedText:
    """The wanted items of a demand (in order of appearance) and the context it names."""
    norm = normalize_text(text)
    masked, found = _mask_context(norm)
    context = _unique(found)
    items = _extract([_WANT_BEFORE, _WANT_AFTER], masked, context) or _fallback(masked)
    return ParsedText(_unique(items), context, norm)


def parse_offer(text: str) -> ParsedText:
    """The items an SME says it makes or sells, and the field it names (我们是X领域…)."""
    norm = normalize_text(text)
    masked, found = _mask_context(norm)
    context = _unique(found)
    items = _extract(_OFFER_PATTERNS, masked, ()) or _fallback(masked)
    return ParsedText(_unique(items), context, norm)
