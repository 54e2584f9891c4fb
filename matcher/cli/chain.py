"""``matcher chain``: a park's industrial chains: coverage, gaps and weak links, 链式招商, 融入供应链,
the leading-industry check and chain maps.

The engine is imported inside the commands (it pulls in networkx, NumPy and the templates), so the other
command groups start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from matcher.cli.common import console, open_store, reporting_errors

if TYPE_CHECKING:
    from matcher.engine import Engine
    from matcher.graph import ChainCoverage, Firm, LinkCoverage

app = typer.Typer(
    help="产业链分析：覆盖、缺失与薄弱环节、链式招商、融入供应链、主导产业检查、产业链图谱。",
    no_args_is_help=True,
)

ParkOpt = Annotated[str, typer.Option("--park", help="园区名称")]
IndustryOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--industry", help="只看一个产业链；默认园区的全部主导产业"),
]
STATUS_STYLE = {"covered": "green", "weak": "yellow", "gap": "red"}


def _engine() -> Engine:
    from matcher.engine import Engine

    return Engine(open_store())


def _names(firms: list[Firm], limit: int = 6) -> str:
    shown = escape("、".join(f.name for f in firms[:limit]))
    return shown + (f" 等 {len(firms)} 家" if len(firms) > limit else "")


def _exposed(lc: LinkCoverage) -> str:
    return escape("、".join(f"{e.firm.name}（{e.distance} 级）" for e in lc.exposed)) or "—"


def _where(firm: Firm) -> str:
    """Where an outside firm is: its park, else its region, else the graph it came from."""
    if firm.source != "registry":
        return firm.source
    return firm.park or "".join((firm.province, firm.city)) or "园区外"


def _summary(cov: ChainCoverage) -> str:
    return (
        f"[bold]{cov.industry}[/]：共 {len(cov.links)} 个环节，本地覆盖率 {cov.coverage:.0%}；"
        f"[red]缺失 {len(cov.gaps)}[/]，[yellow]薄弱 {len(cov.weak)}[/]"
    )


def _untemplated(industries: list[str]) -> None:
    if industries:
        console.print(
            f"[yellow]提示：[/]主导产业 {'、'.join(industries)} 尚无产业链模板（data/chains），未分析"
        )


@app.command("coverage")
def coverage(park: ParkOpt, industry: IndustryOpt = None) -> None:
    """各主导产业链逐环节（上游 → 下游）的本地覆盖：状态、本地生产企业、园区外生产企业数。"""
    with reporting_errors():
        chains = _engine().chain.park_chains(park, industry=industry)
        for cov in chains.coverages:
            table = Table(title=f"{park} · {cov.industry}产业链覆盖", title_justify="left")
            for header in ("编号", "环节", "阶段", "状态", "本地企业", "园区外"):
                table.add_column(header, overflow="fold", no_wrap=header == "编号")
            for lc in cov.links:
                style = STATUS_STYLE[lc.status.value]
                table.add_row(
                    lc.node.rsplit("/", 1)[-1],
                    lc.name,
                    lc.stage,
                    f"[{style}]{lc.status.label}[/]",
                    _names([p.firm for p in lc.local]) or "—",
                    str(len({p.firm.id for p in lc.outside})),
                )
            console.print(table)
            console.print(_summary(cov))
        _untemplated(chains.untemplated)


@app.command("gaps")
def gaps(park: ParkOpt, industry: IndustryOpt = None) -> None:
    """缺失环节（无本地生产企业）与薄弱环节（仅 1 家本地企业），及受影响的龙头企业（下游级数）。"""
    with reporting_errors():
        chains = _engine().chain.park_chains(park, industry=industry)
        for cov in chains.coverages:
            console.print(_summary(cov))
            for kind, links in (("缺失环节", cov.gaps), ("薄弱环节", cov.weak)):
                table = Table(title=f"{cov.industry} · {kind}（{len(links)}）", title_justify="left")
                for header in ("编号", "环节", "阶段", "说明", "受影响的龙头企业"):
                    table.add_column(header, overflow="fold", no_wrap=header == "编号")
                for lc in links:
                    table.add_row(lc.node.rsplit("/", 1)[-1], lc.name, lc.stage, lc.note, _exposed(lc))
                console.print(table)
        _untemplated(chains.untemplated)


@app.command("recruit")
def recruit(
    park: ParkOpt,
    industry: IndustryOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="每个缺失环节列出的候选企业数")] = 5,
    graph: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--graph", help="产业链知识图谱目录（ChainKnowledgeGraph 格式），其企业一并作为候选"),
    ] = None,
) -> None:
    """链式招商：每个缺失环节的园区外候选企业（登记库或知识图谱），按得分排序并说明理由。"""
    with reporting_errors():
        if graph is not None and not graph.is_dir():
            raise typer.BadParameter(f"--graph 目录不存在：{graph}")
        rows = _engine().chain.chain_recruitment(park, industry=industry, top=top, graph=graph)
        if not rows:
            console.print(f"{park} 的主导产业链没有缺失环节，无需链式招商")
        for gap in rows:
            console.print(
                f"\n[bold]{gap.industry} · {gap.link.name}[/]（{gap.link.stage}，缺失）"
                f"受影响的龙头企业：{_exposed(gap.link)}"
            )
            if not gap.candidates:
                console.print("  [dim]登记库中园区外也无生产企业：可用 --graph 载入产业链知识图谱扩大范围[/]")
                continue
            table = Table()
            for header in ("名次", "企业", "所在", "得分（0-100）", "理由"):
                table.add_column(header, overflow="fold")
            for rank, c in enumerate(gap.candidates, 1):
                reasons = escape("；".join(c.reasons))
                table.add_row(
                    str(rank), escape(c.firm.name), escape(_where(c.firm)), f"{c.score:g}", reasons
                )
            console.print(table)


@app.command("integrate")
def integrate(park: ParkOpt, industry: IndustryOpt = None) -> None:
    """融入供应链：每家本地龙头企业的直接上游环节，园区内可配套的中小企业及其梯度层级。"""
    with reporting_errors():
        for chain in _engine().chain.chain_integration(park, industry=industry):
            table = Table(title=f"{park} · {chain.industry} · 融入龙头供应链", title_justify="left")
            for header in ("龙头企业", "龙头环节", "上游环节", "本地可配套中小企业（层级 · 产品）"):
                table.add_column(header, overflow="fold")
            for row in chain.rows:
                smes = escape(
                    "\n".join(f"{s.firm.name}（{s.tier_label} · {s.product}）" for s in row.suppliers)
                )
                table.add_row(
                    escape(row.leading.name), row.link, row.upstream, smes or "[red]园区内暂无，见链式招商[/]"
                )
            if not chain.rows:
                table.caption = "园区内没有处于该产业链的龙头企业"
            console.print(table)


@app.command("check")
def check(park: ParkOpt) -> None:
    """主导产业检查：不超过 3 个主导产业（《工业园区高质量发展指引》），企业是否集中在主导产业链之外。"""
    with reporting_errors():
        found = _engine().chain.chain_check(park)
        industries = found.park.leading_industries
        console.print(f"{park}：主导产业 {len(industries)} 个（{'、'.join(industries) or '未填写'}）")
        console.print(f"处于主导产业链上的企业占 {found.check.in_chains:.0%}")
        for problem in found.check.problems:
            console.print(f"[bold yellow]警告：[/]{problem}")
        if found.check.ok:
            console.print("[green]符合[/]：主导产业不超过 3 个，企业集中在主导产业链上")
        if found.check.top_outside:
            rest = "、".join(f"{name} {n} 家" for name, n in found.check.top_outside)
            console.print(f"主导产业链之外的企业主要在：{rest}")
        _untemplated(found.untemplated)


@app.command("map")
def map_(
    park: ParkOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出目录：每个产业链写 .html 与 .svg")],
    industry: IndustryOpt = None,
) -> None:
    """产业链图谱：环节按覆盖着色（已覆盖、薄弱、缺失），交互式 HTML 页面与静态 SVG。"""
    with reporting_errors():
        if output.exists() and not output.is_dir():
            raise typer.BadParameter(f"--output 应为目录，实为文件：{output}")
        for html, svg in _engine().chain.save_chain_maps(park, output, industry=industry):
            console.print(f"[green]已写入[/] {html}  {svg}")
