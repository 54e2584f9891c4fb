"""先试首用 in real headless Chromium: the SME registers an innovation product, the leading firm requests a
trial with a plan, the SME starts it, the leading firm records the result and adopts it; the park admin
then sees the adoption on the 先试首用 dashboard and on the chain map. Screenshots: trials_*.png."""

from __future__ import annotations

from typing import Any

from e2e.harness import Site, log_in, shoot


def test_a_trial_goes_from_request_to_adoption(page: Any, other_page: Any, site: Site) -> None:
    product = site.facts["sme_product"]
    sme = other_page
    log_in(sme, site, "sme")
    sme.click("nav >> text=先试首用")
    sme.wait_for_url(f"{site.url}/trials")
    form = sme.get_by_test_id("register-product")
    form.locator("input[name=name]").fill(product)
    form.locator("select[name=category]").select_option("equipment")
    form.locator("textarea[name=specs]").fill("寿命 10 万次")
    form.locator("textarea[name=reports]").fill("省级检测中心报告")
    form.locator("button[type=submit]").click()
    sme.wait_for_load_state()
    assert "新产品已登记" in sme.locator(".notice").inner_text()

    log_in(page, site, "leader")
    page.click("nav >> text=先试首用")
    entry = page.get_by_test_id("product").filter(has_text=site.facts["sme"]).filter(has_text=product).first
    assert "首台（套）重大技术装备" in entry.inner_text()
    entry.locator("summary").click()
    entry.locator("textarea[name=scope]").fill("一条产线试用 200 件")
    entry.locator("textarea[name=criteria]").fill("不良率 ≤ 0.5%")
    entry.locator("button", has_text="提交试用申请").click()
    page.wait_for_url(f"{site.url}/trials/*")
    trial_url = str(page.url)
    assert page.get_by_test_id("trial-state").inner_text() == "申请"
    assert page.get_by_test_id("trial-actions").count() == 0  # the supplier starts the trial
    shoot(page, "trials_1_requested")

    sme.goto(trial_url)
    sme.click("text=开始试用")
    sme.wait_for_load_state()
    assert sme.get_by_test_id("trial-state").inner_text() == "试用中"

    page.goto(trial_url)
    page.fill("textarea[name=result]", "不良率 0.3%，达到验收标准")
    page.click("text=验收通过")
    page.wait_for_load_state()
    assert page.get_by_test_id("trial-state").inner_text() == "通过"
    page.click("button:has-text('采用')")
    page.wait_for_load_state()
    assert page.get_by_test_id("trial-state").inner_text() == "采用"
    assert "达到验收标准" in page.get_by_test_id("trial-result").inner_text()
    shoot(page, "trials_2_adopted")

    admin = sme
    admin.click("text=退出")
    log_in(admin, site, "park")
    admin.click("nav >> text=先试首用")
    row = admin.get_by_test_id("by-firm").locator("tr", has_text=site.facts["leader"])
    trials, adopted = (int(c) for c in row.locator("td.num").all_inner_texts())
    assert trials >= 1 and adopted >= 1
    assert admin.get_by_test_id("by-industry").locator("tbody tr").count() >= 1
    shoot(admin, "trials_3_dashboard")

    admin.click("nav >> text=产业链图谱")
    tabs = admin.get_by_test_id("industries").locator("a")
    hrefs = [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]
    found = False
    for href in hrefs:
        admin.goto(f"{site.url}{href}" if href.startswith("/") else f"{site.url}/chain{href}")
        adopted_block = admin.get_by_test_id("adopted")
        if adopted_block.count():
            text = adopted_block.inner_text()
            assert site.facts["sme"] in text and site.facts["leader"] in text and product in text
            assert "先试首用采用" in admin.get_by_test_id("chain-map").inner_html()
            found = True
            shoot(admin, "trials_4_chain_map")
            break
    assert found, "the adopted product should appear on one of the park's chain maps"
