"""The SME's journey in real headless Chromium: edit the enterprise profile, then see recommended buyers
and open demands with reasons, updated for the new profile. Screenshots: artifacts/screenshots/sme_*.png."""

from __future__ import annotations

from typing import Any

from e2e.harness import Site, log_in, shoot


def test_sme_edits_its_profile_and_sees_recommendations(page: Any, site: Site) -> None:
    log_in(page, site, "sme")
    page.click("nav >> text=企业档案")
    page.wait_for_url(f"{site.url}/profile")
    assert site.facts["sme_product"] in page.input_value("textarea[name=products]")
    shoot(page, "sme_1_profile")

    page.fill("textarea[name=products]", "甲产品 70%\n乙产品 60%")
    page.click("main button[type=submit]")
    assert "超过 100%" in page.get_by_test_id("problems").inner_text()
    shoot(page, "sme_2_profile_error")

    # 液冷充电枪 is what the sample's open demand 征集液冷充电枪合格供应商 asks for
    page.fill("textarea[name=products]", f"{site.facts['sme_product']} 60%\n液冷充电枪\n精密结构件")
    page.fill("textarea[name=certifications]", "ISO 9001、IATF 16949")
    page.fill("input[name=contact_person]", "e2e 联系人")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/recommendations?saved=1")
    assert "档案已保存" in page.locator(".notice").inner_text()
    items = page.get_by_test_id("items").inner_text().lower()
    assert site.facts["sme_product"].lower() in items and "精密结构件" in items
    demands = page.get_by_test_id("rec-demands")
    buyers = page.get_by_test_id("rec-buyers")
    assert buyers.locator("tbody tr").count() >= 1
    assert "推荐理由" in demands.inner_text()
    # only demands relevant enough are listed (the floor hides the rest); this one names the product
    row = demands.locator("tbody tr", has_text="征集液冷充电枪合格供应商")
    assert "贵司主营“液冷充电枪”，即所需的“液冷充电枪”" in row.inner_text()
    assert all(0 <= float(x) <= 100 for x in demands.locator("td.num").all_inner_texts())
    shoot(page, "sme_3_recommendations")

    page.click("text=修改企业档案")
    page.wait_for_url(f"{site.url}/profile")
    assert page.input_value("input[name=contact_person]") == "e2e 联系人"
    assert "IATF 16949" in page.input_value("textarea[name=certifications]")
