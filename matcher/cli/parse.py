"""``matcher parse``: how the matcher reads a demand (items, line items, roles, requirements)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from matcher.cli.common import console, reporting_errors
from matcher.text.demand import MAX_DEMAND_CHARS, Understanding, understand_demand

KINDS = {"standard": "标准/认证", "quantity": "数量", "date": "日期", "spec": "规格指标"}


def understanding_table(u: Understanding) -> Table:
    table = Table(title="需求解读", title_justify="left", show_header=False, show_lines=True)
    table.add_column("项", style="bold")
    table.add_column("内容", ratio=3)
    table.add_row("所需物品", "、".join(u.items) or "（未识别，按整段语义检索）")
    for li in u.line_items:
        reqs = "；".join(r.text for r in li.requirements)
        table.add_row(f"第 {li.number} 项", "，".join(p for p in (li.name, li.detail, reqs) if p))
    table.add_row("检索文本", u.focus or "（空）")
    table.add_row("需方自身业务", "；".join(u.context) or "—")
    table.add_row("排除", "、".join(u.exclusions) or "—")
    reqs = "；".join(f"{KINDS[r.kind]} {r.text}" for r in u.requirements)
    table.add_row("要求", reqs or "—")
    return table


def parse(
    text: Annotated[str, typer.Argument(help="需求文本；为 - 时从标准输入读取（可含多行采购计划表）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """显示需求解读：所需物品、计划行项目、需方自身业务、排除项与数量/规格/标准等要求。"""
    with reporting_errors():
        if text == "-":
            text = sys.stdin.read()
        if not text.strip():
            raise typer.BadParameter("需求文本为空：请给出一段需求描述")
        if len(text) > MAX_DEMAND_CHARS:
            raise typer.BadParameter(f"需求文本过长（{len(text)} 字），最多 {MAX_DEMAND_CHARS} 字")
        u = understand_demand(text)
        if as_json:
            out = u._asdict()
            out["line_items"] = [
                li._asdict() | {"requirements": [r._asdict() for r in li.requirements]} for li in u.line_items
            ]
            out["requirements"] = [r._asdict() for r in u.requirements]
            print(json.dumps(out, ensure_ascii=False))
            return
        console.print(understanding_table(u))
