"""The metrics the criteria may test, and their extraction into float columns (NaN = missing).

Every rule in the criteria YAML names one of these metrics. Columns are float64 arrays, one value per
enterprise: flags are 1.0/0.0, and a value that was not reported is NaN, never zero, so that an
assessment can say "缺失" instead of silently failing a rule. Ratios are derived here once (in percent,
as the source document states them), rounded to 1e-9 so that 180 / 6000 is exactly 3 %.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.domain.models import Enterprise, Tier

Columns = dict[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class Metric:
    """A testable quantity: its Chinese title, unit, and the unit a shortfall is counted in."""

    name: str
    title: str
    unit: str = ""
    kind: str = "number"  # number | flag | rank (rank: smaller is better, 0 = none)
    zero_label: str = ""  # how a rank of 0 reads ("未获奖")
    lower_better: bool = False  # a "<=" rule on it can be worked towards (debt); others are band limits

    @property
    def can_decrease(self) -> bool:
        return self.lower_better or self.kind == "rank"

    @property
    def gap_unit(self) -> str:
        return "个百分点" if self.unit == "%" else self.unit


_M = Metric
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _M("is_sme", "属于中小企业（《中小企业划型标准规定》）", kind="flag"),
        _M("is_manufacturing", "属于制造业（GB/T 4754 C 门类）", kind="flag"),
        _M("employees", "从业人员", "人"),
        _M("revenue", "上年度营业收入", "万元"),
        _M("revenue_growth", "上年度营业收入增长率", "%"),
        _M("growth_2y", "近两年主营业务收入平均增长率", "%"),
        _M("main_business_share", "主营业务收入占营业收入比重", "%"),
        _M("rd_expense", "上年度研发费用", "万元"),
        _M("rd_expense_2y", "近两年研发费用总额", "万元"),
        _M("rd_expense_avg_2y", "近两年研发费用均值", "万元"),
        _M("rd_ratio", "研发费用占比", "%"),
        _M("rd_ratio_prev", "前一年度研发费用占比", "%"),
        _M("rd_staff_ratio", "研发人员占比", "%"),
        _M("net_margin", "上年度净利润率", "%"),
        _M("debt_ratio", "资产负债率", "%", lower_better=True),
        _M("debt_ratio_avg_2y", "近两年平均资产负债率", "%", lower_better=True),
        _M("equity_financing", "近两年新增股权融资", "万元"),
        _M("equity_financing_3y", "近三年新增股权融资", "万元"),
        _M("years_in_niche", "从事特定细分市场年限", "年"),
        _M("market_share", "主导产品全国细分市场占有率", "%"),
        _M("global_rank", "主导产品全球市场占有率排名", "名", kind="rank"),
        _M("class1_ip", "Ⅰ类知识产权", "项"),
        _M("class2_ip", "Ⅱ类知识产权", "项"),
        _M("high_value_class1", "Ⅰ类高价值知识产权", "项"),
        _M("self_developed_class1", "自主研发的Ⅰ类知识产权", "项"),
        _M("rd_institution", "设立研发机构", kind="flag"),
        _M("rd_institution_level", "研发机构级别（4国家级/3省级/2市级/1市级以下）", "级"),
        _M("national_award_rank", "近三年国家级科技奖励排名", "名", kind="rank", zero_label="未获奖"),
        _M("provincial_award_rank", "近三年省级科技奖励排名", "名", kind="rank", zero_label="未获奖"),
        _M("maker_china_top", "近三年“创客中国”大赛全国名次档", "强", kind="rank", zero_label="未入围"),
        _M("strategic_emerging", "主导产品属于战略性新兴产业", kind="flag"),
        _M("chain_key_role", "产业链关键环节“补短板、锻长板、填空白”取得实效", kind="flag"),
        _M("six_basics", "属于工业“六基”、中华老字号或服务重点龙头企业", kind="flag"),
        _M("key_field", "主导产品属于重点领域", kind="flag"),
        _M("digital_level", "数字化水平等级", "级"),
        _M("info_system", "核心业务采用信息系统支撑", kind="flag"),
        _M("own_brand", "拥有自主品牌", kind="flag"),
        _M("drafted_standards", "参与制修订标准", kind="flag"),
        _M("local_score", "特色化指标得分（省级自设）", "分"),
        _M("new_product", "主导产品属于新产品", kind="flag"),
        _M("honors", "高新技术企业等有效期内荣誉", kind="flag"),
        _M("quality_system", "质量管理体系认证", kind="flag"),
        _M("quality_award", "省级以上质量奖", kind="flag"),
        _M("management_cert", "管理体系认证或发达国家产品认证", kind="flag"),
        _M("recognized_tier", "已认定梯度层级（0未入库…5领航）", "级"),
    )
}
_TIER_RANK = {t: i for i, t in enumerate(Tier)}
KEYWORD_METRICS = ("honors", "quality_system", "quality_award", "management_cert")
_RAW = (
    "employees", "revenue", "revenue_growth", "main_business_share", "rd_expense", "debt_ratio",
    "equity_financing", "equity_financing_3y", "years_in_niche", "market_share", "global_rank",
    "national_award_rank", "provincial_award_rank", "maker_china_top", "strategic_emerging",
    "chain_key_role", "six_basics", "key_field", "digital_level", "info_system", "own_brand",
    "drafted_standards", "local_score", "new_product", "revenue_prev", "revenue_growth_prev",
    "revenue_growth_2y", "rd_expense_prev", "debt_ratio_prev", "net_profit", "rd_staff",
    "has_rd_institution",
)  # fmt: skip


def _is_manufacturing(code: str) -> bool:
    return code[:1] == "C" or (code[:2].isdigit() and 13 <= int(code[:2]) <= 43)


def _has_keyword(certs: Sequence[str], words: Sequence[str]) -> bool:
    flat = [c.upper().replace(" ", "") for c in certs]
    return any(w in c for c in flat for w in words)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num * 100.0 / den, np.nan)
    return np.round(out, 9)


def raw_columns(enterprises: Sequence[Enterprise], keywords: Mapping[str, Sequence[str]]) -> Columns:
    """Reported values as float columns (None -> NaN), plus flags read from the enterprise record."""
    inds = [e.indicators for e in enterprises]
    cols: Columns = {name: np.array([getattr(i, name) for i in inds], dtype=float) for name in _RAW}
    cols["invention"] = np.array([i.patents.invention for i in inds], dtype=float)
    cols["class2_ip"] = np.array(
        [i.patents.utility_model + i.patents.design + i.patents.software_copyright for i in inds], dtype=float
    )
    cols["high_value_raw"] = np.array([i.patents.high_value_class1 for i in inds], dtype=float)
    cols["self_developed_raw"] = np.array([i.patents.self_developed_class1 for i in inds], dtype=float)
    cols["level_raw"] = np.array(
        [None if i.rd_institution_level is None else i.rd_institution_level.rank for i in inds], dtype=float
    )
    sizes = [e.size_class for e in enterprises]
    cols["is_sme"] = np.array([None if s is None else s != "大型" for s in sizes], dtype=float)
    cols["recognized_tier"] = np.array([_TIER_RANK[e.tier] for e in enterprises], dtype=float)
    cols["is_manufacturing"] = np.array(
        [_is_manufacturing(e.industry_code) for e in enterprises], dtype=float
    )
    for name in KEYWORD_METRICS:
        words = [w.upper().replace(" ", "") for w in keywords.get(name, ())]
        cols[name] = np.array([_has_keyword(e.certifications, words) for e in enterprises], dtype=float)
    return cols


def derive(cols: Columns) -> Columns:
    """Add the derived metrics (ratios, two-year figures, IP classes) to raw columns; returns a new dict."""
    c = dict(cols)
    rev, prev = c["revenue"], c["revenue_prev"]
    c["revenue_growth"] = np.where(
        np.isnan(c["revenue_growth"]), _ratio(rev - prev, prev), c["revenue_growth"]
    )
    mean2 = np.round((c["revenue_growth"] + c["revenue_growth_prev"]) / 2, 9)
    c["growth_2y"] = np.where(np.isnan(c["revenue_growth_2y"]), mean2, c["revenue_growth_2y"])
    c["rd_ratio"] = _ratio(c["rd_expense"], rev)
    c["rd_ratio_prev"] = _ratio(c["rd_expense_prev"], prev)
    c["rd_expense_2y"] = c["rd_expense"] + c["rd_expense_prev"]
    c["rd_expense_avg_2y"] = c["rd_expense_2y"] / 2
    c["net_margin"] = _ratio(c["net_profit"], rev)
    c["rd_staff_ratio"] = _ratio(c["rd_staff"], c["employees"])
    c["debt_ratio_avg_2y"] = np.round((c["debt_ratio"] + c["debt_ratio_prev"]) / 2, 9)
    c["class1_ip"] = c["invention"]
    none_held = c["class1_ip"] == 0  # a subset of nothing is nothing, even when not reported
    c["high_value_class1"] = np.where(none_held, 0.0, c["high_value_raw"])
    c["self_developed_class1"] = np.where(none_held, 0.0, c["self_developed_raw"])
    has = c["has_rd_institution"]
    c["rd_institution_level"] = np.where(np.isnan(c["level_raw"]) & (has == 0), 0.0, c["level_raw"])
    c["rd_institution"] = np.where(np.isnan(c["level_raw"]), has, (c["level_raw"] >= 1).astype(float))
    return c


def to_columns(enterprises: Sequence[Enterprise], keywords: Mapping[str, Sequence[str]]) -> Columns:
    """All metrics of ``enterprises`` as columns, ready for :func:`matcher.tiers.evaluate.evaluate`."""
    return derive(raw_columns(enterprises, keywords))
