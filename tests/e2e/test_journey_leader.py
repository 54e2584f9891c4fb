"""The leading firm's journey in real headless Chromium: publish a demand with the form, see its candidate
suppliers with reasons, shortlist one, reject another with a reason, close the demand.
Screenshots: artifacts/screenshots/leader_*.png."""

from __future__ import annotations

from typing import Any

from e2e.harness import Site, log_in, shoot


def test_leader_publishes_a_demand_and_decides_candidates(page: Any, site: Site) -> None:
    product = site.facts["sme_product"]
    log_in(page, site, "leader")
    page.click("nav >> text=需求发布")
    page.wait_for_url(f"{site.url}/demands")
    page.click("text=发布新需求")
    page.fill("input[name=title]", f"e2e 年度采购{product}")
    page.fill("input[name=product]", "")
    page.click("text=发布并查看候选供应商")  # a procurement plan without its product is refused
    problems = page.get_by_test_id("problems").inner_text()
    assert "采购计划须填写采购产品" in problems
    assert page.input_value("input[name=title]") == f"e2e 年度采购{product}"  # what was typed is kept
    shoot(page, "leader_1_form_error")

    page.fill("input[name=product]", product)
    page.fill("input[name=quantity]", "120")
    page.fill("input[name=unit]", "件")
    page.select_option("select[name=visibility]", "park")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/demands/*")
    assert "需求已发布" in page.locator(".notice").inner_text()
    candidates = page.get_by_test_id("candidate")
    assert candidates.count() >= 2
    first = candidates.nth(0)
    reason = first.locator(".reason").inner_text()
    assert product in reason or "匹配" in reason, reason
    shoot(page, "leader_2_candidates")

    first_name = first.locator(".name").inner_text()
    first.locator("button", has_text="入围").click()
    page.wait_for_load_state()
    assert first_name in page.get_by_test_id("shortlist").inner_text()
    assert "入围名单（1 家）" in page.get_by_test_id("shortlist").inner_text()

    second = page.get_by_test_id("candidate").nth(1)
    second_name = second.locator(".name").inner_text()
    second.locator("input[name=note]").fill("交期不满足")
    second.locator("button", has_text="淘汰").click()
    page.wait_for_load_state()
    rejected = page.get_by_test_id("rejected").inner_text()
    assert second_name in rejected and "交期不满足" in rejected
    shoot(page, "leader_3_decided")

    page.click("text=关闭需求")
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "已关闭"
    page.click("nav >> text=需求发布")
    row = page.locator("tr", has_text=f"e2e 年度采购{product}")
    assert "已关闭" in row.inner_text() and "园区内可见" in row.inner_text()
    shoot(page, "leader_4_list")


def test_an_sme_cannot_reach_candidate_pages(page: Any, site: Site) -> None:
    log_in(page, site, "sme")
    response = page.goto(f"{site.url}/candidates")
    assert response is not None and response.status == 403
    assert "无权" in page.locator("main").inner_text()
