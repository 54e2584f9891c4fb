"""Park staff journeys in headless Chromium against ``matcher serve`` with the sample: the park admin opens
产业链图谱 from the navigation, switches industry, reads the map and a missing link's 链式招商 candidates;
then 梯度培育: the pyramid ("尚无评估" at first), the pipeline, runs the assessment, drills into one
enterprise. What the page shows is checked against the JSON API the same session reads.
Screenshots: artifacts/screenshots/park_*.png.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from e2e.harness import Site, log_in, shoot


def nav(page: Any, title: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=title).click()


def api(page: Any, path: str) -> Any:
    return page.evaluate("path => matcher.api(path)", path)


def test_park_admin_reads_the_chain_and_recruits_for_a_missing_link(page: Any, site: Site) -> None:
    park = site.facts["park"]
    log_in(page, site, "park")
    nav(page, "产业链图谱")
    page.wait_for_url(f"{site.url}/chain")
    assert page.locator("select[name=park] option:checked").inner_text() == park
    tabs = page.get_by_test_id("industries").get_by_role("link")
    assert tabs.count() >= 2
    first = tabs.nth(0).inner_text().split()[0]
    assert tabs.nth(0).get_attribute("aria-current") == "page"
    assert f"{first}产业链图谱" in page.get_by_test_id("chain-map").locator("svg").text_content()
    shoot(page, "park_chain_first_industry")

    industry = tabs.nth(1).inner_text().split()[0]
    tabs.nth(1).click()
    page.wait_for_url(re.compile(r"/chain\?.*industry="))
    current = page.get_by_test_id("industries").locator("[aria-current=page]")
    assert current.inner_text().split()[0] == industry
    svg = page.get_by_test_id("chain-map").locator("svg")
    assert svg.is_visible() and f"{industry}产业链图谱" in svg.text_content()
    assert "本地覆盖率" in page.get_by_test_id("summary").inner_text()
    shoot(page, "park_chain_switched")

    cards = page.get_by_test_id("gap")
    with_candidates = [i for i in range(cards.count()) if cards.nth(i).get_by_test_id("candidate").count()]
    assert with_candidates, "no missing link has recruitment candidates"
    card = cards.nth(with_candidates[0])
    link = card.get_attribute("data-link")
    rows = card.get_by_test_id("candidate")
    shown = [rows.nth(i).locator("td").first.inner_text().splitlines()[0] for i in range(rows.count())]
    for i in range(rows.count()):
        assert f"对应环节「{link}」" in rows.nth(i).inner_text()
    gaps_text = page.get_by_test_id("gaps").inner_text()
    assert link in gaps_text and "缺失" in gaps_text
    recruitment = api(page, f"/api/parks/{quote(park)}/chain/recruitment?industry={quote(industry)}&top=5")
    by_link = {g["link"]["name"]: [c["firm"]["name"] for c in g["candidates"]] for g in recruitment["data"]}
    assert by_link[link] == shown
    card.scroll_into_view_if_needed()
    shoot(page, "park_chain_recruitment")


def test_park_admin_assesses_tiers_and_reads_one_enterprises_gaps(page: Any, site: Site) -> None:
    park = site.facts["park"]
    log_in(page, site, "park")
    nav(page, "梯度培育")
    page.wait_for_url(f"{site.url}/tiers")
    assert "尚无评估" in page.get_by_test_id("no-assessment").inner_text()
    assert page.get_by_test_id("pyramid-table").is_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=pyramid] img'); return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.get_by_test_id("pipeline-row").count() > 0
    shoot(page, "park_tiers_no_assessment")

    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="运行梯度评估").click()
    latest = page.get_by_test_id("latest")
    latest.wait_for()
    assert questions and park in questions[0] and "重新评估" in questions[0]
    assert page.get_by_test_id("no-assessment").count() == 0
    years = api(page, f"/api/parks/{quote(park)}/tiers/pyramid")["data"]
    assert f"{years[-1]['year']} 年" in latest.inner_text()
    total = page.get_by_test_id("pyramid-table").locator("tfoot th.num").first.inner_text()
    assert int(total) == sum(years[-1]["counts"].values()) > 0
    shoot(page, "park_tiers_assessed")

    first = page.get_by_test_id("pipeline-row").first.get_by_role("link")
    name = first.inner_text()
    first.click()
    page.wait_for_url(f"{site.url}/tiers/enterprise/*")
    assert page.locator("h1").inner_text() == name
    enterprise_id = int(page.url.rsplit("/", 1)[-1])
    expected = api(page, f"/api/tiers/assess/{enterprise_id}")
    assert page.get_by_test_id("tier").inner_text() == expected["tier_label"]
    rows = page.get_by_test_id("gap-row")
    assert rows.count() == len(expected["gaps"]) > 0
    for i, gap in enumerate(expected["gaps"]):
        assert gap["message"] in rows.nth(i).inner_text()
    assert page.get_by_test_id("support").locator("li").count() > 0
    assert years[-1]["year"] and str(years[-1]["year"]) in page.get_by_test_id("history").inner_text()
    shoot(page, "park_tier_enterprise")
