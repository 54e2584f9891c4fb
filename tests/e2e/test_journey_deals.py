"""揭榜与洽谈 in real headless Chromium, leader and SME each in their own browser session: an SME responds
to a demand and the publisher accepts it; the publisher invites a candidate who accepts, and both then see
the other's contact (hidden before). Screenshots: artifacts/screenshots/deals_*.png."""

from __future__ import annotations

from typing import Any

from e2e.harness import Site, log_in, shoot


def publish(page: Any, site: Site, title: str) -> str:
    """The leader publishes a public demand for the SME's product; returns the demand page's URL."""
    page.goto(f"{site.url}/demands/new")
    page.fill("input[name=title]", title)
    page.fill("input[name=product]", site.facts["sme_product"])
    page.fill("input[name=quantity]", "50")
    page.fill("input[name=unit]", "件")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/demands/*")
    return str(page.url).split("?")[0]


def open_newest_message(page: Any, site: Site) -> None:
    page.click("[data-testid=messages]")
    page.wait_for_url(f"{site.url}/messages")
    page.get_by_test_id("notice").first.locator("button").click()
    page.wait_for_load_state()


def test_an_sme_responds_and_the_publisher_accepts(page: Any, other_page: Any, site: Site) -> None:
    log_in(page, site, "leader")
    url = publish(page, site, "e2e 揭榜：年度配套件")
    sme = other_page
    log_in(sme, site, "sme")
    sme.goto(url)
    assert "候选供应商（" not in sme.content()
    sme.fill("textarea[name=proposal]", "可月供 50 件，附检测报告")
    sme.fill("textarea[name=attachments]", "第三方检测报告 2026")
    sme.click("text=提交响应")
    sme.wait_for_load_state()
    assert "响应已提交" in sme.locator(".notice").inner_text()
    assert sme.get_by_test_id("response-status").inner_text() == "待处理"
    assert sme.get_by_test_id("publisher-contact").count() == 0
    shoot(sme, "deals_1_sme_responded")

    page.goto(f"{site.url}/")
    assert page.get_by_test_id("unread").inner_text().strip() != ""
    open_newest_message(page, site)
    response = page.get_by_test_id("response").filter(has_text=site.facts["sme"])
    assert "主动响应" in response.inner_text() and "可月供 50 件" in response.inner_text()
    assert response.get_by_test_id("contact").count() == 0  # hidden until the publisher accepts
    response.locator("button", has_text="接受").click()
    page.wait_for_load_state()
    response = page.get_by_test_id("response").filter(has_text=site.facts["sme"])
    assert response.get_by_test_id("response-status").inner_text() == "已接受"
    assert site.facts["sme_person"] in response.get_by_test_id("contact").inner_text()
    shoot(page, "deals_2_leader_accepted")

    sme.goto(url)
    assert sme.get_by_test_id("response-status").inner_text() == "已接受"
    assert sme.get_by_test_id("publisher-contact").is_visible()


def test_a_publisher_invites_a_candidate_who_accepts(page: Any, other_page: Any, site: Site) -> None:
    log_in(page, site, "leader")
    url = publish(page, site, "e2e 邀请：配套件")
    row = page.get_by_test_id("candidate").filter(has_text=site.facts["sme"])
    assert row.count() == 1, "the SME making the product should be among the candidates"
    assert row.get_by_test_id("contact").count() == 0
    row.locator("input[name=message]").fill("欢迎来厂洽谈")
    row.locator("button", has_text="邀请洽谈").click()
    page.wait_for_load_state()
    invited = page.get_by_test_id("invitations").inner_text()
    assert site.facts["sme"] in invited and "待回复" in invited and site.facts["sme_person"] not in invited

    sme = other_page
    log_in(sme, site, "sme")
    open_newest_message(sme, site)
    invitation = sme.get_by_test_id("invitation")
    assert "欢迎来厂洽谈" in invitation.inner_text()
    assert sme.get_by_test_id("publisher-contact").count() == 0
    shoot(sme, "deals_3_sme_invited")
    sme.click("text=接受邀请")
    sme.wait_for_load_state()
    assert sme.get_by_test_id("invitation-status").inner_text() == "已接受"
    assert site.facts["leader"] in sme.get_by_test_id("publisher-contact").inner_text()
    shoot(sme, "deals_4_sme_sees_contact")

    page.goto(url)
    invitations = page.get_by_test_id("invitations")
    assert "已接受" in invitations.inner_text()
    assert site.facts["sme_person"] in invitations.get_by_test_id("contact").inner_text()
    shoot(page, "deals_5_leader_sees_contact")
