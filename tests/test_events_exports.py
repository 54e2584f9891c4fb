"""Exports open: XLSX reads back with openpyxl, .ics parses with icalendar, HTML renders in Chromium."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
from openpyxl import load_workbook

from matcher.domain.models import Role
from matcher.events import (
    Event,
    Participant,
    Schedule,
    agenda_ics,
    build_shortlists,
    export_agendas_xlsx,
    export_master_xlsx,
    export_shortlists_xlsx,
    render_agendas_html,
    render_table_cards_html,
    solve_schedule,
    synthetic_event,
    write_html,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def planned() -> tuple[Event, Schedule]:
    event = synthetic_event(4, 12, 4, 3, seed=5, per_buyer=8, per_sme=2)
    # a name that must be escaped in HTML
    people = [p.model_copy(update={"name": "<b>鑫&源</b>精密"}) if p.id == "S000" else p
              for p in event.participants]
    event = event.model_copy(update={"participants": people})
    return event, solve_schedule(event, time_limit=10, workers=1)


def test_master_xlsx_reads_back(planned: tuple[Event, Schedule], tmp_path: Path) -> None:
    event, plan = planned
    wb = load_workbook(export_master_xlsx(event, plan, tmp_path / "总排程.xlsx"))
    assert wb.sheetnames == ["总排程", "洽谈清单", "龙头企业日程", "求解信息"]
    grid = wb["总排程"]
    assert grid.cell(1, 1).value == "时段" and grid.cell(1, 2).value == "1号桌"
    m = plan.meetings[0]
    row, col = m.slot + 2, [t.id for t in event.tables].index(m.table_id) + 2
    assert grid.cell(row, col).value == f"{event.by_id[m.buyer_id].name} × {event.by_id[m.sme_id].name}"
    assert wb["洽谈清单"].max_row == len(plan.meetings) + 1


def test_agendas_and_shortlists_xlsx_read_back(planned: tuple[Event, Schedule], tmp_path: Path) -> None:
    event, plan = planned
    buyer = plan.meetings[0].buyer_id
    wb = load_workbook(export_agendas_xlsx(event, plan, tmp_path / "日程.xlsx"))
    assert len(wb.sheetnames) == len([p for p in event.participants if p.role != Role.OTHER])
    ws = wb[next(n for n in wb.sheetnames if n.startswith(buyer))]
    assert ws.cell(2, 3).value == "洽谈对象" and ws.max_row == 2 + len(plan.of(buyer))
    lists = build_shortlists(event, event.candidates, per_buyer=3, per_sme=1)
    sl = load_workbook(export_shortlists_xlsx(event, lists, tmp_path / "推荐名单.xlsx"))
    assert sl["龙头企业推荐名单"].cell(2, 2).value == 1


def test_ics_parses_with_chinese_summaries(planned: tuple[Event, Schedule]) -> None:
    event, plan = planned
    sme = plan.meetings[0].sme_id
    stamp = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    cal = icalendar.Calendar.from_ical(agenda_ics(event, plan, sme, stamp=stamp))
    items = [c for c in cal.walk("VEVENT")]
    assert len(items) == len(plan.of(sme))
    first, m = items[0], plan.of(sme)[0]
    start = first.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Shanghai" and start.replace(tzinfo=None) == event.slots()[m.slot].start
    assert str(first["summary"]).startswith("洽谈：" + event.by_id[m.buyer_id].name)
    assert cal.walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"


def test_html_escapes_names_and_has_a_page_per_participant(planned: tuple[Event, Schedule]) -> None:
    event, plan = planned
    html = render_agendas_html(event, plan)
    assert "&lt;b&gt;鑫&amp;源&lt;/b&gt;精密" in html and "<b>鑫" not in html
    assert html.count('<section class="page">') == len([p for p in event.participants if p.role != Role.OTHER])
    cards = render_table_cards_html(event, plan)
    assert cards.count('class="page card"') == len(event.tables) and "1号桌" in cards


def _no_chromium() -> bool:
    return shutil.which("chromium") is None


def _shot(html: str, name: str) -> Path:
    page = write_html(html, ARTIFACTS / f"{name}.html")
    png = ARTIFACTS / f"{name}.png"
    png.unlink(missing_ok=True)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    f"--screenshot={png}", "--window-size=1200,1600", page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    return png


@pytest.mark.skipif(_no_chromium(), reason="未安装 chromium（apt-get install chromium），跳过渲染检查")
def test_printable_agenda_renders_in_headless_chromium(planned: tuple[Event, Schedule]) -> None:
    event, plan = planned
    for name, html in (("events_agenda", render_agendas_html(event, plan, [plan.meetings[0].buyer_id])),
                       ("events_table_cards", render_table_cards_html(event, plan))):
        png = _shot(html, name)
        assert png.stat().st_size > 10_000  # a real picture, not an empty page
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_participant_without_meetings_gets_a_polite_page(planned: tuple[Event, Schedule]) -> None:
    event, plan = planned
    idle = Participant(id="X1", name="空闲企业", role=Role.SME)
    event = event.model_copy(update={"participants": [*event.participants, idle]})
    assert "本次活动暂未安排洽谈" in render_agendas_html(event, plan, ["X1"])
