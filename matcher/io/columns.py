"""Flat columns of each record kind, derived from the domain models' fields and Chinese titles.

A spreadsheet row is flat; a record is nested (an enterprise's indicators, patents, contact). Each column
has a dotted ``path`` into the record, an English header (the leaf name, with ``patents_`` / ``contact_``
prefixes) and a Chinese header (the field's ``title``). Adding an optional field to a domain model adds its
column everywhere: import, export, templates.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum
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


@cache
def header_index(kind: Kind) -> dict[str, Column]:
    """Every accepted header (English, Chinese, dotted path; case- and blank-insensitive) -> column."""
    index: dict[str, Column] = {}
    for col in columns(kind):
        for header in (col.en, col.zh, col.key):
            index[normalize_header(header)] = col
    return index


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


def is_scalar_type(tp: Any) -> bool:
    return tp in (str, int, float, bool, dt.date) or (isinstance(tp, type) and issubclass(tp, Enum))


PRODUCT_TYPE = list[Product]
