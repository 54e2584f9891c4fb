"""API schemas: one class per purpose, kept apart from the domain records they expose.

Public views leave out what a caller may not see (an enterprise's private contact); lists are
``{data, count}`` pages.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from matcher.domain import Contact, Demand, Enterprise, Park, Product, Tier
from matcher.domain.clean import Line, Lines
from matcher.events import Event, Level, Meeting, MissedMust, SolveStats
from matcher.events.model import MAX_SLOTS
from matcher.store.repository import StoredDemand

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int = Field(description="符合条件的总数")


class ParkPublic(Park):
    enterprise_count: int = Field(default=0, title="企业数")


VERSION_DOC = "记录版本（每次修改加 1）；修改时以 If-Match 或 version 提交，过期的修改返回 409"


class EnterprisePublic(BaseModel):
    id: int
    size_class: str | None = Field(default=None, title="企业规模")
    version: int = Field(default=1, description=VERSION_DOC)
    record: Enterprise

    @classmethod
    def of(cls, id: int, record: Enterprise, *, private: bool = False, version: int = 1) -> EnterprisePublic:
        """The public view; contacts stay blank unless ``private`` access was granted."""
        shown = record if private else record.model_copy(update={"contact": type(record.contact)()})
        return cls(id=id, size_class=record.size_class, version=version, record=shown)


class DemandPublic(BaseModel):
    id: int
    publisher_id: int
    version: int = Field(default=1, description=VERSION_DOC)
    record: Demand

    @classmethod
    def of(cls, stored: StoredDemand) -> DemandPublic:
        return cls(id=stored.id, publisher_id=stored.publisher_id, version=stored.version, record=stored.record)


class ImportResult(BaseModel):
    counts: dict[str, dict[str, int]] = Field(description="每类数据的新增与更新条数")


class ErrorBody(BaseModel):
    code: str = Field(description="错误类别，如 validation_error / not_found")
    message: str = Field(description="中文说明")
    problems: list[str] = Field(default_factory=list, description="逐条问题（如导入文件的行号与原因）")


# -- tiers ---------------------------------------------------------------------------------------------


class TierValuePublic(BaseModel):
    metric: str
    title: str
    value: float | None = Field(description="所用数值；缺失为 null")
    display: str = Field(description="带单位的中文显示，如 2.4%、国家级、缺失")


class TierIndicatorPublic(BaseModel):
    id: str
    title: str
    group: str
    points: float | None = Field(description="得分；数据缺失时为 null，见 lo/hi")
    lo: float
    hi: float
    max: float
    display: str
    values: list[TierValuePublic]
    article: str = ""


class TierConditionPublic(BaseModel):
    id: str
    title: str
    state: str = Field(description="met / unmet / missing")
    state_label: str
    value: TierValuePublic | None
    requirement: str
    article: str = ""


class TierResultPublic(BaseModel):
    tier: Tier
    label: str
    state: str = Field(description="met 达到 / unmet 未达到 / missing 缺数据无法判断")
    state_label: str
    points: float | None
    points_lo: float | None
    points_hi: float | None
    indicators: list[TierIndicatorPublic]
    conditions: list[TierConditionPublic]


class TierGapPublic(BaseModel):
    rule_id: str
    title: str
    metric: str | None
    missing: bool = Field(description="true：数据缺失，需补报")
    current: float | None
    required: float
    amount: float | None
    unit: str
    cost: float | None = Field(description="补齐代价（万元等值）；null 表示不能靠投入短期补齐")
    message: str = Field(description="中文差距说明")
    article: str = ""


class TierAssessmentPublic(BaseModel):
    """One enterprise's full assessment: tier reached, points per indicator, gaps to the next tier."""

    enterprise_id: int
    uscc: str
    name: str
    as_of: dt.date
    tier: Tier
    tier_label: str
    possible_tier: Tier = Field(description="补齐缺失数据后可能达到的最高层级")
    next_tier: Tier | None
    points: float | None = Field(description="评价得分（points_tier 的评分表）")
    points_tier: Tier
    results: list[TierResultPublic]
    gaps: list[TierGapPublic]
    missing: list[str] = Field(description="需补报的数据")
    steps: list[str] = Field(description="培育建议（中文）")


class TierSummaryPublic(BaseModel):
    enterprise_id: int
    uscc: str
    name: str
    declared_tier: Tier = Field(description="已认定层级")
    tier: Tier = Field(description="评估层级")
    points: float | None
    main_gap: str


class TierRunPublic(BaseModel):
    park: str | None
    as_of: dt.date
    criteria_version: str
    counts: dict[Tier, int]
    created: int = Field(description="新增评估记录数")
    updated: int = Field(description="同日重评覆盖的记录数")
    data: list[TierSummaryPublic]
    count: int


class TierMovePublic(BaseModel):
    from_tier: Tier
    to_tier: Tier
    count: int


class PyramidYearPublic(BaseModel):
    year: int
    counts: dict[Tier, int]
    up: int = Field(description="较上一评估年度晋级的企业数")
    down: int
    same: int
    entered: int = Field(description="新入库评估")
    left: int = Field(description="本年度未评估（退出）")
    moves: list[TierMovePublic]


# -- 供需对接会 ---------------------------------------------------------------------------------------------

OutcomeResult = Literal["意向", "试用", "签约", "无", "未举行"]


class EventSummaryPublic(BaseModel):
    id: int
    code: str = Field(description="对接会编号")
    name: str
    park: str | None
    days: list[dt.date]
    slot_count: int = Field(description="时段数（跨场次）")
    table_count: int
    leading_count: int = Field(description="龙头企业数")
    sme_count: int = Field(description="中小企业数")
    candidate_count: int = Field(description="已评分的候选组合数（0 表示尚未生成推荐名单）")


class EventPublic(BaseModel):
    id: int
    code: str
    park: str | None
    event: Event


class ShortlistEntryPublic(BaseModel):
    counterpart_id: str
    counterpart_name: str
    rank: int
    score: float = Field(description="匹配度 0-100")
    must: bool
    buyer_level: Level | None
    sme_level: Level | None
    reasons: list[str]


class ShortlistsPublic(BaseModel):
    by_buyer: dict[str, list[ShortlistEntryPublic]] = Field(description="龙头企业编号 → 推荐的中小企业")
    by_sme: dict[str, list[ShortlistEntryPublic]] = Field(description="中小企业编号 → 推荐的龙头企业")


class ScheduleRequest(BaseModel):
    time_limit: float = Field(default=20.0, ge=1.0, le=120.0, description="CP-SAT 求解时限（秒）")
    min_meetings: int | None = Field(
        default=None, ge=0, le=MAX_SLOTS, description="每家中小企业至少洽谈次数 k"
    )


class SchedulePublic(BaseModel):
    event_code: str
    version: int
    kind: str = Field(description="schedule（排程）或 replan（现场调整）")
    stats: SolveStats = Field(description="状态、目标值、上界、相对差距、用时")
    unmet_musts: list[MissedMust]
    sme_shortfall: dict[str, int] = Field(description="未达最少洽谈数的中小企业 → 差额")
    meetings: list[Meeting]


class OutcomeCreate(BaseModel):
    buyer: Line = Field(max_length=200, description="龙头企业：编号、统一社会信用代码或名称")
    sme: Line = Field(max_length=200, description="中小企业：编号、统一社会信用代码或名称")
    result: OutcomeResult
    note: Lines = Field(default="", max_length=1000)


class OutcomePublic(BaseModel):
    buyer_id: str
    sme_id: str
    slot: int
    held: bool
    kind: str
    label: str
    note: str
    recorded_at: dt.datetime | None


class EventReportPublic(BaseModel):
    planned: int
    held: int
    not_held: int
    intentions: int
    trials: int
    signed: int
    smes_met: int
    unmet_musts: int
    by_buyer: dict[str, dict[str, int]] = Field(description="龙头企业编号 → 各类结果数")
    lines: list[str] = Field(description="中文总结")


# -- chain ---------------------------------------------------------------------------------------------


class ChainFirmPublic(BaseModel):
    id: str = Field(description="统一社会信用代码（知识图谱企业为股票代码）")
    name: str
    park: str = Field(description="所属园区；园区外企业为空")
    role: str
    tier: Tier
    tier_label: str
    product: str = Field(default="", description="对应该环节的产品")


class ChainExposurePublic(BaseModel):
    firm: ChainFirmPublic
    via: str = Field(description="龙头企业所在的下游环节名称")
    distance: int = Field(description="距缺口的下游级数")


class ChainLinkPublic(BaseModel):
    id: str = Field(description="模板中的环节编号")
    name: str
    stage: str
    depth: int = Field(description="上下游深度，0 为最上游")
    status: Literal["covered", "weak", "gap"]
    status_label: str
    note: str
    outside_only: bool = Field(description="园区内无生产企业而园区外有")
    local: list[ChainFirmPublic]
    outside_count: int
    exposed: list[ChainExposurePublic] = Field(description="缺失或薄弱时，受影响的本地龙头企业")


class ChainCoveragePublic(BaseModel):
    industry: str
    coverage: float = Field(description="有本地生产企业的环节占比")
    gaps: list[str] = Field(description="缺失环节编号")
    weak: list[str] = Field(description="薄弱环节编号")
    links: list[ChainLinkPublic] = Field(description="环节，上游在前")
    unlinked_count: int = Field(description="未对应到任何环节的本地产品数")


class ParkChainsPublic(BaseModel):
    park: str
    data: list[ChainCoveragePublic]
    untemplated: list[str] = Field(description="尚无产业链模板、未分析的主导产业")


class ChainGapsPublic(BaseModel):
    industry: str
    coverage: float
    gaps: list[ChainLinkPublic]
    weak: list[ChainLinkPublic]


class ChainCandidatePublic(BaseModel):
    firm: ChainFirmPublic
    province: str
    city: str
    source: str = Field(description="registry（登记库）或知识图谱名称")
    score: float = Field(description="招商得分 0-100：环节匹配、营收占比、梯度层级、可补环节数、距离的加权")
    reasons: list[str]


class GapCandidatesPublic(BaseModel):
    industry: str
    link: ChainLinkPublic
    candidates: list[ChainCandidatePublic]


class ChainSupplierPublic(BaseModel):
    firm: ChainFirmPublic
    tier_label: str = Field(description="最新保存的评估层级，否则为已认定层级")


class ChainIntegrationPublic(BaseModel):
    industry: str
    leading: ChainFirmPublic
    link: str = Field(description="龙头企业所在环节")
    upstream: str = Field(description="直接上游环节")
    suppliers: list[ChainSupplierPublic]


class OutsideCountPublic(BaseModel):
    industry: str = Field(description="国民经济行业大类")
    count: int


class ChainCheckPublic(BaseModel):
    park: str
    leading_industries: list[str]
    ok: bool
    in_chains: float = Field(description="处于主导产业链上的本地企业占比")
    problems: list[str]
    top_outside: list[OutsideCountPublic]
    untemplated: list[str]


# -- matching ------------------------------------------------------------------------------------------


class RequirementPublic(BaseModel):
    label: str = Field(description="要求，如“资质 ISO 9001”")
    status: str = Field(description="met 满足 / unmet 不满足 / unknown 待核实")
    detail: str = ""


class MatchQuery(BaseModel):
    """A free-text demand and optional hard constraints."""

    text: Lines = Field(min_length=1, max_length=2000, description="需求文本")
    top: int = Field(default=10, ge=1, le=200)
    certifications: list[str] = Field(default_factory=list, max_length=20, description="必须具备的资质")
    regions: list[str] = Field(default_factory=list, max_length=50, description="限定地区（满足其一）")
    park: str | None = Field(default=None, max_length=100)
    roles: list[str] = Field(default_factory=list, max_length=3, description="leading / sme / other")


class SupplierMatchPublic(BaseModel):
    enterprise_id: int
    name: str
    park: str
    score: float = Field(description="匹配度 0-100：相关度加上加分项（封顶 100），列表按此排序")
    relevance: float = Field(description="相关度 0-100：仅由各通道相似度得出，低于相关度下限的企业不列出")
    product: str = Field(description="匹配上的主营产品")
    item: str = Field(description="对应的需求条目（多项需求时；无法判断对应哪一项时为空）")
    channels: dict[str, float] = Field(description="各通道相似度（详情）")
    boosts: dict[str, float] = Field(description="加分项（0-100 分制）")
    requirements: list[RequirementPublic]
    reason: str = Field(description="一句话理由（通俗表述，不含数值）")
    details: str = Field(description="理由背后的各通道数值")
    explanation: str = Field(description="中文理由：一句话理由、加分项与要求核对")


class RemovedPublic(BaseModel):
    """How many firms relevant enough to be listed one hard constraint kept out."""

    constraint: str = Field(description="条件键，可传给 relax 参数以放宽，如“cert:IATF 16949”")
    label: str = Field(description="条件，如“资质 IATF 16949”")
    count: int = Field(description="因该条件未列出的相关企业数")
    message: str = Field(description="如“3 家生产磷酸铁锂正极材料的企业未满足资质 IATF 16949”")


class SupplierSearchPublic(BaseModel):
    data: list[SupplierMatchPublic]
    count: int
    items: list[str] = Field(description="需求被解读为的采购品")
    eligible: int = Field(description="满足全部硬性条件的企业数")
    pool: int = Field(description="候选池企业数")
    floor: float = Field(description="相关度下限（0-100）")
    hidden: int = Field(description="前列中因低于相关度下限而未列出的企业数")
    removed: list[RemovedPublic] = Field(description="各硬性条件挡在名单外的相关企业数")
    relaxed: list[str] = Field(description="本次已放宽的条件键")
    notice: str = Field(description="没有或只有少量候选时的说明（否则为空）")


class OfferQuery(BaseModel):
    text: Lines = Field(min_length=1, max_length=2000, description="供应能力描述")
    top: int = Field(default=10, ge=1, le=200)


class BuyerMatchPublic(BaseModel):
    enterprise_id: int
    name: str
    park: str
    score: float = Field(description="相关度 0-100")
    product: str
    channels: dict[str, float]
    reason: str = Field(description="一句话理由（通俗表述，不含数值）")
    details: str = Field(description="理由背后的各通道数值")
    explanation: str


class DemandMatchPublic(BaseModel):
    demand_id: int
    code: str
    title: str
    publisher: str
    score: float = Field(description="相关度 0-100")
    reciprocal: float = Field(description="双向得分 0-100：双方互相排名都靠前时接近 100")
    requirements: list[RequirementPublic]
    reason: str = Field(description="一句话理由（通俗表述，不含数值）")
    details: str = Field(description="理由背后的各通道数值")
    explanation: str


class RecommendationsPublic(BaseModel):
    buyers: list[BuyerMatchPublic]
    demands: list[DemandMatchPublic]
    items: list[str] = Field(description="供应能力被解读为的产品")


class TierSupportPublic(BaseModel):
    """Targeted support (精准培育) for one enterprise: next tier, cheapest gap, concrete next steps."""

    uscc: str
    name: str
    tier: str
    next_tier: str | None
    cheapest_gap: str | None = Field(description="最便宜补齐的差距")
    cost: float | None = Field(description="补齐到下一层级的估算总成本（万元等值）；无法估价时为空")
    steps: list[str] = Field(description="下一步：补报数据、补齐差距、可对接的龙头企业需求")
    demands: list[str] = Field(description="可响应的开放需求（来自匹配引擎）")


# -- publishing: demands, profiles, candidate decisions ------------------------------------------------


def _body_model(
    name: str, model: type[BaseModel], *, optional: bool, drop: set[str], extra: dict[str, Any]
) -> Any:
    """A request body with ``model``'s fields and Chinese titles (all optional for a PATCH)."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in drop:
            continue
        if optional:
            fields[field_name] = (info.annotation | None, Field(default=None, title=info.title))  # type: ignore[operator]
        else:
            fields[field_name] = (info.annotation, info)
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields, **extra)


if TYPE_CHECKING:
    DemandCreate = BaseModel
    DemandPatch = BaseModel
else:
    DemandCreate = _body_model(
        "DemandCreate",
        Demand,
        optional=False,
        drop={"code", "publisher_uscc"},
        extra={
            "code": (str, Field(default="", max_length=64, title="需求编号（留空自动生成）")),
            "publisher_uscc": (
                str,
                Field(default="", max_length=32, title="发布企业统一社会信用代码（管理员代发时填写）"),
            ),
        },
    )
    DemandPatch = _body_model(
        "DemandPatch",
        Demand,
        optional=True,
        drop={"code", "publisher_uscc"},
        extra={"version": (int | None, Field(default=None, ge=1, le=2**31 - 1, description=VERSION_DOC))},
    )


class ProfilePatch(BaseModel):
    """What an enterprise's own users may change in its profile (fields left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    products: list[Product] | None = Field(default=None, max_length=50, title="主要产品")
    capabilities: str | None = Field(default=None, max_length=4000, title="能力与工艺")
    certifications: list[str] | None = Field(default=None, max_length=50, title="资质认证")
    capacity: str | None = Field(default=None, max_length=1000, title="产能")
    contact: Contact | None = Field(default=None, title="联系方式")
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, description=VERSION_DOC)


class CandidateDecisionIn(BaseModel):
    decision: Literal["shortlist", "reject", "clear"] = Field(
        description="shortlist 入围 / reject 淘汰 / clear 撤销"
    )
    note: Lines = Field(default="", max_length=500, description="备注（如淘汰原因）")


class CandidateDecisionPublic(BaseModel):
    enterprise_id: int
    name: str
    decision: str
    decision_label: str
    note: str
    score: float | None = Field(description="处理时的匹配度（0-100）")


class CandidatesPublic(BaseModel):
    suppliers: SupplierSearchPublic
    decisions: list[CandidateDecisionPublic] = Field(description="已入围或淘汰的候选（含已不在前列的）")
