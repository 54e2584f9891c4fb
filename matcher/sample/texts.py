"""Free text of enterprises: capabilities (工艺、设备、检测能力), capacity, certifications; and units.

Vocabulary is per industry; phrases never name other chain links, so the text does not create local
producers where the sample means a gap.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from matcher.sample.chains import ChainLink, load_templates
from matcher.sample.plan import normalize

PROCESSES: dict[str, tuple[str, ...]] = {
    "新能源汽车": (
        "高温固相烧结",
        "共沉淀合成",
        "涂布辊压",
        "激光焊接",
        "叠片卷绕",
        "真空注液",
        "化成分容",
        "精密冲压",
        "真空压铸",
        "SMT贴装",
        "灌封",
        "EOL下线测试",
        "自动化装配",
    ),
    "集成电路": (
        "超净提纯",
        "精密涂布",
        "薄膜沉积",
        "干法刻蚀",
        "晶圆减薄",
        "倒装焊",
        "凸点制备",
        "可靠性筛选",
        "精密机加工",
        "阳极氧化",
        "数模混合设计",
        "版图验证",
    ),
    "生物医药": (
        "连续流合成",
        "手性拆分",
        "结晶纯化",
        "细胞培养",
        "层析纯化",
        "冻干",
        "无菌灌装",
        "注塑成型",
        "精密挤出",
        "环氧乙烷灭菌",
        "包衣",
        "无菌检查",
    ),
    "光伏": (
        "冷氢化",
        "改良西门子法",
        "直拉拉晶",
        "多线切割",
        "制绒",
        "硼扩散",
        "激光开膜",
        "丝网印刷",
        "层压",
        "串焊",
        "压延成型",
        "钢化镀膜",
    ),
    "工程机械": (
        "机器人焊接",
        "数控加工",
        "整体淬火",
        "感应淬火",
        "砂型铸造",
        "模锻",
        "静电喷涂",
        "精密珩磨",
        "装配调试",
        "液压试验",
        "电泳涂装",
    ),
    "智能装备": (
        "精密磨削",
        "五轴加工",
        "恒温装配",
        "动平衡",
        "伺服调试",
        "运动控制算法",
        "视觉标定",
        "嵌入式开发",
        "激光熔覆",
        "系统集成调试",
        "可靠性试验",
    ),
}
EQUIPMENT: dict[str, tuple[str, ...]] = {
    "新能源汽车": (
        "辊道窑",
        "双面挤压涂布机",
        "激光焊接工作站",
        "全自动叠片机",
        "6000T 压铸岛",
        "SMT 产线",
        "三坐标测量仪",
        "环境试验箱",
    ),
    "集成电路": (
        "超净间（千级）",
        "ICP-MS",
        "晶圆减薄机",
        "SEM 扫描电镜",
        "高低温探针台",
        "X-Ray 检测仪",
        "五轴加工中心",
        "可靠性试验箱",
    ),
    "生物医药": (
        "2000L 一次性生物反应器",
        "连续流反应器",
        "冷冻干燥机",
        "高效液相色谱仪",
        "洁净注塑机",
        "百级洁净灌装线",
        "稳定性试验箱",
    ),
    "光伏": (
        "单晶炉",
        "多线切割机",
        "PECVD",
        "丝网印刷线",
        "层压机",
        "EL 测试仪",
        "IV 测试仪",
        "压延玻璃窑炉",
    ),
    "工程机械": (
        "龙门加工中心",
        "焊接机器人",
        "中频淬火机床",
        "抛丸清理线",
        "液压综合试验台",
        "三坐标测量仪",
        "电泳涂装线",
    ),
    "智能装备": (
        "精密坐标磨床",
        "五轴加工中心",
        "激光干涉仪",
        "恒温装配间",
        "伺服性能测试台",
        "动平衡机",
        "老化试验台",
    ),
}
TESTS: dict[str, tuple[str, ...]] = {
    "新能源汽车": ("电化学性能测试", "ICP 杂质分析", "高低温循环试验", "盐雾试验", "EMC 测试", "气密性检测"),
    "集成电路": ("金属杂质痕量分析", "颗粒度检测", "失效分析", "HTOL 可靠性测试", "晶圆电性测试"),
    "生物医药": ("理化全检", "微生物限度检查", "无菌检查", "细菌内毒素检测", "生物相容性评价"),
    "光伏": ("EL/IV 全检", "PID 测试", "湿热老化试验", "机械载荷试验", "透光率检测"),
    "工程机械": ("超声波探伤", "磁粉探伤", "台架耐久试验", "硬度检测", "涂层附着力检测"),
    "智能装备": ("精度检测", "重复定位精度测试", "寿命试验", "噪声振动测试", "EMC 预测试"),
}
SERVICE_TEXT = ("具备 CMA/CNAS 资质的实验室", "覆盖园区主导产业的服务网络", "专业技术团队", "数字化服务平台")

# (pattern on link name/keywords or GB/T prefix, unit, 万元 per unit) — first match wins.
UNIT_RULES: tuple[tuple[str, str, float], ...] = (
    (
        r"服务|运营|租赁|CRO|CDMO|EPC|工程总承包|平台|运维|流通|零售|设计服务|IP|软件|EDA|回收|再制造",
        "项",
        80.0,
    ),
    (r"硅片|衬底|外延片|掩模|晶圆代工", "片", 0.05),
    (r"靶", "块", 2.0),
    (r"芯片|MCU|SoC|存储|封装测试|功率器件|被动元件", "万颗", 15.0),
    (r"电芯|电池包|储能系统", "GWh", 50_000.0),
    (r"电池片|光伏组件|建筑一体化", "MW", 90.0),
    (r"胶膜|背板|玻璃|隔膜", "万平方米", 15.0),
    (r"疫苗|抗体|重组|血液|注射剂|仿制药|创新药|中成药", "万支", 30.0),
    (r"诊断试剂", "万人份", 8.0),
    (r"整车", "辆", 15.0),
    (r"^G?(09|10|25|26|2710|27|29|30|31|32|3130|3240|3391|3393|3985|3218|3091)", "吨", 3.0),
)


def unit_for(link: ChainLink) -> tuple[str, float]:
    """A plausible unit for quantities of ``link``'s products and its price in 万元 per unit."""
    text = " ".join((link.name, *link.keywords))
    for pattern, unit, price in UNIT_RULES:
        if pattern.startswith("^"):
            if re.match(pattern, "G" + (link.gbt or "")):
                return unit, price
        elif re.search(pattern, text):
            return unit, price
    return ("台", 25.0) if (link.gbt or "").startswith(("34", "35", "3421")) else ("套", 1.5)


def nice(value: float) -> float:
    """Round to two significant digits (plans are never to the unit)."""
    if value < 0.1:
        return 0.1
    digits = len(str(int(value))) - 2
    return float(round(value, -digits)) if digits > 0 else float(round(value, 1))


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def capacity_text(rng: random.Random, link: ChainLink, product: str, revenue: float) -> str:
    unit, price = unit_for(link)
    amount = nice(revenue * rng.uniform(0.6, 1.1) / price)
    if unit == "项":
        return f"年服务能力约 {_fmt(max(amount, 5))} 项，可同时承接 {rng.randint(3, 30)} 个项目"
    lines = rng.randint(1, 8)
    return rng.choice(
        (
            f"年产{product}约 {_fmt(amount)} {unit}",
            f"拥有 {lines} 条产线，设计产能 {_fmt(amount)} {unit}/年",
            f"{product}产能 {_fmt(amount)} {unit}/年，产能利用率约 {rng.randint(55, 95)}%",
        )
    )


@lru_cache(maxsize=1)
def _all_terms() -> tuple[str, ...]:
    return tuple(normalize(term) for t in load_templates().values() for lk in t.links for term in lk.terms)


@lru_cache(maxsize=64)
def _clean(pool: tuple[str, ...]) -> list[str]:
    """Phrases that name no chain link (an equipment word like 单晶炉 is also a link of 光伏)."""
    return [p for p in pool if not any(term in normalize(p) for term in _all_terms())]


def capabilities_text(rng: random.Random, industry: str, link: ChainLink, products: list[str]) -> str:
    """Chinese text on processes, equipment and testing, in one of several phrasings."""
    procs = rng.sample(_clean(PROCESSES[industry]), 2)
    equip = rng.sample(_clean(EQUIPMENT[industry]), 2)
    tests = rng.sample(_clean(TESTS[industry]), 2)
    items = "、".join(products)
    return rng.choice(
        (
            f"专注{link.name}领域，主要产品为{items}。掌握{procs[0]}、{procs[1]}等核心工艺，"
            f"配备{equip[0]}、{equip[1]}等关键设备，具备{tests[0]}和{tests[1]}能力。",
            f"公司从事{items}的研发与生产，核心工艺包括{procs[0]}与{procs[1]}；"
            f"现有{equip[0]}{rng.randint(2, 20)}台（套）及{equip[1]}，检测中心可开展{tests[0]}、{tests[1]}。",
            f"{link.name}配套企业。工艺：{procs[0]}、{procs[1]}；设备：{equip[0]}、{equip[1]}；"
            f"检测：{tests[0]}、{tests[1]}。可按客户需求定制开发。",
        )
    )


def service_capabilities(rng: random.Random, products: list[str]) -> str:
    return (
        f"提供{'、'.join(products)}，拥有{rng.choice(SERVICE_TEXT)}，服务园区企业 {rng.randint(20, 300)} 家。"
    )
