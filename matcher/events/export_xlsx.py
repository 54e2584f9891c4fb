"""XLSX exports in Chinese: the organizer's master schedule, participants' agendas, the shortlists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matcher.domain.models import Role
from matcher.events.agenda import agenda_rows, meeting_label
from matcher.events.model import Event
from matcher.events.schedule import Schedule
from matcher.events.shortlists import Shortlists
from matcher.io.sheets import safe_cell
from matcher.ranking.relevance import points

HEAD = PatternFill("solid", fgColor="DDEBF7")


def export_master_xlsx(event: Event, schedule: Schedule, path: str | Path) -> Path:
    """总排程: a slots x tables grid, the meeting list, and one row per leading firm by slot."""
    wb = Workbook()
    grid = wb.active
    assert grid is not None
    grid.title = "总排程"
    slots, people = event.slots(), event.by_id
    cell = {(m.slot, m.table_id): meeting_label(event, m.buyer_id, m.sme_id) for m in schedule.meetings}
    _rows(
        grid,
        ["时段", *[t.display for t in event.tables]],
        [[s.label, *[cell.get((s.number, t.id), "") for t in event.tables]] for s in slots],
    )
    listing = wb.create_sheet("洽谈清单")
    _rows(
        listing,
        ["时段", "桌号", "龙头企业", "中小企业", "必须见", "匹配分值"],
        [
            [
                slots[m.slot].label,
                event.table_name(m.table_id),
                people[m.buyer_id].name,
                people[m.sme_id].name,
                "是" if m.must else "",
                m.value,
            ]
            for m in schedule.meetings
        ],
    )
    by_buyer = wb.create_sheet("龙头企业日程")
    who = {
        (m.buyer_id, m.slot): f"{people[m.sme_id].name}（{event.table_name(m.table_id)}）"
        for m in schedule.meetings
    }
    _rows(
        by_buyer,
        ["龙头企业", *[s.label for s in slots]],
        [[b.name, *[who.get((b.id, s.number), "") for s in slots]] for b in event.of_role(Role.LEADING)],
    )
    summary = wb.create_sheet("求解信息")
    st = schedule.stats
    _rows(
        summary,
        ["项目", "数值"],
        [
            ["求解器", st.solver],
            ["状态", st.status],
            ["目标值", st.objective],
            ["上界", st.bound],
            ["相对差距", st.gap],
            ["用时（秒）", st.seconds],
            ["洽谈场数", len(schedule.meetings)],
            ["未满足的必须见", len(schedule.unmet_musts)],
            ["未达最少洽谈数的中小企业", len(schedule.sme_shortfall)],
        ],
    )
    return _save(wb, path)


def export_agendas_xlsx(
    event: Event, schedule: Schedule, path: str | Path, participant_ids: Iterable[str] | None = None
) -> Path:
    """个人日程: one sheet per participant (all leading firms and SMEs unless ``participant_ids``)."""
    ids = (
        list(participant_ids)
        if participant_ids is not None
        else [p.id for p in event.participants if p.role in (Role.LEADING, Role.SME)]
    )
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for pid in ids:
        person = event.by_id[pid]
        ws = wb.create_sheet(_sheet_name(f"{pid} {person.name}", used))
        ws.append([safe_cell(f"{event.name} · {person.name} 洽谈日程")])
        ws["A1"].font = Font(bold=True, size=14)
        _rows(
            ws,
            ["时间", "桌号", "洽谈对象", "对象类型", "匹配理由", "必须见"],
            [
                [
                    f"{r.start:%m月%d日} {r.time}",
                    r.table,
                    r.counterpart,
                    r.counterpart_role,
                    r.reasons,
                    "是" if r.must else "",
                ]
                for r in agenda_rows(event, schedule, pid)
            ],
            start_row=2,
        )
    return _save(wb, path)


def export_shortlists_xlsx(event: Event, lists: Shortlists, path: str | Path) -> Path:
    """会前推荐名单: each leading firm's ranked SMEs and each SME's buyers, with reasons, for review."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "龙头企业推荐名单"
    _rows(
        ws,
        ["龙头企业", "排名", "中小企业", "匹配分", "龙头意愿", "中小企业意愿", "推荐理由"],
        _short(event, lists.by_buyer, buyer_side=True),
    )
    ws2 = wb.create_sheet("中小企业推荐名单")
    _rows(
        ws2,
        ["中小企业", "排名", "龙头企业", "匹配分", "龙头意愿", "中小企业意愿", "推荐理由"],
        _short(event, lists.by_sme, buyer_side=False),
    )
    return _save(wb, path)


def _short(event: Event, lists: dict[str, Any], *, buyer_side: bool) -> list[list[Any]]:
    rows, people = [], event.by_id
    for owner, entries in lists.items():
        for e in entries:
            rows.append(
                [
                    people[owner].name,
                    e.rank,
                    people[e.counterpart_id].name,
                    points(e.score),
                    e.buyer_level.label if e.buyer_level else "",
                    e.sme_level.label if e.sme_level else "",
                    "；".join(e.reasons),
                ]
            )
    return rows


def _rows(ws: Worksheet, header: list[str], rows: Sequence[Sequence[Any]], start_row: int = 1) -> None:
    for j, title in enumerate(header, start=1):
        c = ws.cell(row=start_row, column=j, value=safe_cell(title))
        c.font, c.fill = Font(bold=True), HEAD
        ws.column_dimensions[get_column_letter(j)].width = 14 if j == 1 else 24
    for i, row in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=safe_cell(value)).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=start_row + 1, column=2)


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]
    out, n = clean, 1
    while out in used:
        n += 1
        out = f"{clean[:27]}~{n}"
    used.add(out)
    return out


def _save(wb: Workbook, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
