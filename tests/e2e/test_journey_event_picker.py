"""The short event form's participant picker and the organizer's shortlist edits in headless Chromium: the
park's firms (and a list grown to 500) stack in one scrolling column (was one row thousands of pixels wide),
search narrows the list,
"全选" picks exactly the firms shown; on the new event the park admin removes a pair from a shortlist and
adds one as 必须见. Screenshots: artifacts/screenshots/picker_*.png."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from e2e.harness import Site, log_in, shoot


def test_the_picker_searches_selects_and_the_shortlists_are_edited(page: Any, site: Site) -> None:
    log_in(page, site, "park")
    page.goto(f"{site.url}/events/new?park={quote(site.facts['park'])}")
    smes = page.get_by_test_id("pick-sme")
    labels = smes.locator(".pick-list label")
    total = labels.count()
    assert total >= 20
    form_width = page.get_by_test_id("new-event-form").bounding_box()["width"]
    assert smes.bounding_box()["width"] <= form_width
    xs = {round(labels.nth(i).bounding_box()["x"]) for i in (0, 1, total // 2)}
    assert len(xs) == 1, "one column"
    assert smes.locator(".pick-list").bounding_box()["height"] <= 22 * 16 + 2  # scrolls inside its box

    # the sample park lists fewer than 500 firms: grow the list in the page to 500 of the same markup and
    # check it stays one bounded column and the tools still work on it
    page.evaluate(
        """(n) => {
            const list = document.querySelector('[data-testid=pick-sme] .pick-list');
            const model = list.querySelector('label');
            for (let i = list.children.length; i < n; i++) {
                const copy = model.cloneNode(true);
                copy.lastChild.textContent = ` 测试配套企业${i}号有限公司`;
                copy.querySelector('input').value = `x${i}`;
                list.appendChild(copy);
            }
        }""",
        500,
    )
    assert labels.count() == 500
    assert smes.bounding_box()["width"] <= form_width
    assert smes.locator(".pick-list").bounding_box()["height"] <= 22 * 16 + 2
    assert round(labels.nth(499).bounding_box()["x"]) in xs  # still one column
    # the copies are numbered from the real count (< 400) to 499
    smes.locator(".pick-search").fill("测试配套企业4")
    assert smes.locator(".pick-list label:visible").count() == 100  # 400-499
    smes.get_by_role("button", name="全选（当前筛选）").click()
    assert smes.locator(".picked").inner_text() == "100"
    page.reload()
    labels = smes.locator(".pick-list label")

    word = site.facts["sme"][2:4]  # a fragment of a real firm's name
    smes.locator(".pick-search").fill(word)
    shown = [t for t in labels.all_inner_texts() if t.strip()]
    visible = smes.locator(".pick-list label:visible")
    assert 1 <= visible.count() < total and all(word in t for t in visible.all_inner_texts())
    smes.get_by_role("button", name="全选（当前筛选）").click()
    assert int(smes.locator(".picked").inner_text()) == visible.count()
    assert smes.locator("input:checked").count() == visible.count() and shown
    shoot(page, "picker_1_search_select")

    leaders = page.get_by_test_id("pick-leading")
    leaders.locator(".pick-search").fill(site.facts["leader"])
    leaders.get_by_role("button", name="全选（当前筛选）").click()
    page.fill("input[name=code]", "PICK-1")
    page.fill("input[name=name]", "选择器测试对接会")
    page.fill("input[name=day]", "2026-12-20")
    page.get_by_role("button", name="创建对接会").click()
    page.wait_for_url(f"{site.url}/events/PICK-1?created=1")

    page.get_by_role("button", name="生成推荐名单").click()
    buyer = page.get_by_test_id("buyer-B01")
    buyer.wait_for(timeout=60_000)
    rows = buyer.locator("tbody tr")
    before = rows.count()
    first = rows.first.locator("td").nth(1).inner_text()
    rows.first.get_by_role("button", name="移出").click()
    page.wait_for_load_state()
    buyer = page.get_by_test_id("buyer-B01")
    assert first not in buyer.locator("tbody").inner_text()
    assert buyer.locator("tbody tr").count() <= before
    tools = page.get_by_test_id("add-pair")
    sme_id = first.split()[0]
    tools.locator("select[name=sme]").select_option(sme_id)
    tools.locator("select[name=level]").select_option("must")
    tools.get_by_role("button", name="添加或调整").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("buyer-B01").locator("tbody tr", has_text=first)
    assert "必须见" in row.inner_text()
    shoot(page, "picker_2_shortlist_edited")
