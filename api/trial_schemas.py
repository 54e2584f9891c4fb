"""API schemas of 先试首用: innovation products, trial plans and states, the park dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from matcher.domain.clean import Lines
from matcher.trials import InnovationProduct, ProductSpec, Trial, TrialDashboard, TrialPlan, TrialTally

MAX_ID = 2**63 - 1


class ProductIn(ProductSpec):
    enterprise_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="管理员代登记时指定企业")


class ProductPublic(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    category_label: str
    first_sale_label: str
    spec: ProductSpec

    @classmethod
    def of(cls, p: InnovationProduct) -> ProductPublic:
        return cls(
            id=p.id,
            enterprise_id=p.enterprise_id,
            enterprise_name=p.enterprise_name,
            category_label=p.spec.category.label,
            first_sale_label=p.spec.first_sale.label,
            spec=p.spec,
        )


class TrialRequestIn(BaseModel):
    plan: TrialPlan
    buyer_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="管理员代申请时指定龙头企业")
    demand_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="关联的需求（可选）")


class TrialOfferIn(BaseModel):
    plan: TrialPlan
    buyer_id: int = Field(ge=1, le=MAX_ID, description="提供试用的龙头企业")
    demand_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="针对的需求（可选）")


class TrialStateIn(BaseModel):
    state: Literal["trialling", "passed", "failed", "adopted"] = Field(
        description="trialling 开始试用 / passed 通过 / failed 未通过 / adopted 采用"
    )
    result: Lines = Field(default="", max_length=2000, description="试用结果（通过或未通过时必填）")


class TrialPublic(BaseModel):
    id: int
    subject: str
    product_id: int | None
    supplier_id: int
    supplier_name: str
    buyer_id: int
    buyer_name: str
    initiator: str
    initiator_label: str
    plan: TrialPlan | None
    state: str
    state_label: str
    result: str
    demand_id: int | None
    event_id: int | None
    updated_at: dt.datetime

    @classmethod
    def of(cls, t: Trial) -> TrialPublic:
        skip = ("state", "state_label", "initiator_label")
        fields = {k: getattr(t, k) for k in cls.model_fields if k not in skip}
        return cls(
            **fields, state=t.state.value, state_label=t.state.label, initiator_label=t.initiator_label
        )


class TallyPublic(BaseModel):
    group: str
    trials: int = Field(description="已开始的试用（不含尚未开始的申请）")
    adopted: int = Field(description="采用")

    @classmethod
    def of(cls, t: TrialTally) -> TallyPublic:
        return cls(**t._asdict())


class TrialDashboardPublic(BaseModel):
    park: str
    by_industry: list[TallyPublic]
    by_firm: list[TallyPublic]

    @classmethod
    def of(cls, d: TrialDashboard) -> TrialDashboardPublic:
        return cls(
            park=d.park,
            by_industry=[TallyPublic.of(t) for t in d.by_industry],
            by_firm=[TallyPublic.of(t) for t in d.by_firm],
        )
