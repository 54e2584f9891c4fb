"""Demand understanding: a demand as buyers write it, turned into what matching searches for.

The pipeline holds across phrasings because it reads structure, not templates:

1. **Document structure.** Table rows (pipes, tabs) and numbered lines become line items, each with its
   spec, quantity and delivery date taken from the columns the header names (物料名称/规格/数量/交付期, in
   whatever wording). Each line item is searched on its own and the results are merged.
2. **Roles.** Clauses in which the buyer describes itself (我们是一家生产X的企业, 我司主营X, 年产能…, for our
   X plant) are the *context*, not the wanted item; clauses that refuse something (贸易商勿扰, 不需要X,
   不接受X) become *exclusions*.
3. **Requirements.** Standards (GB/T 534, IATF 16949), quantities (500 吨, 3,000 t/month), dates and
   numeric specs (≥99.95%, 1100Vdc) are pulled out into structured requirements.
4. **Items.** What is left (the *focus*) is the query text for the dense and whole-text channels; the
   wanted item names come from want cues (``matcher.text.parse``) on the focus, with requirements removed.

>>> d = understand_demand("我们生产电动叉车，现需轮毂电机，贸易商勿扰。")
>>> d.items, d.context, d.exclusions
(('轮毂电机',), ('我们生产电动叉车',), ('贸易商',))
>>> understand_demand("注塑级聚丙烯粒子500吨").requirements[0]
Requirement(kind='quantity', text='500吨')
"""

from __future__ import annotations

import re
from typing import NamedTuple

from matcher.text.normalize import normalize_text
from matcher.text.parse import parse_demand
from matcher.text.tokenize import posseg as _posseg

MAX_DEMAND_CHARS = 4000  # longer texts are cut: a demand is a page, not a catalogue
MAX_LINE_ITEMS = 50


class Requirement(NamedTuple):
    """One structured requirement: ``kind`` is standard, quantity, date or spec."""

    kind: str
    text: str


class LineItem(NamedTuple):
    """One row of a plan: its number, the item name and the rest of the row as requirements."""

    number: int
    name: str
    detail: str  # bracketed alternatives and the spec column: words that help meaning, not the name
    requirements: tuple[Requirement, ...]


class Understanding(NamedTuple):
    """What a demand asks for, inspectable (``matcher parse``)."""

    items: tuple[str, ...]  # wanted item names (for a plan: its line items' names)
    line_items: tuple[LineItem, ...]
    focus: str  # the text to embed: the demand without the buyer's self-description and refusals
    context: tuple[str, ...]  # the buyer's own products and business
    exclusions: tuple[str, ...]  # what the buyer refuses (贸易商, OEM贴牌)
    requirements: tuple[Requirement, ...]
    text: str  # the normalized demand


# --- requirements -----------------------------------------------------------------------------------
_STANDARD = re.compile(
    r"(?<![a-z])(?:gb/t|gb|hj|jb/t|yy/t|yy|iso|iatf|api|aec-q|iec|ul|astm|en|din|jis|semi|sae|nb/t|dl/t|rohs|reach)"
    r"\s?[-/]?\s?[a-z]?\d(?:[\d.\-a-z]*[\da-z])?(?![\da-z])"
)
_UNIT = (
    r"(?:万吨|千吨|吨|t|mt|kg|公斤|千克|克|g|件|套|只|个|片|米|m|km|平方米|㎡|m2|台|辆|根|卷|桶|支|块|张|盘|组|"
    r"gw|mw|kw|kwh|mwh|gwh|万只|万片|万套|万件|万米|万台|万辆|pcs|sets|units|tons?|tonnes?)"
)
_QUANTITY = re.compile(
    r"(?<![\d.a-z])\d[\d,]*(?:\.\d+)?\s*"
    + _UNIT
    + r"(?:\s*(?:/|每|per\s)\s*(?:月|年|month|year|批))?(?![a-z])"
)
_DATE = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*(?:月|–|-|~|至)\s*)*(?:\d{1,2}\s*(?:月|日))?(?:第[一二三四]季度|全年|起)?"
    r"|\d{4}-\d{1,2}(?:-\d{1,2})?|第[一二三四]季度"
)
_SPEC = re.compile(
    r"[≥≤<>±]=?\s*\d[\d.,]*\s*[%a-zμωΩ℃°/·]*[\w/·]*|\d[\d.]*\s*(?:%|℃|°c|mpa|kv|v|a|ah|μm|mm|nm|hz)(?![a-z])"
    r"|(?<![\d#.a-z])\d{1,3}#(?=[^\W\d_])"  # a grade: 0#锌锭, 70#沥青
)


def extract_requirements(text: str) -> tuple[Requirement, ...]:
    """Standards, quantities, dates and numeric specs named in ``text`` (normalized), in that order.

    >>> [r.text for r in extract_requirements("硫酸98%，5,000 mt per month，gb/t 534")]
    ['gb/t 534', '5,000 mt per month', '98%']
    """
    found: list[Requirement] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("standard", _STANDARD), ("quantity", _QUANTITY), ("date", _DATE), ("spec", _SPEC)):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            found.append(Requirement(kind, m.group(0).strip()))
    return tuple(found)


def strip_requirements(text: str) -> str:
    """``text`` without its standards, quantities, dates and numeric specs."""
    for pattern in (_STANDARD, _QUANTITY, _DATE, _SPEC):
        text = pattern.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" ，,;；")


# --- document structure -------------------------------------------------------------------------------
_CELL_SPLIT = re.compile(r"\s*[|\t]\s*")
_NAME_HEADER = re.compile(r"名称|品名|物料|物资|货物|产品|设备|项目|item|description|material|product")
_NUMBER_HEADER = re.compile(r"序号|编号|^no\.?$|^#$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[.、)）:：]\s*(.+)$")
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT.split(line.strip().strip("|"))]


def _name_column(header: list[str]) -> int:
    for i, cell in enumerate(header):
        if _NAME_HEADER.search(cell) and not _NUMBER_HEADER.search(cell):
            return i
    return 1 if header and _NUMBER_HEADER.search(header[0]) else 0


def _line_item(number: int, name_cell: str, rest: list[str]) -> LineItem | None:
    detail = " ".join(_BRACKETED.findall(name_cell))
    name = strip_requirements(_BRACKETED.sub("", name_cell)).strip()
    if not name:
        return None
    requirements = tuple(r for cell in rest for r in extract_requirements(cell))
    spec = " ".join(strip_requirements(c) for c in rest[:1])  # the column right after the name: its spec
    return LineItem(number, name, " ".join(p for p in (detail, spec) if p), requirements)


def line_items(text: str) -> tuple[tuple[LineItem, ...], list[str]]:
    """The line items of a table or numbered list in ``text``, and the lines that are not part of it."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    items: list[LineItem] = []
    other: list[str] = []
    name_col: int | None = None
    for line in lines:
        cells = _cells(line)
        if len(cells) >= 3:
            if name_col is None and not re.match(r"^\d+$", cells[0]):
                name_col = _name_column(cells)  # the header row
                continue
            col = name_col if name_col is not None else (1 if re.match(r"^\d+$", cells[0]) else 0)
            number = int(cells[0]) if re.match(r"^\d+$", cells[0]) else len(items) + 1
            item = _line_item(number, cells[col], cells[col + 1 :]) if col < len(cells) else None
            if item is not None:
                items.append(item)
                continue
        numbered = _NUMBERED.match(line)
        if numbered and len(lines) > 2:
            head, *tail = re.split(r"[，,：:;；]|\s{2,}", numbered.group(2), maxsplit=1)
            rest = tail[0] if tail else ""
            item = _line_item(int(numbered.group(1)), head, [rest] if rest else [])
            if item is not None:
                items.append(item)
                continue
        other.append(line)
    return tuple(items[:MAX_LINE_ITEMS]), other


# --- roles --------------------------------------------------------------------------------------------
_CLAUSE = re.compile(r"[^。；;！!？?\n]+")
_SUBCLAUSE = re.compile(r"(?:[^，,。；;！!？?\n]|(?<=\d),(?=\d))+")  # a comma between digits is 1,200
_SELF = re.compile(
    r"^(?:我们|我司|我厂|我公司|本公司|本企业|本厂|我单位|本单位|公司|we|our company|our firm)"
    r"|^(?:是|为)?一家|(?:主营|专业生产|主要生产|主要从事|从事|年产能?|产能|产品主要|主要产品|出口)"
    r"|^(?:we|our)\b"
)
_WANT = re.compile(
    r"采购|求购|需要|需求|急需|现需|需|寻找|寻求|征集|诚征|招募|找|希望|拟|要求|欢迎|looking for|seeking|need|"
    r"require|rfq|request|source|purchase|wanted|buy"
)
_PRODUCE = re.compile(
    r"生产|制造|主营|从事|年产|产能|出口|组装|整车|manufactur|produc|make|operate|plant|factory"
)
_REFUSE = re.compile(
    r"(?:不需要|无需|不要|不接受|不考虑|谢绝|拒绝|(?<![\w])非(?=贸易|代理|中间|oem|贴牌))([^，,。；;！!？?\n:：]{1,12})"
    r"|([^，,。；;！!？?\n\s:：]{1,12}?)(?:勿扰|免谈|请勿|除外)"
    r"|\bno\s+([a-z][a-z /-]{1,30})"
)
_ONLY = re.compile(r"只(?:要|找|接受)|仅(?:限|接受)|only")


def _is_self(clause: str) -> bool:
    """A clause in which the buyer describes itself and asks for nothing."""
    return bool(_SELF.search(clause)) and bool(_PRODUCE.search(clause)) and not _WANT.search(clause)


def _refusals(clause: str) -> list[str]:
    out = []
    for m in _REFUSE.finditer(clause):
        term = next(g for g in m.groups() if g)
        term = re.sub(r"^(?:的|是)|(?:的|，|,)$", "", term.strip())
        if term:
            out.append(term)
    return out


def split_roles(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(focus, context, exclusions): the demand without self-description and refusals, and those parts."""
    focus: list[str] = []
    context: list[str] = []
    exclusions: list[str] = []
    for clause in _CLAUSE.findall(text):
        kept = []
        for sub in _SUBCLAUSE.findall(clause):
            sub = sub.strip()
            refused = _refusals(sub)
            if refused and not _ONLY.search(sub):
                exclusions.extend(refused)
            elif _is_self(sub):
                context.append(sub)
            elif sub:
                kept.append(sub)
        if kept:
            focus.append("，".join(kept))
    return "。".join(focus), tuple(dict.fromkeys(context)), tuple(dict.fromkeys(exclusions))


# --- items --------------------------------------------------------------------------------------------
_ENGLISH_ITEM = re.compile(
    r"(?:suppliers?\s+(?:of|for)|manufacturers?\s+of|looking\s+for|seeking|rfq\s*[:：]|sourcing|purchase|need)\s+"
    r"(?:suppliers?\s+(?:of|for)\s+|qualified\s+|reliable\s+)*([a-z][a-z0-9 \-/]{1,60}?)(?=\s*(?:[,;:(–，。；：（]|\d|\bfor\b|\bwith\b|\bto\b|\bin\b|$))"
)
_WANT_CUE = re.compile(
    r"寻求|寻找|想找|找|需要|现需|急需|需求|采购|求购|招标|征集|联合开发|联合研发|共同开发|推进|替代|"
    r"(?<![a-z])(?:looking for|seeking|need|require|sourcing|purchase)(?![a-z])"
)
_ITEM_HEAD = re.compile(
    r"^(?:现需|现|急需|需要|需|拟|采购|求购|寻求|寻找|需求|公开招标|招标|一批|批量|大量|长期|稳定的?|优质的?|合格的?|"
    r"可靠的?|能够提供|能提供|[:：的])+"
)
_ITEM_TAIL = re.compile(
    r"(?:的)?(?:国产替代|联合(?:开发|研发|验证|攻关)|共同开发|合作|长期|稳定|可靠|合格|优质)*"
    r"(?:伙伴|方|方案|供应商|供货商|厂家|企业|货源|供应|产品)?$"
)


def _cue_items(focus: str) -> list[str]:
    """Items after a want cue, up to the clause end: a fallback for cues the sentence parser lacks."""
    out: list[str] = []
    for clause in _SUBCLAUSE.findall(focus):
        cues = list(_WANT_CUE.finditer(clause))
        if cues:
            m = cues[-1]
            span = _ITEM_HEAD.sub("", _ITEM_TAIL.sub("", strip_requirements(clause[m.end() :]).strip()))
            out.extend(p for p in re.split(r"[、/]|及|和|与", span) if 1 < len(p) <= 20)
    return out


_GENERIC = frozenset(
    [
        "计划",
        "方案",
        "伙伴",
        "合作伙伴",
        "需求",
        "用量",
        "性能",
        "能力",
        "企业",
        "公司",
        "项目",
        "服务",
        "产品",
        "厂家",
        "制造厂",
        "工厂",
        "源头",
        "源头工厂",
        "供应商",
        "货源",
        "suppliers",
        "supplier",
        "manufacturers",
        "manufacturer",
        "vendors",
        "partners",
        "products",
    ]
)
_NOT_ITEM_TAIL = ("a", "d", "u", "p", "c", "r", "f")  # adjective, adverb, particle … (jieba flags)
_CLAUSE_WORDS = re.compile(r"我们|我司|是做|无法|已经|希望|用量|需求量|性能|一致性|下降|提升|改进|解决")


_CUT_BEFORE = re.compile(r"^.*(?:联合(?:开发|研发|攻关)|共同开发|采购|求购|寻求|寻找|现需|急需)")
_NOT_ITEM_HEAD = re.compile(r"^(?:是|目标|要求|指标|须|需满足|满足|具备|只|仅|优先|确保|保证|覆盖|建立|实现)")
_PAPERWORK = re.compile(r"(?:报告|认证|证书|资质|声明|体系|运维|维护)$")
_TRAILING_MARKS = re.compile(r"(?<=\w)[\W_]+$")


def _clean_item(item: str) -> str:
    """An item candidate without what surrounds a product name in prose: the words up to a want cue inside
    it (企业联合开发X), a leading 的, a bracket cut by splitting (``灯珠(2835`` keeps 灯珠, ``套标)`` 套标),
    marks at its end; empty when it is a clause (是…), a target metric or a spec (目标…, 厚度0)."""
    item = _CUT_BEFORE.sub("", _BRACKETED.sub("", item)).strip()
    head, _, tail = item.rpartition(")")  # the last of a bracketed list (…、收缩套标) is an alternative
    item = (tail.strip() or head).split("(", 1)[0]
    if re.search(r"[\d≥≤<>~±]$", item) or _NOT_ITEM_HEAD.search(item):
        return ""
    return _TRAILING_MARKS.sub("", item).removeprefix("的").strip()


def _items_of(found: list[str]) -> list[str]:
    """The product-like items among ``found`` (cleaned); paperwork and services (检测报告, 运维) only when
    nothing else is asked for."""
    items = [c for c in (_clean_item(i) for i in found) if _looks_like_item(c)]
    goods = [i for i in items if not _PAPERWORK.search(i)]
    return goods or items


def _looks_like_item(item: str) -> bool:
    """A product-like phrase: short, no clause words, not a generic word alone, not ending in an adjective,
    adverb or particle (jieba part of speech)."""
    if (
        not item
        or not (2 if item.isascii() else 1) <= len(item) <= (40 if item.isascii() else 20)
        or item in _GENERIC
        or _CLAUSE_WORDS.search(item)
    ):
        return False
    tagged = _posseg().lcut(item)
    return bool(tagged) and not tagged[-1].flag.startswith(_NOT_ITEM_TAIL) and tagged[-1].word not in _GENERIC


def _sentence_items(focus: str) -> tuple[str, ...]:
    """Item names of a prose demand: English noun phrases, the cue-based sentence parser
    (``matcher.text.parse``: 诚征X供应商, X采购 …), else what follows a want cue; product-like phrases only."""
    english = [m.group(1).strip() for m in _ENGLISH_ITEM.finditer(focus)]
    parsed = [
        _ITEM_HEAD.sub("", _ITEM_TAIL.sub("", strip_requirements(i))) for i in parse_demand(focus).items
    ]
    for found in (english, parsed, _cue_items(focus)):
        items = _items_of(found)
        if items:
            return tuple(dict.fromkeys(items))
    return ()


def understand_demand(text: str) -> Understanding:
    """The structured reading of a demand: items, line items, focus text, context, exclusions, requirements."""
    text = (text or "")[:MAX_DEMAND_CHARS].replace("\t", " | ")  # a pasted sheet: tabs separate cells
    norm_lines = "\n".join(normalize_text(ln) for ln in text.split("\n"))
    rows, other = line_items(norm_lines)
    prose = "\n".join(other)
    focus, context, exclusions = split_roles(prose)
    requirements = extract_requirements(prose) + tuple(r for row in rows for r in row.requirements)
    if rows:
        items = tuple(dict.fromkeys(r.name for r in rows))
    else:
        items = _sentence_items(focus) or _sentence_items(prose)
    return Understanding(items, rows, focus or prose, context, exclusions, requirements, normalize_text(text))


class Query(NamedTuple):
    """One search a demand makes: the text to embed, the item names to match, how to attribute it, and
    the refused kinds of business (``refused_terms``) whose products it may not match."""

    text: str
    items: tuple[str, ...]
    label: str  # "第 2 项：车门密封条" for a plan's line item, "" for a demand searched whole
    refused: tuple[str, ...] = ()


_ROLE_SUFFIX = re.compile(r"(?:商|方|厂家|厂|企业|公司|代工|单位)+$")


def refused_terms(exclusions: tuple[str, ...]) -> tuple[str, ...]:
    """What a product name says when it is the refused business: the exclusion without its role word.

    >>> refused_terms(("贸易商", "oem贴牌代工", "epc总包方", "商"))
    ('贸易', 'oem贴牌', 'epc总包')
    """
    stems = (_ROLE_SUFFIX.sub("", e.strip()) for e in exclusions)
    return tuple(dict.fromkeys(s for s in stems if len(s) >= 2))


def search_queries(understood: Understanding) -> tuple[Query, ...]:
    """One query per line item of a plan (its name, alternatives and spec), else one for the whole focus;
    each carries the demand's refusals.

    >>> [q.label for q in search_queries(understand_demand("序号|物料名称|数量\\n1|硫酸|50吨\\n2|盐酸|20吨"))]
    ['第 1 项：硫酸', '第 2 项：盐酸']
    """
    refused = refused_terms(understood.exclusions)
    if understood.line_items:
        return tuple(
            Query(f"{li.name} {li.detail}".strip(), (li.name,), f"第 {li.number} 项：{li.name}", refused)
            for li in understood.line_items
        )
    return (Query(understood.focus, understood.items, "", refused),)
