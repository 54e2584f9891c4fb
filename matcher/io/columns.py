"""Flat columns of each record kind, derived from the domain models' fields and Chinese titles.

A spreadsheet row is flat; a record is nested (an enterprise's indicators, patents, contact). Each column
has a dotted ``path`` into the record, an English header (the leaf name, with ``patents_`` / ``contact_``
prefixes) and a Chinese header (the field's ``title``). Adding an optional field to a domain model adds its
column everywhere: import, export, templates.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from matcher.domain import Demand, Enterprise, Park, Product

Kind = Literal["parks", "enterprises", "demands"]
KINDS: tuple[Kind, ...] = ("parks", "enterprises", "demands")
KIND_LABELS: dict[Kind, str] = {"parks": "园区", "enterprises": "企业", "demands": "需求"}
MODELS: dict[Kind, type[BaseModel]] = {"parks": Park, "enterprises": Enterprise, "demands": Demand}
# Nested models flattened into columns, and the prefix of their English headers.
_FLATTEN_PREFIX = {"indicators": "", "patents": "patents_", "contact": "contact_"}


@dataclass(frozen=True, slots=True)
class Column:
    path: tuple[str, ...]
    en: str
    zh: str
    type: Any
    required: bool

    @property
    def key(self) -> str:
        return ".".join(self.path)


def _base_type(annotation: Any) -> Any:
    """``int | None`` -> int; ``list[str]`` stays; Annotated is unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if len(args) == 1 else annotation
    return annotation


def _columns_of(model: type[BaseModel], prefix: tuple[str, ...], en_prefix: str) -> list[Column]:
    columns: list[Column] = []
    for name, field in model.model_fields.items():
        base = _base_type(field.annotation)
        if isinstance(base, type) and issubclass(base, BaseModel) and name in _FLATTEN_PREFIX:
            columns += _columns_of(base, (*prefix, name), _FLATTEN_PREFIX[name])
            continue
        required = field.is_required() and not prefix
        columns.append(Column((*prefix, name), en_prefix + name, field.title or name, base, required))
    return columns


@cache
def columns(kind: Kind) -> tuple[Column, ...]:
    """The columns of a kind, in the order templates and exports use."""
    cols = tuple(_columns_of(MODELS[kind], (), ""))
    for attr in ("en", "zh"):
        seen = [getattr(c, attr) for c in cols]
        dupes = {h for h in seen if seen.count(h) > 1}
        if dupes:
            raise RuntimeError(f"{kind} 列名重复：{dupes}")
    return cols


# Headers people's own spreadsheets use for a column, by the column's English name (curated; the model
# titles, English names and titles without their unit are accepted anyway). Per kind: a word may name
# another column in another kind.
ALIASES: dict[Kind, dict[str, tuple[str, ...]]] = {
    "parks": {
        "name": ("园区", "园区全称", "园区名"),
        "province": ("省", "所在省份", "省（自治区、直辖市）"),
        "city": ("市", "地市", "所在城市", "所在地市"),
        "district": ("区", "县", "县区", "所在区县"),
        "leading_industries": ("主导产业方向", "主导产业链", "重点产业"),
    },
    "enterprises": {
        "uscc": ("信用代码", "社会信用代码", "统一代码", "统一信用代码", "统一社会信用代码（18位）"),
        "name": ("单位名称", "企业全称", "单位全称", "公司名称", "企业（单位）名称"),
        "park": ("园区", "所在园区", "入驻园区"),  # not 园区名称: that names a park in a park list
        "province": ("省", "所在省份", "省（自治区、直辖市）"),
        "city": ("市", "地市", "所在城市", "所在地市"),
        "district": ("区", "县", "县区", "所在区县"),
        "industry_code": (
            "所属行业代码",
            "国民经济行业代码",
            "国民经济行业分类代码",
            "国标行业代码",
            "行业分类代码",
        ),
        "role": ("角色", "企业类别"),
        "tier": ("梯度层级", "认定层级", "企业梯度", "已认定层级"),
        "products": ("产品", "主营产品", "主导产品", "主要产品及服务", "主营产品名称"),
        "capabilities": ("核心能力", "工艺能力", "技术能力"),
        "certifications": ("资质", "认证", "资质证书", "资质与认证"),
        "employees": ("从业人数", "职工人数", "员工人数", "用工人数", "年末从业人员"),
        "revenue": ("营收", "年营业收入", "营业总收入"),
        "rd_expense": ("研发投入", "研发经费", "研发经费支出"),
        "rd_staff": ("研发人数", "研发人员数"),
        "contact_person": ("联系人姓名", "企业联系人"),
        "contact_phone": ("电话", "手机", "手机号", "联系方式"),
        "contact_email": ("邮箱", "email", "e-mail", "联系邮箱"),
    },
    "demands": {
        "code": ("编号", "需求号"),
        "kind": ("类型",),
        "title": ("标题", "需求名称"),
        "publisher_uscc": ("发布企业信用代码", "发布单位统一社会信用代码", "发布企业社会信用代码"),
        "product": ("采购品", "采购物料", "采购内容", "产品名称"),
        "quantity": ("采购数量", "需求数量"),
        "delivery_date": ("交货日期", "交付时间", "交货期"),
        "deadline": ("截止时间", "报名截止日期", "对接截止日期"),
        "required_certifications": ("资质", "资质条件"),
        "preferred_regions": ("地区要求", "优先区域"),
    },
}
_UNIT = re.compile(r"（([^（）]*)）$")


def unit_of(header: str) -> str:
    """The unit in a header's closing parentheses: ``营收(万元)`` -> ``万元``; none -> ``""``."""
    found = _UNIT.search(normalize_header(header))
    return found.group(1) if found else ""


def _bare(header: str) -> str:
    return _UNIT.sub("", normalize_header(header))


@cache
def header_index(kind: Kind) -> dict[str, Column]:
    """Every accepted header (English, Chinese title, dotted path, the title without its unit, the curated
    aliases; case- and blank-insensitive, either width of parentheses) -> column."""
    index: dict[str, Column] = {}
    by_name = {col.en: col for col in columns(kind)}
    for col in columns(kind):
        for header in (col.en, col.zh, col.key, _bare(col.zh)):
            index.setdefault(normalize_header(header), col)
    for key, names in ALIASES[kind].items():
        for name in names:
            index.setdefault(normalize_header(name), by_name[key])
    return index


def find_column(kind: Kind, header: str) -> tuple[Column | None, str]:
    """The column a header names, and a problem when it names one in another unit (营业收入（元） is not the
    column in 万元): a header is looked up as written, then without its unit (营收(万元) -> 营收)."""
    index = header_index(kind)
    col = index.get(normalize_header(header))
    if col is not None:
        return col, ""
    col = index.get(_bare(header))
    if col is None:
        return None, ""
    given, wanted = unit_of(header), unit_of(col.zh)
    if given and given != wanted:
        return None, f"列“{header}”的单位（{given}）与“{col.zh}”不同，请换算后把列名改为“{col.zh}”"
    return col, ""


def normalize_header(header: str) -> str:
    text = "".join(str(header).split()).lower()
    return text.replace("(", "（").replace(")", "）")


def detect_kind(headers: list[str]) -> Kind | None:
    """The kind that recognizes the most headers (a missing required column is reported later)."""
    normalized = {normalize_header(h) for h in headers}
    best: tuple[int, Kind | None] = (0, None)
    for kind in ("demands", "enterprises", "parks"):
        hits = len(normalized & set(header_index(kind)))
        if hits > best[0]:
            best = (hits, kind)
    return best[1]


PRODUCT_TYPE = list[Product]
