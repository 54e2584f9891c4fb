"""Write the import templates in data/templates/: one CSV per kind and one XLSX with three sheets.

Each template has the Chinese headers and a few example rows that import cleanly into an empty store.
Run after changing a domain model: ``python data/make_templates.py`` (a test checks they are current).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path

from matcher.domain import Demand, Enterprise, Park, Product
from matcher.io.columns import KIND_LABELS, KINDS, columns
from matcher.io.exporter import render, write_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "data-formats.md"

PARKS = [
    Park(
        name="示例新能源产业园",
        province="江苏省",
        city="常州市",
        district="武进区",
        leading_industries=["新能源汽车", "光伏"],
    ),
]
ENTERPRISES = [
    Enterprise(
        uscc="91320412MA1XK8QL0Y",
        name="示例动力电池股份有限公司",
        park="示例新能源产业园",
        province="江苏省",
        city="常州市",
        district="武进区",
        industry_code="3841",
        role="leading",
        products=[Product(name="动力电池电芯", share=0.72), Product(name="储能电池系统", share=0.2)],
        capabilities="方形铝壳电芯卷绕与叠片，化成分容，PACK 集成",
        certifications=["ISO 9001", "IATF 16949", "ISO 14001"],
        capacity="年产 30 GWh",
        indicators={
            "year": 2024,
            "employees": 5200,
            "revenue": 1250000.0,
            "rd_expense": 62000.0,
            "rd_staff": 900,
        },
        contact={"person": "王经理", "phone": "0519-00000000", "email": "purchase@example.com"},
    ),
    Enterprise(
        uscc="91320412MA1YR2CJ0E",
        name="示例正极材料科技有限公司",
        park="示例新能源产业园",
        province="江苏省",
        city="常州市",
        district="武进区",
        industry_code="3985",
        role="sme",
        tier="specialized",
        products=[Product(name="高镍三元正极材料", share=0.8), Product(name="磷酸铁锂", share=0.15)],
        capabilities="前驱体共沉淀、高温固相烧结、表面包覆改性；具备 ICP、XRD 检测能力",
        certifications=["ISO 9001", "IATF 16949"],
        capacity="年产正极材料 2 万吨",
        indicators={
            "year": 2024,
            "employees": 260,
            "revenue": 38000.0,
            "revenue_growth": 18.5,
            "rd_expense": 1520.0,
            "rd_staff": 46,
            "debt_ratio": 52.0,
            "patents": {"invention": 6, "utility_model": 21},
        },
    ),
]
DEMANDS = [
    Demand(
        code="XQ-2025-0001",
        kind="procurement",
        title="采购高镍三元正极材料",
        publisher_uscc="91320412MA1XK8QL0Y",
        description="用于 NCM811 动力电池电芯，要求批次一致性好",
        product="高镍三元正极材料",
        spec="NCM811，比容量 ≥ 200 mAh/g",
        quantity=1200,
        unit="吨",
        budget_min=18000,
        budget_max=24000,
        delivery_date="2025-12-31",
        required_certifications=["IATF 16949"],
        preferred_regions=["江苏省", "浙江省"],
        deadline="2025-09-30",
    ),
    Demand(
        code="XQ-2025-0002",
        kind="technology",
        title="电芯极片涂布缺陷在线检测",
        publisher_uscc="91320412MA1XK8QL0Y",
        problem="涂布工序针孔、划痕等缺陷依赖人工抽检，漏检率高",
        target_indicators="检出率 ≥ 99.5%，误报率 ≤ 0.5%，线速 80 m/min",
        cooperation_mode="先试首用",
        deadline="2025-10-31",
    ),
]


def format_doc() -> str:
    """docs/data-formats.md: every column of every kind, with both headers and what it holds."""
    lines = [
        "# 数据格式（导入与导出）",
        "",
        "由 `python data/make_templates.py` 依据领域模型生成，请勿手工编辑。中文列名与英文列名均可导入，",
        "大小写与空格不敏感；带 * 的列为必填。列表用“；”分隔（导入时也接受 ; 、 , ，），产品写作",
        "`名称:占比`（占比为小数或百分数，如 `正极材料:0.6` 或 `正极材料:60%`），金额单位为万元，",
        "枚举列填中文标签或英文取值，布尔列填“是/否”。",
        "",
    ]
    for kind in KINDS:
        lines += [f"## {KIND_LABELS[kind]}（{kind}）", "", "| 中文列名 | 英文列名 | 类型 |", "|---|---|---|"]
        for col in columns(kind):
            lines.append(f"| {col.zh}{' *' if col.required else ''} | `{col.en}` | {_type_name(col.type)} |")
        lines.append("")
    return "\n".join(lines)


def _type_name(tp: object) -> str:
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "枚举：" + "、".join(getattr(m, "label", str(m.value)) for m in tp)
    names = {str: "文本", int: "整数", float: "数字", bool: "是/否", dt.date: "日期 YYYY-MM-DD"}
    if tp in names:
        return names[tp]  # type: ignore[index]
    return "产品列表 名称:占比" if "Product" in str(tp) else "列表"


def main() -> None:
    DOCS.write_text(format_doc(), encoding="utf-8")
    batches = {"parks": PARKS, "enterprises": ENTERPRISES, "demands": DEMANDS}
    for kind, records in batches.items():
        write_atomic(TEMPLATES / f"{kind}.csv", render({kind: records}, "csv"))  # type: ignore[dict-item]
    write_atomic(TEMPLATES / "import_template.xlsx", render(batches, "xlsx"))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
