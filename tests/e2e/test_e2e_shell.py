"""The web shell in real headless Chromium against ``matcher serve``: each role logs in, sees its own
home and navigation, cannot read what it may not, and logs out. Screenshots: artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.harness import Site, log_in, shoot

ROLE_PAGES = {
    "platform": ("平台管理员", ["账号与审计", "数据导入导出", "全部园区"]),
    "park": ("园区管理员", ["产业链图谱", "梯度培育", "所辖园区"]),
    "organizer": ("活动组织方", ["对接会", "开放需求"]),
    "leader": ("龙头企业用户", ["需求发布", "候选供应商", "本企业发布的需求"]),
    "sme": ("中小企业用户", ["推荐采购方", "企业档案", "可对接的开放需求"]),
}


def test_login_page_is_chinese_and_refuses_a_wrong_password(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/")
    assert page.url.startswith(f"{site.url}/login")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("input[name=username]", site.users["sme"])
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator(".error").inner_text()
    shoot(page, "shell_login_error")


@pytest.mark.parametrize("persona", sorted(ROLE_PAGES))
def test_each_role_sees_its_home(page: Any, site: Site, persona: str) -> None:
    label, texts = ROLE_PAGES[persona]
    log_in(page, site, persona)
    assert label in page.get_by_test_id("who").inner_text()
    body = page.locator("main").inner_text()
    for text in texts:
        assert text in body, text
    shoot(page, f"shell_home_{persona}")


def test_park_admin_sees_its_park(page: Any, site: Site) -> None:
    log_in(page, site, "park")
    assert site.facts["park"] in page.get_by_test_id("parks").inner_text()


def test_sme_sees_its_own_contact_but_not_another_smes(page: Any, site: Site) -> None:
    log_in(page, site, "sme")
    card = page.get_by_test_id("enterprise").inner_text()
    assert site.facts["sme"] in card and site.facts["sme_person"] in card
    other = page.evaluate("id => matcher.api(`/api/enterprises/${id}`)", site.facts["other_sme_id"])
    assert other["record"]["contact"] == {"person": "", "phone": "", "email": ""}
    own = page.evaluate("id => matcher.api(`/api/enterprises/${id}`)", site.facts["sme_id"])
    assert own["record"]["contact"]["person"] == site.facts["sme_person"]
    refused = page.evaluate(
        "() => matcher.api('/api/imports', {method: 'POST', body: new FormData()}).catch(e => [e.status, e.message])"
    )
    assert refused[0] == 403 and "中小企业用户无权" in refused[1]


def test_logout_ends_the_session(page: Any, site: Site) -> None:
    log_in(page, site, "leader")
    page.click("text=退出")
    page.wait_for_url(f"{site.url}/login")
    page.goto(f"{site.url}/")
    assert page.url.startswith(f"{site.url}/login")
