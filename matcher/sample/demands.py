"""Demands of leading firms: 采购计划 for upstream products and 科技创新需求, phrased several ways.

Dates are offsets from a fixed reference date, never from today, so a seed always gives the same file.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from matcher.domain import Demand, DemandKind, DemandStatus, Enterprise, Visibility
from matcher.sample.certs import required_for
from matcher.sample.chains import ChainTemplate, LinkRef, upstream_closure
from matcher.sample.places import ParkSpec
from matcher.sample.problems import PROBLEMS
from matcher.sample.texts import nice, unit_for

REFERENCE_DATE = dt.date(2025, 6, 30)
MODES = ("联合研发", "技术转让", "委托开发", "先试首用")
REASONS = (
    "新产线投产",
    "产能扩张",
    "供应链本地化",
    "年度框架采购",
    "国产化替代",
    "降本增效",
    "导入第二供应商",
)
REQUIREMENTS = (
    "具备稳定批量供货能力",
    "提供近一年第三方检测报告",
    "可提供驻厂技术支持",
    "需通过我司供应商审核",
    "支持 JIT 准时化配送",
    "接受年度价格谈判",
)
SPECS: dict[str, tuple[str, ...]] = {
    "新能源汽车": (
        "批次一致性好，杂质含量满足企业标准",
        "满足车规级可靠性要求，提供 PPAP 文件",
        "符合 GB/T 31484 相关要求",
        "满足 -40℃~85℃ 工作温度范围",
    ),
    "集成电路": ("满足 12 英寸产线工艺要求", "金属杂质 ≤ 10 ppb", "良率 ≥ 99%，提供 COA", "满足 SEMI 标准"),
    "生物医药": (
        "符合《中国药典》现行版标准",
        "提供 DMF 备案资料，接受现场审计",
        "无菌、无热原，符合 GMP 要求",
        "提供注册检验报告",
    ),
    "光伏": (
        "满足 IEC 61215 标准",
        "转换效率不低于行业主流水平",
        "首年衰减 ≤ 1%，线性衰减 ≤ 0.4%/年",
        "适配 210mm 大尺寸产品",
    ),
    "工程机械": (
        "额定工作压力 ≥ 35 MPa",
        "材料符合 GB/T 1591",
        "平均无故障工作时间 ≥ 2000 小时",
        "满足非道路国四排放要求",
    ),
    "智能装备": ("重复定位精度 ±0.02 mm", "防护等级 IP65", "背隙 ≤ 1 arcmin", "支持 EtherCAT 总线"),
}


@dataclass(frozen=True, slots=True)
class Publisher:
    enterprise: Enterprise
    brand: str
    park: ParkSpec
    template: ChainTemplate
    link_id: str


def _status(rng: random.Random) -> DemandStatus:
    return rng.choices(list(DemandStatus), weights=(0.1, 0.75, 0.15))[0]


def _dates(rng: random.Random, status: DemandStatus) -> tuple[dt.date | None, dt.date]:
    if status is DemandStatus.CLOSED:
        deadline = REFERENCE_DATE - dt.timedelta(days=rng.randint(10, 120))
    else:
        deadline = REFERENCE_DATE + dt.timedelta(days=rng.randint(15, 120))
    delivery = deadline + dt.timedelta(days=rng.randint(30, 180))
    return (None if status is DemandStatus.DRAFT and rng.random() < 0.5 else deadline), delivery


def _common(rng: random.Random, pub: Publisher, code: str) -> tuple[dict[str, object], dt.date]:
    """Fields shared by both kinds, and the delivery date that goes with the deadline."""
    status = _status(rng)
    deadline, delivery = _dates(rng, status)
    regions = list(pub.park.preferred_regions[: rng.randint(0, 3)])
    return {
        "code": code,
        "publisher_uscc": pub.enterprise.uscc,
        "status": status,
        "deadline": deadline,
        "visibility": rng.choices(list(Visibility), weights=(0.6, 0.3, 0.1))[0],
        "preferred_regions": regions,
    }, delivery


def procurement(rng: random.Random, pub: Publisher, code: str) -> tuple[Demand, LinkRef]:
    """A purchase plan for a product of a link upstream of the publisher's own link."""
    t = pub.template
    ups = upstream_closure(t, pub.link_id, depth=2)
    direct = set(t.link(pub.link_id).upstream)
    target = t.link(rng.choice([u for u in ups if u in direct] if rng.random() < 0.75 else ups))
    product = rng.choice(target.keywords)
    unit, price = unit_for(target)
    if unit == "项":
        unit, price = "批", 50.0
    budget_min = nice(rng.uniform(50, 3000))
    raw = budget_min / price * rng.uniform(0.8, 1.2)
    if unit == "GWh" and raw < 1:
        unit, raw = "MWh", raw * 1000
    quantity = max(1.0, nice(raw))
    budget_max = nice(budget_min * rng.uniform(1.2, 2.0))
    common, delivery = _common(rng, pub, code)
    spec = f"{product}，{rng.choice(SPECS[t.industry])}"
    own = pub.enterprise.products[0].name if pub.enterprise.products else t.link(pub.link_id).name
    half = rng.choice(("上半年", "下半年", "三季度", "四季度"))
    title = rng.choice(
        (
            f"{product}采购计划（2025年{half}）",
            f"采购{product}{quantity:g}{unit}",
            f"{pub.brand}{product}年度集中采购",
            f"征集{product}合格供应商",
            f"{product}批量采购需求",
        )
    )
    req = rng.choice(REQUIREMENTS)
    description = rng.choice(
        (
            f"因{rng.choice(REASONS)}，我司计划采购{product}约{quantity:g}{unit}，用于{own}生产。要求供应商{req}。",
            f"现面向社会公开征集{product}供应商，本批次需求量{quantity:g}{unit}，预算{budget_min:g}-{budget_max:g}万元，"
            f"交货期至{delivery:%Y年%m月%d日}。{spec}。",
            f"为保障{own}产线稳定供货，拟新增{product}本地配套，年需求约{quantity:g}{unit}。{req}，欢迎园区内外企业报名。",
            f"{pub.enterprise.name}{target.name}采购：规格{spec}；数量{quantity:g}{unit}；{req}。",
        )
    )
    demand = Demand(
        kind=DemandKind.PROCUREMENT,
        title=title,
        description=description,
        product=product,
        spec=spec,
        quantity=quantity,
        unit=unit,
        budget_min=budget_min,
        budget_max=budget_max,
        delivery_date=delivery,
        required_certifications=required_for(rng, t.industry, target),
        **common,  # type: ignore[arg-type]
    )
    return demand, LinkRef(t.industry, target.id)


def technology(rng: random.Random, pub: Publisher, code: str) -> tuple[Demand, LinkRef]:
    """A technology demand about the publisher's link or a link feeding it."""
    t = pub.template
    near = {pub.link_id, *upstream_closure(t, pub.link_id, depth=3)}
    bank = PROBLEMS[t.industry]
    options = [p for p in bank if p[0] in near] or list(bank)
    link_id, topic, problem, targets = rng.choice(options)
    mode = rng.choice(MODES)
    title = rng.choice(
        (
            f"{topic}技术攻关",
            f"关于{topic}的技术合作需求",
            f"寻求{topic}解决方案",
            f"{topic}{mode}",
            f"征集{topic}先进技术与产品",
        )
    )
    description = rng.choice(
        (
            f"{pub.brand}在{t.link(pub.link_id).name}业务中遇到以下难题：{problem}。希望以{mode}方式与高校院所或企业合作。",
            f"技术背景：{problem}。目标：{targets}。合作方式：{mode}，费用面议。",
            f"面向全国征集{topic}解决方案。现状：{problem}。具备相关成果或中试能力的单位优先。",
        )
    )
    budget = nice(rng.uniform(50, 800)) if rng.random() < 0.6 else None
    common, _ = _common(rng, pub, code)
    demand = Demand(
        kind=DemandKind.TECHNOLOGY,
        title=title,
        description=description,
        problem=problem,
        target_indicators=targets,
        cooperation_mode=mode,
        budget_min=budget,
        budget_max=nice(budget * rng.uniform(1.2, 2.5)) if budget else None,
        **common,  # type: ignore[arg-type]
    )
    return demand, LinkRef(t.industry, link_id)


def make_demands(
    rng: random.Random, publishers: list[Publisher], n: int
) -> tuple[list[Demand], dict[str, LinkRef]]:
    """``n`` demands spread round-robin over the publishers (about 60% procurement)."""
    demands: list[Demand] = []
    links: dict[str, LinkRef] = {}
    order = list(publishers)
    rng.shuffle(order)
    for i in range(n):
        pub = order[i % len(order)]
        kind = "CG" if rng.random() < 0.6 and pub.template.link(pub.link_id).upstream else "JS"
        code = f"{kind}-{pub.park.short}-2025{i + 1:04d}"
        demand, ref = (procurement if kind == "CG" else technology)(rng, pub, code)
        demands.append(demand)
        links[code] = ref
    return demands, links
