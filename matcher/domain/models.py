"""Park, Enterprise and Demand: the registry's records, validated on construction.

English identifiers, Chinese labels (``title``) for every field: the import headers, exports, API
schemas and web forms all read their Chinese names from here. Money is in 万元 (10,000 yuan), shares and
ratios in percent, as Chinese statistical forms use them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from matcher.domain.clean import clean_field
from matcher.domain.industry import industry_problem
from matcher.domain.size import SizeClass, size_class
from matcher.domain.uscc import normalize_uscc, uscc_problem

MAX_LEADING_INDUSTRIES = 3
GUIDELINE = "《工业园区高质量发展指引》（工业和信息化部、国家发展改革委，2025）"


class Role(StrEnum):
    LEADING = "leading"
    SME = "sme"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"leading": "龙头企业", "sme": "中小企业", "other": "其他"}[self.value]


class Tier(StrEnum):
    """梯度培育层级, lowest first; ``NONE`` means not (yet) recognized."""

    NONE = "none"
    INNOVATIVE = "innovative"
    SPECIALIZED = "specialized"
    LITTLE_GIANT = "little_giant"
    CHAMPION = "champion"
    PILOT = "pilot"

    @property
    def label(self) -> str:
        return TIER_LABELS[self]

    @property
    def short_label(self) -> str:
        """A narrow label for table columns: 创新型, 专精特新, 小巨人, 单项冠军, 领航."""
        return TIER_SHORT_LABELS[self]


TIER_LABELS = {
    Tier.NONE: "未入库",
    Tier.INNOVATIVE: "创新型中小企业",
    Tier.SPECIALIZED: "专精特新中小企业",
    Tier.LITTLE_GIANT: "专精特新“小巨人”企业",
    Tier.CHAMPION: "制造业单项冠军企业",
    Tier.PILOT: "领航企业",
}


TIER_SHORT_LABELS = {
    Tier.NONE: "未入库",
    Tier.INNOVATIVE: "创新型",
    Tier.SPECIALIZED: "专精特新",
    Tier.LITTLE_GIANT: "小巨人",
    Tier.CHAMPION: "单项冠军",
    Tier.PILOT: "领航",
}


class DemandKind(StrEnum):
    PROCUREMENT = "procurement"
    TECHNOLOGY = "technology"

    @property
    def label(self) -> str:
        return {"procurement": "采购计划", "technology": "科技创新需求"}[self.value]


class DemandStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "open": "开放", "closed": "已关闭"}[self.value]


class Visibility(StrEnum):
    PUBLIC = "public"
    PARK = "park"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return {"public": "公开", "park": "园区内可见", "private": "仅发布方"}[self.value]


class InstitutionLevel(StrEnum):
    """研发机构级别, as graded by 附件2 indicator 13 of 工信部企业〔2022〕63号."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    BELOW = "below"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "national": "国家级",
            "provincial": "省级",
            "municipal": "市级",
            "below": "市级以下",
            "none": "未建立",
        }[self.value]

    @property
    def rank(self) -> int:
        """4 = 国家级 … 1 = 市级以下, 0 = none: the order the scoring tables use."""
        return {"national": 4, "provincial": 3, "municipal": 2, "below": 1, "none": 0}[self.value]


NonNegative = Annotated[float, Field(ge=0)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_controls(cls, value: Any, info: ValidationInfo) -> Any:
        return clean_field(value, info)


class Park(Record):
    """园区: a park and its (at most three) leading industries."""

    name: str = Field(min_length=1, max_length=100, title="园区名称")
    province: str = Field(default="", title="省份")
    city: str = Field(default="", title="城市")
    district: str = Field(default="", title="区县")
    leading_industries: list[str] = Field(default_factory=list, title="主导产业")

    @field_validator("leading_industries")
    @classmethod
    def _at_most_three(cls, value: list[str]) -> list[str]:
        value = [v.strip() for v in value if v.strip()]
        if len(value) > MAX_LEADING_INDUSTRIES:
            raise ValueError(
                f"主导产业不得超过 {MAX_LEADING_INDUSTRIES} 个（{GUIDELINE}要求园区聚焦不超过 3 个主导产业），"
                f"实为 {len(value)} 个：{'、'.join(value)}"
            )
        if len(set(value)) != len(value):
            raise ValueError(f"主导产业有重复：{'、'.join(value)}")
        return value


class Product(Record):
    """A product line and its share of revenue (0-1; unknown is None)."""

    name: str = Field(min_length=1, max_length=200, title="产品名称")
    share: float | None = Field(default=None, ge=0, le=1, title="营收占比")


class Patents(Record):
    """Intellectual property by class; 一类知识产权 = invention patents and comparable rights."""

    invention: int = Field(default=0, ge=0, title="发明专利")
    utility_model: int = Field(default=0, ge=0, title="实用新型专利")
    design: int = Field(default=0, ge=0, title="外观设计专利")
    software_copyright: int = Field(default=0, ge=0, title="软件著作权")
    # 梯度培育 (tiers): sub-counts of the class-I rights above; None = not reported.
    high_value_class1: int | None = Field(default=None, ge=0, title="Ⅰ类高价值知识产权")
    self_developed_class1: int | None = Field(default=None, ge=0, title="自主研发的Ⅰ类知识产权")


class Indicators(Record):
    """Financial and innovation indicators of the latest year; None means not reported (never zero)."""

    year: int | None = Field(default=None, ge=1990, le=2100, title="指标年度")
    employees: int | None = Field(default=None, ge=0, title="从业人员")
    revenue: NonNegative | None = Field(default=None, title="营业收入（万元）")
    revenue_growth: float | None = Field(default=None, ge=-100, title="营业收入增长率（%）")
    main_business_share: float | None = Field(default=None, ge=0, le=100, title="主营业务收入占比（%）")
    rd_expense: NonNegative | None = Field(default=None, title="研发费用（万元）")
    rd_staff: int | None = Field(default=None, ge=0, title="研发人员")
    debt_ratio: float | None = Field(default=None, ge=0, le=1000, title="资产负债率（%）")
    equity_financing: NonNegative | None = Field(default=None, title="近两年股权融资（万元）")
    years_in_niche: float | None = Field(default=None, ge=0, title="从事细分市场年限")
    market_share: float | None = Field(default=None, ge=0, le=100, title="细分市场全国占有率（%）")
    has_rd_institution: bool | None = Field(default=None, title="设立研发机构")
    # 梯度培育 (matcher.tiers): multi-year and qualitative indicators of 工信部企业〔2022〕63号.
    revenue_prev: NonNegative | None = Field(default=None, title="前一年度营业收入（万元）")
    revenue_growth_prev: float | None = Field(default=None, ge=-100, title="前一年度营业收入增长率（%）")
    revenue_growth_2y: float | None = Field(default=None, ge=-100, title="近两年主营业务收入平均增长率（%）")
    rd_expense_prev: NonNegative | None = Field(default=None, title="前一年度研发费用（万元）")
    debt_ratio_prev: float | None = Field(default=None, ge=0, le=1000, title="前一年度资产负债率（%）")
    net_profit: float | None = Field(default=None, title="净利润（万元）")
    equity_financing_3y: NonNegative | None = Field(default=None, title="近三年新增股权融资（万元）")
    rd_institution_level: InstitutionLevel | None = Field(default=None, title="研发机构级别")
    national_award_rank: int | None = Field(
        default=None, ge=0, title="近三年国家级科技奖励获奖单位排名（未获奖填0）"
    )
    provincial_award_rank: int | None = Field(
        default=None, ge=0, title="近三年省级科技奖励获奖单位排名（未获奖填0）"
    )
    maker_china_top: int | None = Field(
        default=None, ge=0, title="近三年“创客中国”大赛全国企业组名次档（如50强填50，未入围填0）"
    )
    strategic_emerging: bool | None = Field(default=None, title="主导产品属于战略性新兴产业")
    chain_key_role: bool | None = Field(
        default=None, title="在产业链关键环节“补短板、锻长板、填空白”取得实际成效"
    )
    six_basics: bool | None = Field(
        default=None, title="属于工业“六基”领域、中华老字号或服务重点产业链龙头企业"
    )
    key_field: bool | None = Field(default=None, title="主导产品属于“小巨人”重点领域")
    digital_level: int | None = Field(default=None, ge=1, le=4, title="数字化水平等级（1-4级）")
    info_system: bool | None = Field(default=None, title="至少1项核心业务采用信息系统支撑")
    own_brand: bool | None = Field(default=None, title="拥有自主品牌")
    drafted_standards: bool | None = Field(default=None, title="参与制修订标准")
    local_score: float | None = Field(default=None, ge=0, le=15, title="特色化指标得分（省级自设，0-15分）")
    global_rank: int | None = Field(default=None, ge=1, title="主导产品全球市场占有率排名")
    new_product: bool | None = Field(default=None, title="主导产品属于新产品")
    patents: Patents = Field(default_factory=Patents, title="知识产权")


# The figures of an enterprise's accounts (money and ratios): private to the enterprise, its park's admins
# and platform admins (``matcher.auth.policy.can_see_financials``); blanked for everyone else on every read.
FINANCIAL_FIELDS = frozenset(
    {
        "revenue",
        "revenue_growth",
        "main_business_share",
        "rd_expense",
        "debt_ratio",
        "equity_financing",
        "revenue_prev",
        "revenue_growth_prev",
        "revenue_growth_2y",
        "rd_expense_prev",
        "debt_ratio_prev",
        "net_profit",
        "equity_financing_3y",
    }
)


class Contact(Record):
    """联系人 (private: shown only to the enterprise itself and park staff)."""

    person: str = Field(default="", title="联系人")
    phone: str = Field(default="", title="联系电话")
    email: str = Field(default="", title="电子邮箱")


class Enterprise(Record):
    """企业: one registered enterprise, identified by its 统一社会信用代码."""

    uscc: str = Field(title="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200, title="企业名称")
    park: str = Field(default="", title="所属园区")
    province: str = Field(default="", title="省份")
    city: str = Field(default="", title="城市")
    district: str = Field(default="", title="区县")
    industry_code: str = Field(title="行业代码（GB/T 4754-2017）")
    role: Role = Field(default=Role.SME, title="企业角色")
    tier: Tier = Field(default=Tier.NONE, title="已认定梯度层级")
    products: list[Product] = Field(default_factory=list, title="主要产品")
    capabilities: str = Field(default="", max_length=4000, title="能力与工艺")
    certifications: list[str] = Field(default_factory=list, title="资质认证")
    capacity: str = Field(default="", max_length=1000, title="产能")
    indicators: Indicators = Field(default_factory=Indicators, title="经营与创新指标")
    contact: Contact = Field(default_factory=Contact, title="联系方式")

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, value: str) -> str:
        value = normalize_uscc(value)
        problem = uscc_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("industry_code")
    @classmethod
    def _valid_industry(cls, value: str) -> str:
        problem = industry_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("certifications")
    @classmethod
    def _clean_certs(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(" ".join(v.split()) for v in value if v.strip()))

    @model_validator(mode="after")
    def _shares_add_up(self) -> Enterprise:
        total = sum(p.share or 0 for p in self.products)
        if total > 1.0001:
            raise ValueError(f"产品营收占比合计 {total:.0%}，超过 100%")
        return self

    @property
    def size_class(self) -> SizeClass | None:
        """大/中/小/微, derived from employees and revenue by the 2017 statistical rule."""
        return size_class(employees=self.indicators.employees, revenue_wan=self.indicators.revenue)


class Demand(Record):
    """需求: a procurement plan or technology-innovation demand published by a leading firm."""

    code: str = Field(min_length=1, max_length=64, title="需求编号")
    kind: DemandKind = Field(title="需求类型")
    title: str = Field(min_length=1, max_length=200, title="需求标题")
    publisher_uscc: str = Field(title="发布企业统一社会信用代码")
    description: str = Field(default="", max_length=4000, title="需求描述")
    # 采购计划
    product: str = Field(default="", max_length=200, title="采购产品")
    spec: str = Field(default="", max_length=1000, title="规格要求")
    quantity: float | None = Field(default=None, ge=0, title="数量")
    unit: str = Field(default="", max_length=20, title="单位")
    budget_min: NonNegative | None = Field(default=None, title="预算下限（万元）")
    budget_max: NonNegative | None = Field(default=None, title="预算上限（万元）")
    delivery_date: dt.date | None = Field(default=None, title="交付日期")
    # 科技创新需求
    problem: str = Field(default="", max_length=2000, title="技术难题")
    target_indicators: str = Field(default="", max_length=1000, title="目标指标")
    cooperation_mode: str = Field(default="", max_length=100, title="合作方式")
    # 共同
    required_certifications: list[str] = Field(default_factory=list, title="资质要求")
    preferred_regions: list[str] = Field(default_factory=list, title="优先地区")
    deadline: dt.date | None = Field(default=None, title="截止日期")
    status: DemandStatus = Field(default=DemandStatus.OPEN, title="状态")
    visibility: Visibility = Field(default=Visibility.PUBLIC, title="可见范围")

    @field_validator("publisher_uscc")
    @classmethod
    def _valid_publisher(cls, value: str) -> str:
        value = normalize_uscc(value)
        problem = uscc_problem(value)
        if problem:
            raise ValueError(f"发布企业{problem}")
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> Demand:
        if self.kind is DemandKind.PROCUREMENT and not self.product:
            raise ValueError("采购计划须填写采购产品")
        if self.kind is DemandKind.TECHNOLOGY and not self.problem:
            raise ValueError("科技创新需求须填写技术难题")
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            raise ValueError(f"预算下限 {self.budget_min} 大于预算上限 {self.budget_max}")
        return self


def field_titles(model: type[BaseModel]) -> dict[str, str]:
    """English field name -> Chinese title, for headers and messages."""
    return {name: (f.title or name) for name, f in model.model_fields.items()}


def dump(record: BaseModel) -> dict[str, Any]:
    """A JSON-ready dict of a record (enums as their values, dates ISO)."""
    return record.model_dump(mode="json")
