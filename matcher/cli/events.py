"""``matcher event ...``: 供需对接会 from a definition file to shortlists, schedule, exports, outcomes, report.

matcher event create data/sample/event.yaml
matcher event schedule JN-20250716 --time-limit 20
matcher event export JN-20250716 --what master --output 总排程.xlsx
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.cli.common import console, open_store, reporting_errors
from matcher.events.definition import EVENT_EXPORTS, OUTCOME_RESULTS
from matcher.events.outcomes import OutcomeKind

if TYPE_CHECKING:
    from matcher.engine import Engine
    from matcher.events import Schedule

app = typer.Typer(
    help="供需对接会：创建、推荐名单、排程、导出、现场调整、结果记录与总结。", no_args_is_help=True
)
EventCode = Annotated[str, typer.Argument(help="对接会编号（定义文件中的 id）")]


def _engine() -> Engine:
    from matcher.engine import Engine  # the engine (and OR-Tools) load only when a command runs

    return Engine(open_store())


@app.command("create")
def create(
    file: Annotated[
        Path, typer.Argument(help="对接会定义文件（.yaml / .yml / .json，格式见 docs/events.md）")
    ],
    replace: Annotated[bool, typer.Option("--replace", help="同编号已存在时覆盖")] = False,
) -> None:
    """由定义文件创建对接会（参会企业按统一社会信用代码从企业库补全名称与角色）。"""
    with reporting_errors():
        stored = _engine().events.create_event(file, replace=replace)
        ev = stored.event
        console.print(f"[green]已创建[/]对接会 {stored.code}：{ev.name}")
        console.print(
            f"  园区 {stored.park or '—'}；{len(ev.sessions)} 个场次、{ev.slot_count} 个时段、"
            f"{len(ev.tables)} 张洽谈桌；参会企业 {len(ev.participants)} 家；意愿 {len(ev.preferences)} 条"
        )


@app.command("shortlist")
def shortlist(
    event: EventCode,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="推荐名单 XLSX")] = None,
    per_buyer: Annotated[int, typer.Option(min=1, help="每家龙头企业推荐的中小企业数")] = 20,
    per_sme: Annotated[int, typer.Option(min=1, help="每家中小企业推荐的龙头企业数")] = 5,
) -> None:
    """为双方生成会前推荐名单（评分后保存为排程候选），可导出 XLSX 供审核。"""
    with reporting_errors():
        engine = _engine()
        lists = engine.events.shortlist_event(event, per_buyer=per_buyer, per_sme=per_sme)
        pairs = sum(len(v) for v in lists.by_buyer.values())
        console.print(
            f"推荐名单：龙头企业 {len(lists.by_buyer)} 家共 {pairs} 条，中小企业 {len(lists.by_sme)} 家"
        )
        if output is not None:
            engine.events.export_event(event, "shortlists", output)
            console.print(f"[green]已导出[/] {output}")


def _print_stats(schedule: Schedule) -> None:
    st = schedule.stats
    table = Table(title="排程结果", title_justify="left", show_header=False)
    gap = "—" if st.gap is None else f"{st.gap:.4%}"
    for label, value in (
        ("状态", st.status),
        ("目标值", st.objective),
        ("上界", st.bound),
        ("相对差距", gap),
        ("用时（秒）", st.seconds),
        ("洽谈场数", len(schedule.meetings)),
        ("满足的必须见", st.musts_met),
        ("候选组合", st.pairs_considered),
    ):
        table.add_row(label, str(value))
    console.print(table)
    for miss in schedule.unmet_musts:
        console.print(f"  [yellow]未满足的必须见[/]：{miss.buyer_id} × {miss.sme_id}（{miss.reason}）")
    short = schedule.sme_shortfall
    console.print(
        f"  未达最少洽谈数的中小企业：{len(short)} 家" + (f"（{'、'.join(sorted(short))}）" if short else "")
    )


def _solving(label: str) -> Progress:
    return Progress(SpinnerColumn(), TextColumn(label), TimeElapsedColumn(), console=console, transient=True)


@app.command("schedule")
def schedule(
    event: EventCode,
    time_limit: Annotated[float, typer.Option(min=1.0, help="CP-SAT 求解时限（秒）")] = 20.0,
    min_meetings: Annotated[int | None, typer.Option(min=0, help="每家中小企业至少洽谈次数 k")] = None,
) -> None:
    """用 CP-SAT 排程（必要时先生成推荐名单），保存为新版本并打印目标值、上界与差距。"""
    with reporting_errors():
        with _solving(f"CP-SAT 求解中（时限 {time_limit:g} 秒）") as progress:
            progress.add_task("solve")
            stored = _engine().events.schedule_event(event, time_limit=time_limit, min_meetings=min_meetings)
        console.print(f"[green]已保存[/]第 {stored.version} 版排程")
        _print_stats(stored.schedule)


@app.command("export")
def export(
    event: EventCode,
    what: Annotated[str, typer.Option(help=f"导出内容：{' / '.join(EVENT_EXPORTS)}")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件（ics 且未指定企业时为目录）")],
    participant: Annotated[
        str | None, typer.Option(help="只导出该企业（编号、统一社会信用代码或名称）")
    ] = None,
    version: Annotated[int | None, typer.Option(help="排程版本，默认最新")] = None,
) -> None:
    """导出总排程 / 个人日程（XLSX、ICS、可打印 HTML）/ 桌卡 / 推荐名单。"""
    with reporting_errors():
        if what not in EVENT_EXPORTS:
            raise typer.BadParameter(f"--what 应为 {'/'.join(EVENT_EXPORTS)}，实为 {what!r}")
        paths = _engine().events.export_event(event, what, output, participant=participant, version=version)
        shown = output if len(paths) > 1 else paths[0]
        console.print(f"[green]已导出[/] {shown}" + (f"（{len(paths)} 个文件）" if len(paths) > 1 else ""))


def _arrival(text: str) -> tuple[str, int]:
    who, sep, slot = text.rpartition("=")
    if not sep or not who or not slot.isdigit():
        raise typer.BadParameter(f"--arrival 应为 编号=时段，如 B03=6，实为 {text!r}")
    return who, int(slot)


@app.command("replan")
def replan(
    event: EventCode,
    from_slot: Annotated[int, typer.Option(min=0, help="从该时段起重新排程（此前已举行的洽谈保持不变）")],
    no_show: Annotated[list[str] | None, typer.Option(help="未到场的企业，可多次给出")] = None,
    arrival: Annotated[
        list[str] | None, typer.Option(help="迟到企业及到场时段，如 B03=6，可多次给出")
    ] = None,
    time_limit: Annotated[float, typer.Option(min=1.0, help="CP-SAT 求解时限（秒）")] = 10.0,
) -> None:
    """现场调整：按缺席与迟到重排剩余时段，保存为新版本。"""
    with reporting_errors():
        arrivals = dict(_arrival(a) for a in arrival or [])
        with _solving("重新排程中") as progress:
            progress.add_task("replan")
            stored, result = _engine().events.replan_event(
                event, from_slot=from_slot, no_shows=no_show or [], arrivals=arrivals, time_limit=time_limit
            )
        console.print(
            f"[green]已保存[/]第 {stored.version} 版排程：保留已举行 {len(result.held)} 场，"
            f"取消或改排 {len(result.dropped)} 场"
        )
        _print_stats(stored.schedule)


@app.command("outcome")
def outcome(
    event: EventCode,
    buyer: Annotated[str, typer.Option(help="龙头企业（编号、统一社会信用代码或名称）")],
    sme: Annotated[str, typer.Option(help="中小企业（编号、统一社会信用代码或名称）")],
    result: Annotated[str, typer.Option(help="意向 / 试用 / 签约 / 无 / 未举行")],
    note: Annotated[str, typer.Option(help="备注")] = "",
) -> None:
    """记录一场洽谈的结果（同一组合再次记录即更正），供排序模型学习。"""
    with reporting_errors():
        if result not in OUTCOME_RESULTS:
            raise typer.BadParameter(f"--result 应为 {'/'.join(OUTCOME_RESULTS)}，实为 {result!r}")
        kind = OUTCOME_RESULTS[result]
        saved = _engine().events.record_event_outcome(
            event, buyer=buyer, sme=sme, kind=kind or OutcomeKind.NONE, held=kind is not None, note=note
        )
        console.print(f"[green]已记录[/]{saved.buyer_id} × {saved.sme_id}（时段 {saved.slot + 1}）：{result}")


@app.command("report")
def report(event: EventCode) -> None:
    """对接会总结：计划与实际洽谈、意向、试用、签约，按龙头企业分列。"""
    with reporting_errors():
        engine = _engine()
        rep = engine.events.event_report(event)
        names = {p.id: p.name for p in engine.events.event(event).event.participants}
        for line in rep.lines():
            console.print(line)
        if rep.by_buyer:
            table = Table(title="按龙头企业", title_justify="left")
            for header in ("龙头企业", "结果"):
                table.add_column(header)
            for buyer, counts in sorted(rep.by_buyer.items()):
                table.add_row(names.get(buyer, buyer), "，".join(f"{k} {n}" for k, n in counts.items()))
            console.print(table)
