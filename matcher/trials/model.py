"""先试首用 records: an innovation product as a 首台套/首批次/首版次 catalogue entry, a trial's plan, its states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from matcher.domain.clean import clean_field


class Category(StrEnum):
    """The three national first-use catalogues."""

    EQUIPMENT = "equipment"
    MATERIAL = "material"
    SOFTWARE = "software"

    @property
    def label(self) -> str:
        return {"equipment": "首台（套）重大技术装备", "material": "首批次新材料", "software": "首版次软件"}[
            self.value
        ]


class FirstSale(StrEnum):
    NONE = "none"
    FIRST = "first"
    REPEAT = "repeat"

    @property
    def label(self) -> str:
        return {"none": "尚未销售", "first": "已首次销售", "repeat": "已批量销售"}[self.value]


class TrialState(StrEnum):
    """申请 → 试用中 → 通过/未通过 → 采用 (a passed trial may be adopted)."""

    REQUESTED = "requested"
    TRIALLING = "trialling"
    PASSED = "passed"
    FAILED = "failed"
    ADOPTED = "adopted"

    @property
    def label(self) -> str:
        return {
            "requested": "申请",
            "trialling": "试用中",
            "passed": "通过",
            "failed": "未通过",
            "adopted": "采用",
        }[self.value]


# state -> the states it may move to; who may move it is the service's (and the policy's) concern
NEXT: dict[TrialState, tuple[TrialState, ...]] = {
    TrialState.REQUESTED: (TrialState.TRIALLING,),
    TrialState.TRIALLING: (TrialState.PASSED, TrialState.FAILED),
    TrialState.PASSED: (TrialState.ADOPTED,),
    TrialState.FAILED: (),
    TrialState.ADOPTED: (),
}


class ProductSpec(BaseModel):
    """What an SME enters to register an innovation product (validated before anything is stored)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_controls(cls, value: Any, info: ValidationInfo) -> Any:
        return clean_field(value, info)

    name: str = Field(min_length=1, max_length=200, title="产品名称")
    category: Category = Field(title="目录类别")
    specs: str = Field(default="", max_length=2000, title="主要技术指标")
    reports: list[str] = Field(default_factory=list, max_length=20, title="认证或检测报告")
    first_sale: FirstSale = Field(default=FirstSale.NONE, title="首次销售情况")


class TrialPlan(BaseModel):
    """试用方案: scope, period and acceptance criteria."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_controls(cls, value: Any, info: ValidationInfo) -> Any:
        return clean_field(value, info)

    scope: str = Field(min_length=1, max_length=2000, title="试用范围")
    start_date: dt.date | None = Field(default=None, title="开始日期")
    end_date: dt.date | None = Field(default=None, title="结束日期")
    criteria: str = Field(min_length=1, max_length=2000, title="验收标准")

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"结束日期 {self.end_date} 早于开始日期 {self.start_date}")
        return self


@dataclass(frozen=True, slots=True)
class InnovationProduct:
    id: int
    enterprise_id: int
    enterprise_name: str
    spec: ProductSpec


@dataclass(frozen=True, slots=True)
class Trial:
    id: int
    subject: str
    product_id: int | None
    supplier_id: int
    supplier_name: str
    buyer_id: int
    buyer_name: str
    initiator: str  # buyer 申请 / supplier 提供 / event 对接会
    plan: TrialPlan | None
    state: TrialState
    result: str
    demand_id: int | None
    event_id: int | None
    updated_at: dt.datetime

    @property
    def initiator_label(self) -> str:
        return {"buyer": "龙头企业申请", "supplier": "企业提供", "event": "对接会试用"}.get(
            self.initiator, ""
        )
