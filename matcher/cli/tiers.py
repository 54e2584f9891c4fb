"""``matcher tiers``: assess enterprises against the 梯度培育 criteria, keep dated history, write park reports.

The engine is imported inside the commands: it pulls in NumPy, openpyxl and the criteria, which the other
command groups do not need at start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from matcher.cli.common import console, open_store, reporting_errors
from matcher.domain import Tier

if TYPE_CHECKING:
    from matcher.engine import Engine, ProgressFn
    from matcher.tiers import Assessment

app = typer.Typer(
    help="梯度培育：评估层级、得分与差距，保存历史，输出园区报告与金字塔图。", no_args_is_help=True
)

ParkOpt = Annotated[Optional[str], typer.Option("--park", help="园区名称；默认评估全部企业")]  # noqa: UP045
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="评估日期 YYYY-MM-DD；默认今天")]  # noqa: UP045
OverridesOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--criteria-overrides", help="园区覆盖文件（YAML），改阈值、分值或启停规则"),
]


def _engine() -> Engine:
    from matcher.engine import Engine

    return Engine(open_store())


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--as-of 应为 YYYY-MM-DD 格式的日期，实为 {text!r}") from None


def _overrides(path: Path | None) -> Path | None:
    if path is not None and not path.is_file():
        raise typer.BadParameter(f"--criteria-overrides 文件不存在：{path}")
    return path


@contextmanager
def progress_bar(description: str) -> Iterator[ProgressFn]:
    """A transient rich progress bar; yields the ``on_progress(done, total)`` callback the engine calls."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def points_text(a: Assessment) -> str:
    """``65（创新型）``, or the possible range when data is missing: ``8–88（专精特新，缺失）``."""
    from matcher.tiers.gaps import fmt
    from matcher.tiers.summary import points_of

    table, points, lo, hi = points_of(a)
    if lo is None or hi is None:
        return ""
    if points is not None:
        return f"{fmt(points)}（{table.short_label}）"
    return f"{fmt(lo)}–{fmt(hi)}（{table.short_label}，缺失）"


def _counts_line(counts: dict[Tier, int]) -> str:
    return "，".join(f"{t.short_label} {n}" for t, n in counts.items() if n)


@app.command("assess")
def assess_(
    park: ParkOpt = None,
    as_of: AsOfOpt = None,
    criteria_overrides: OverridesOpt = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="只显示，不保存到历史")] = False,
    limit: Annotated[int, typer.Option(min=0, help="表格最多列出的企业数")] = 50,
) -> None:
    """评估梯度层级：列出已认定层级、评估层级、评价得分与主要差距；默认按评估日期保存（同日重评覆盖）。"""
    from matcher.tiers.summary import main_gap

    with reporting_errors():
        day, overrides = _date(as_of), _overrides(criteria_overrides)
        with progress_bar("评估梯度层级") as on_progress:
            run = _engine().tiers.assess_tiers(
                park=park, as_of=day, overrides=overrides, save=not no_save, on_progress=on_progress
            )
        table = Table(title=f"梯度评估（{park or '全部企业'}，{run.as_of}，标准 {run.criteria_version}）")
        for header in ("企业", "已认定层级", "评估层级", "评价得分", "主要差距"):
            table.add_column(header, overflow="fold")
        for a, declared in list(zip(run.assessments, run.declared, strict=True))[:limit]:
            table.add_row(a.name, declared.short_label, a.tier.short_label, points_text(a), main_gap(a))
        if len(run.assessments) > limit:
            table.caption = f"另有 {len(run.assessments) - limit} 家未列出；完整结果用 matcher tiers report"
        if limit:
            console.print(table)
        console.print(f"共 {len(run.assessments)} 家：{_counts_line(run.counts()) or '无'}")
        if run.saved is not None:
            console.print(f"[green]已保存[/]评估记录：新增 {run.saved.created}，更新 {run.saved.updated}")


@app.command("report")
def report(
    park: Annotated[str, typer.Option("--park", help="园区名称")],
    output: Annotated[Path, typer.Option("--output", "-o", help="报告文件（.xlsx）")],
    chart: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--chart", help="金字塔图（.png 或 .svg）；PNG 同时嵌入报告"),
    ] = None,
    as_of: AsOfOpt = None,
    criteria_overrides: OverridesOpt = None,
) -> None:
    """园区梯度培育报告：每家企业的层级、得分与差距，培育梯队，历年金字塔（不写入历史）。"""
    with reporting_errors():
        if output.suffix.lower() != ".xlsx":
            raise typer.BadParameter(f"--output 应为 .xlsx 文件，实为 {output.name!r}")
        if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
            raise typer.BadParameter(f"--chart 应为 .png 或 .svg 文件，实为 {chart.name!r}")
        day, overrides = _date(as_of), _overrides(criteria_overrides)
        with progress_bar("评估梯度层级") as on_progress:
            done = _engine().tiers.tier_report(
                park, output, chart=chart, as_of=day, overrides=overrides, on_progress=on_progress
            )
        console.print(f"[green]已写入报告[/] {done.path}：{len(done.run.assessments)} 家企业")
        console.print(f"当前层级：{_counts_line(done.run.counts()) or '无'}")
        if done.chart is not None:
            console.print(f"[green]金字塔图[/] {done.chart}")


@app.command("history")
def history(
    enterprise: Annotated[str, typer.Option("--enterprise", help="企业编号或统一社会信用代码")],
) -> None:
    """一家企业历次评估：日期、层级、得分、标准版本与当时的主要差距。"""
    from matcher.tiers import tier_paths
    from matcher.tiers.gaps import fmt

    with reporting_errors():
        key: int | str = int(enterprise) if enterprise.isdigit() and len(enterprise) < 18 else enterprise
        rows = _engine().tiers.tier_history(key)
        if not rows:
            console.print(f"企业 {enterprise} 尚无评估记录：先运行 matcher tiers assess")
            return
        table = Table(title=f"{rows[0].name}（{rows[0].uscc}）评估历史")
        for header in ("评估日期", "层级", "评价得分", "标准版本", "主要差距"):
            table.add_column(header, overflow="fold")
        for r in rows:
            points = "" if r.points is None else fmt(r.points)
            table.add_row(
                str(r.as_of), r.tier.short_label, points, r.criteria_version, r.detail.get("main_gap", "")
            )
        console.print(table)
        path = tier_paths(r.record for r in rows)[rows[0].uscc]
        console.print("层级路径：" + " → ".join(f"{year} {tier.short_label}" for year, tier in path))


@app.command("support")
def support(
    enterprise: Annotated[int, typer.Option("--enterprise", help="企业编号（id）")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="评估日期 YYYY-MM-DD（默认今天）")] = None,
) -> None:
    """精准培育：距下一层级最便宜补齐的差距，以及可对接的龙头企业开放需求。"""
    with reporting_errors():
        with console.status("评估并匹配可响应的需求…"):
            plan = _engine().tiers.tier_support(enterprise, as_of=_date(as_of))
        nxt = plan.next_tier.label if plan.next_tier else "（已是最高层级）"
        console.print(f"[bold]{plan.name}[/]：当前 {plan.tier.label}，下一层级 {nxt}")
        for i, step in enumerate(plan.steps, start=1):
            console.print(f"  {i}. {step}", highlight=False)
