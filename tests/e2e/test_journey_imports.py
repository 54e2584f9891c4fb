"""The platform admin's 数据导入导出 journey in headless Chromium against ``matcher serve`` with the sample:
open the page from the navigation, pick a CSV in the file chooser, watch the progress bar reach 100% and
read the counts; upload a broken file and read the Chinese row-numbered problems (nothing written); rebuild
the search index as a job; the recent-jobs table shows both. Screenshots: artifacts/screenshots/imports_*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e.harness import Site, log_in, shoot
from matcher.domain.uscc import check_character

HEADER = "统一社会信用代码,企业名称,所属园区,行业代码（GB/T 4754-2017）,企业角色,主要产品,能力与工艺\n"
WATCH_BAR = """() => {
  window.__widths = [document.getElementById("import-bar").style.width || "0%"];
  new MutationObserver(() => window.__widths.push(document.getElementById("import-bar").style.width))
    .observe(document.getElementById("import-bar"), { attributes: true, attributeFilter: ["style"] });
}"""


def uscc(serial: int) -> str:
    body = f"91110108{serial:09d}"
    return body + check_character(body)


def enterprises_csv(path: Path, park: str, serials: list[int], broken_row: bool = False) -> Path:
    lines = [
        f"{uscc(n)},京华{n}号精密部件有限公司,{park},3484,中小企业,精密齿轮,数控滚齿与热处理\n"
        for n in serials
    ]
    if broken_row:  # row 3: the check character is wrong
        good = uscc(serials[-1] + 1)
        wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
        lines.append(f"{wrong},校验位错误的企业有限公司,{park},3484,中小企业,轴承,磨削\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def open_imports(page: Any, site: Site) -> None:
    log_in(page, site, "platform")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据导入导出").click()
    page.wait_for_url(f"{site.url}/imports")


def enterprise_names(page: Any) -> set[str]:
    rows = page.evaluate("() => matcher.api('/api/enterprises?limit=500')")["data"]
    return {r["record"]["name"] for r in rows}


def test_platform_admin_imports_a_file_and_watches_it_finish(page: Any, site: Site, tmp_path: Path) -> None:
    open_imports(page, site)
    assert "上传并导入" in page.get_by_test_id("import").inner_text()
    shoot(page, "imports_page")

    upload = enterprises_csv(
        tmp_path / "京华精密部件.csv", site.facts["park"], [900000001, 900000002, 900000003]
    )
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("import-file").click()
    chooser.value.set_files(str(upload))
    page.evaluate(WATCH_BAR)
    page.get_by_test_id("import-submit").click()
    result = page.get_by_test_id("import-result")
    result.locator("table.counts").wait_for()
    shoot(page, "imports_done")

    assert page.get_by_test_id("import-percent").inner_text() == "100%"
    assert page.get_by_test_id("import-bar").evaluate("bar => bar.style.width") == "100%"
    widths = page.evaluate("() => window.__widths")
    assert widths[0] == "0%" and widths[-1] == "100%", widths
    assert "导入完成：企业新增 3、更新 0" in result.inner_text()
    row = result.locator("tr[data-kind=enterprises]").locator("td")
    assert [row.nth(i).inner_text() for i in range(3)] == ["企业", "3", "0"]
    assert {"京华900000001号精密部件有限公司", "京华900000003号精密部件有限公司"} <= enterprise_names(page)
    jobs = page.get_by_test_id("jobs").locator("tbody tr").first.inner_text()
    assert "数据导入（京华精密部件.csv）" in jobs and "已完成" in jobs and "100%" in jobs


def test_a_broken_file_shows_the_chinese_row_errors_and_writes_nothing(
    page: Any, site: Site, tmp_path: Path
) -> None:
    open_imports(page, site)
    broken = enterprises_csv(tmp_path / "有错误的名单.csv", site.facts["park"], [900000011], broken_row=True)
    page.select_option("select[name=kind]", "enterprises")
    page.set_input_files("input[name=file]", str(broken))
    page.get_by_test_id("import-submit").click()
    problems = page.get_by_test_id("import-result").locator("ol.problems li")
    problems.first.wait_for()
    shoot(page, "imports_refused")

    assert "数据校验未通过（1 个问题），未写入任何数据" in page.get_by_test_id("import-result").inner_text()
    assert problems.count() == 1
    text = problems.first.inner_text()
    assert text.startswith("第 3 行：") and "统一社会信用代码" in text, text
    assert "京华900000011号精密部件有限公司" not in enterprise_names(
        page
    )  # the valid row 2 was not written either
    jobs = page.get_by_test_id("jobs").locator("tbody tr").first.inner_text()
    assert "有错误的名单.csv" in jobs and "失败" in jobs


def test_platform_admin_rebuilds_the_search_index_as_a_job(page: Any, site: Site) -> None:
    open_imports(page, site)
    page.get_by_test_id("index-button").click()
    result = page.get_by_test_id("index-result")
    result.locator(".ok").wait_for(timeout=60_000)
    shoot(page, "imports_index_rebuilt")
    assert page.get_by_test_id("index-percent").inner_text() == "100%"
    assert "检索索引已重建" in result.inner_text()
    assert "重建检索索引" in page.get_by_test_id("jobs").locator("tbody tr").first.inner_text()


def test_the_owner_cancels_a_running_import_with_the_button(page: Any, site: Site, tmp_path: Path) -> None:
    open_imports(page, site)
    big = enterprises_csv(tmp_path / "大名单.csv", site.facts["park"], list(range(910_000_000, 910_040_000)))
    page.set_input_files("input[name=file]", str(big))
    page.get_by_test_id("import-submit").click()
    button = page.locator("#import-progress button[data-cancel]")
    button.wait_for()
    page.wait_for_function("() => document.getElementById('import-label').textContent.includes('校验')")
    button.click()
    result = page.get_by_test_id("import-result")
    result.locator("p.error").wait_for(timeout=60_000)
    shoot(page, "imports_cancelled")

    assert "已按提交人的要求取消，未写入任何数据" in result.inner_text()
    assert "京华910000000号精密部件有限公司" not in enterprise_names(page)
    jobs = page.get_by_test_id("jobs").locator("tbody tr").first.inner_text()
    assert "大名单.csv" in jobs and "已取消" in jobs


def test_a_check_only_upload_shows_the_column_mapping_and_writes_nothing(
    page: Any, site: Site, tmp_path: Path
) -> None:
    open_imports(page, site)
    upload = enterprises_csv(tmp_path / "别名表头.csv", site.facts["park"], [900000021])
    text = upload.read_text(encoding="utf-8")
    upload.write_text(text.replace("统一社会信用代码,企业名称", "信用代码,单位名称", 1), encoding="utf-8")
    page.set_input_files("input[name=file]", str(upload))
    page.get_by_test_id("import-dry-run").check()
    page.get_by_test_id("import-submit").click()
    mapping = page.get_by_test_id("import-mapping")
    mapping.wait_for()
    shoot(page, "imports_dry_run_mapping")
    said = mapping.inner_text()
    assert (
        "企业表：2 列按别名对应" in said
        and "信用代码\t统一社会信用代码" in said
        and "单位名称\t企业名称" in said
    )
    assert "预检通过，未写入任何数据：企业 1 行" in page.get_by_test_id("import-result").inner_text()
    assert "京华900000021号精密部件有限公司" not in enterprise_names(page)


def test_the_encoding_message_names_the_dropdown_on_the_page(page: Any, site: Site, tmp_path: Path) -> None:
    open_imports(page, site)
    upload = enterprises_csv(tmp_path / "gbk.csv", site.facts["park"], [900000031])
    upload.write_bytes(upload.read_text(encoding="utf-8").encode("gbk"))
    page.set_input_files("input[name=file]", str(upload))
    page.get_by_test_id("import-submit").click()
    problem = page.get_by_test_id("import-result").locator("ol.problems li").first
    problem.wait_for()
    label = page.get_by_test_id("import-encoding").locator("xpath=..").inner_text().split("\n")[0].strip()
    assert "CSV 编码" in label and "“CSV 编码”中选 GB18030" in problem.inner_text()
    page.get_by_test_id("import-encoding").select_option("gb18030")
    page.get_by_test_id("import-submit").click()
    page.get_by_test_id("import-result").locator("table.counts").wait_for()
    assert "京华900000031号精密部件有限公司" in enterprise_names(page)
