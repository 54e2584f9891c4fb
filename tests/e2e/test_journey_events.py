"""对接会 journey in headless Chromium against ``matcher serve``: an organizer uploads a definition (a bad
one first), generates shortlists, schedules in the background while the progress bar moves, reads the
grid and downloads the master XLSX. Screenshots: artifacts/screenshots/events_*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from e2e.harness import REPO, Site, log_in, shoot

SAMPLE = REPO / "data" / "sample" / "event.yaml"
CODE = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["id"]


def test_an_organizer_builds_schedules_and_exports_an_event(page: Any, site: Site, tmp_path: Path) -> None:
    log_in(page, site, "organizer")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="对接会").click()
    page.wait_for_url(f"{site.url}/events")
    assert CODE not in page.get_by_test_id("event-list").inner_text()
    shoot(page, "events_1_list")

    bad = tmp_path / "坏定义.yaml"
    bad.write_text(
        "id: BAD-1\nname: 坏定义\nsessions: []\ntables: 0\nparticipants:\n  - {id: B01, name: 外地企业, role: 老板}\n",
        encoding="utf-8",
    )
    page.set_input_files("input[name=file]", str(bad))
    page.get_by_role("button", name="上传并创建").click()
    errors = page.get_by_test_id("create-errors")
    errors.wait_for()
    for message in (
        "未写入任何数据",
        "场次（sessions）：至少需要 1 项",
        "洽谈桌（tables）：至少需要 1 项",
        "角色（role）",
    ):
        assert message in errors.inner_text(), message
    assert "BAD-1" not in page.get_by_test_id("event-list").inner_text()
    shoot(page, "events_2_bad_file")

    page.set_input_files("input[name=file]", str(SAMPLE))
    page.get_by_role("button", name="上传并创建").click()
    page.wait_for_url(f"{site.url}/events/{CODE}?created=1")
    assert "对接会已创建" in page.get_by_test_id("created").inner_text()
    participants = page.get_by_test_id("participants").inner_text()
    assert "B01" in participants and "必须见" in participants
    shoot(page, "events_3_created")

    page.get_by_role("button", name="生成推荐名单").click()
    first = page.get_by_test_id("buyer-B01")
    first.wait_for(timeout=60_000)
    rows = first.locator("tbody tr")
    top = rows.first.locator("td").all_inner_texts()  # rank, SME, score, wishes, reasons
    assert top[0] == "1" and top[1].startswith("S") and re.fullmatch(r"\d{1,3}(\.\d)?", top[2]) and top[4], top
    assert 0 <= float(top[2]) <= 100  # the one 0-100 scale
    assert page.get_by_role("button", name="重新生成推荐名单").is_visible()
    shoot(page, "events_4_shortlists")

    page.fill("input[name=time_limit]", "3")
    page.get_by_role("button", name="开始排程").click()
    progress = page.get_by_test_id("schedule-progress")
    progress.wait_for()
    finished = (
        "[data-testid=schedule-progress][data-state=done], [data-testid=schedule-progress][data-state=failed]"
    )
    page.wait_for_selector(finished, timeout=120_000)
    assert progress.get_attribute("data-state") == "done", page.locator("#schedule-error").inner_text()
    assert page.get_by_test_id("schedule-bar").evaluate("el => el.style.width") == "100%"
    grid = page.get_by_test_id("schedule-grid")
    grid.wait_for(timeout=30_000)
    shoot(page, "events_5_scheduled")
    assert grid.locator("td.meet").count() > 0
    status = page.get_by_test_id("solver-status").inner_text()
    assert status.startswith(("最优解", "可行解")), status

    with page.expect_download() as info:
        page.get_by_role("link", name="排程总表（XLSX）").click()
    download = info.value
    saved = tmp_path / "master.xlsx"
    download.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    buyer = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["participants"][0]["name"]
    assert any(buyer in c for c in cells), buyer

    page.goto(f"{site.url}/events")
    line = page.get_by_test_id("event-list").locator("tr", has_text=CODE).inner_text()
    assert "已生成" in line and "第 1 版" in line
    shoot(page, "events_6_list_after")
