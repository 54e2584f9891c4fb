"""``matcher match``, ``matcher recommend`` and ``matcher eval``: matching from the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from matcher.cli.common import console, open_store, reporting_errors

if TYPE_CHECKING:
    from matcher.engine import Engine
    from matcher.engine.matching import Recommendations, SupplierSearch


def _engine() -> Engine:
    from matcher.engine import Engine  # the encoder and the ranker load only when a command runs

    return Engine(open_store())


def supplier_table(result: SupplierSearch, title: str, *, details: bool = False) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True)
    for header, kw in (
        ("#", {"justify": "right"}),
        ("企业", {}),
        ("园区", {}),
        ("匹配产品", {}),
        ("匹配度", {"justify": "right"}),
        ("理由", {"ratio": 3}),
    ):
        table.add_column(header, **kw)  # type: ignore[arg-type]
    for rank, m in enumerate(result.matches, start=1):
        reason = m.explanation + (f"\n[dim]详情：{m.details}[/]" if details else "")
        table.add_row(str(rank), m.name, m.park or "园区外", m.product, f"{m.score:.1f}", reason)
    table.caption = (
        f"需求解读为：{'、'.join(result.items) or '（整段文本）'}；符合硬性条件 {result.eligible}/{result.pool} 家；"
        f"匹配度 0-100，相关度低于 {result.floor:g} 的企业不列出"
    )
    return table


def print_suppliers(result: SupplierSearch, title: str, *, details: bool = False) -> None:
    """The candidates table, then what kept firms off it and how to relax a condition."""
    console.print(supplier_table(result, title, details=details))
    if result.notice:
        console.print(f"[yellow]{result.notice}[/]")
    for r in result.removed:
        console.print(f"[yellow]放宽此条件：--relax '{r.key}'（{r.label}）[/]")


def match(
    text: Annotated[
        str | None, typer.Argument(help="需求文本，如“为动力电池电芯寻找正极活性材料供应商”")
    ] = None,  # noqa: UP045
    demand: Annotated[Optional[int], typer.Option("--demand", help="已登记需求的编号（id）")] = None,  # noqa: UP045
    top: Annotated[int, typer.Option("--top", min=1, max=200, help="返回条数")] = 10,
    cert: Annotated[list[str], typer.Option("--cert", help="必须具备的资质（可重复）")] = [],  # noqa: B006
    region: Annotated[
        list[str], typer.Option("--region", help="限定地区：省/市/区（可重复，满足其一）")
    ] = [],  # noqa: B006
    park: Annotated[Optional[str], typer.Option(help="限定园区")] = None,  # noqa: UP045
    role: Annotated[list[str], typer.Option("--role", help="限定角色 leading/sme/other（可重复）")] = [],  # noqa: B006
    relax: Annotated[
        list[str],
        typer.Option("--relax", help="放宽的条件，如 'cert:IATF 16949'、regions、park、roles（可重复）"),
    ] = [],  # noqa: B006
    details: Annotated[bool, typer.Option("--details", help="同时列出各通道相似度")] = False,
) -> None:
    """为需求（文本或已登记需求）推荐供应商，附中文理由。"""
    from matcher.ranking.constraints import Constraints

    with reporting_errors():
        if (text is None) == (demand is None):
            raise typer.BadParameter("请给出需求文本，或用 --demand 指定已登记需求（二选一）")
        bad = [r for r in role if r not in ("leading", "sme", "other")]
        if bad:
            raise typer.BadParameter(f"--role 应为 leading/sme/other，实为 {bad[0]!r}")
        constraints = Constraints(tuple(cert), tuple(region), park, tuple(role))
        result = _engine().matching.suppliers_for(
            demand_id=demand, text=text, k=top, constraints=constraints, relax=tuple(relax)
        )
        print_suppliers(result, "候选供应商", details=details)


def recommendation_tables(rec: Recommendations) -> list[Table]:
    buyers = Table(title="推荐买方（龙头企业）", title_justify="left", show_lines=True)
    for header in ("#", "企业", "园区", "相关产品", "匹配度", "理由"):
        buyers.add_column(header)
    for rank, b in enumerate(rec.buyers, start=1):
        buyers.add_row(str(rank), b.name, b.park or "园区外", b.product, f"{b.score:.1f}", b.explanation)
    demands = Table(title="可响应的开放需求", title_justify="left", show_lines=True)
    for header in ("#", "需求", "发布企业", "匹配度", "双向", "理由"):
        demands.add_column(header)
    for rank, d in enumerate(rec.demands, start=1):
        demands.add_row(
            str(rank),
            f"{d.code} {d.title}",
            d.publisher,
            f"{d.score:.1f}",
            f"{d.reciprocal:.1f}",
            d.explanation,
        )
    return [buyers, demands]


def recommend(
    enterprise: Annotated[Optional[int], typer.Option("--enterprise", help="企业编号（id）")] = None,  # noqa: UP045
    text: Annotated[
        str | None, typer.Option("--text", help="或：供应能力描述，如“主营三元前驱体、磷酸铁锂”")
    ] = None,  # noqa: UP045
    top: Annotated[int, typer.Option("--top", min=1, max=200)] = 10,
) -> None:
    """为中小企业推荐买方与可响应的需求。"""
    with reporting_errors():
        if enterprise is None and not text:
            raise typer.BadParameter("请用 --enterprise 指定企业，或用 --text 描述供应能力")
        rec = _engine().matching.buyers_for(enterprise_id=enterprise, text=text, k=top)
        for table in recommendation_tables(rec):
            console.print(table)


def evaluate(
    corpus: Annotated[
        Path,
        typer.Option(
            "--corpus", help="企业画像 JSON Lines：{id, name, industry_l3, products:[{name, weight}]}"
        ),
    ],
    queries: Annotated[
        Path, typer.Option("--queries", help="查询 JSON Lines：{id, type, text, relevant:[ids]}")
    ],
    k: Annotated[int, typer.Option("--k", min=1)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="最后一行输出 JSON 结果")] = False,
    graph: Annotated[
        Path | None, typer.Option("--graph", help="ChainKnowledgeGraph 目录（留出评测对）")
    ] = None,  # noqa: UP045
    encoder: Annotated[str | None, typer.Option("--encoder", help="编码器；默认取 MATCHER_ENCODER")] = None,  # noqa: UP045
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="只评测前 N 条查询")] = None,  # noqa: UP045
) -> None:
    """评测：对整个候选池排序，报告 MRR、Recall@10/50、nDCG@10。"""
    from matcher.evaluation.harness import run_eval
    from matcher.settings import get_settings

    with reporting_errors():
        for path in (corpus, queries, *([graph] if graph else [])):
            if not path.exists():
                raise typer.BadParameter(f"文件或目录不存在：{path}")
        result = run_eval(
            corpus, queries, k=k, graph_dir=graph, encoder=encoder or get_settings().encoder, limit=limit
        )
        if as_json:
            print(json.dumps(result, ensure_ascii=False))
            return
        from matcher.encoders.factory import profile_model

        settings = get_settings()
        used = encoder or settings.encoder
        profiles = profile_model(settings.model_copy(update={"encoder": used})) or "同主编码器"
        title = f"评测：{queries.name}（编码器 {used}，企业画像 {profiles}）"
        table = Table(title=title, title_justify="left")
        for key in result:
            table.add_column(key, justify="right")
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in result.values()))
        console.print(table)
