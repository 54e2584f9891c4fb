"""账号与审计 in headless Chromium against ``matcher serve``: a platform admin opens the menu, creates a park
admin (a weak password is refused in Chinese first), disables it, resets its password, issues and revokes
an API key, and finds all of it in the audit log. Screenshots: artifacts/screenshots/accounts_*.png."""

from __future__ import annotations

from typing import Any

from e2e.harness import Site, log_in, shoot

NEW_USER = "e2e_newpark"
NEW_PASSWORD = "园区账号-2026-新"


def test_a_platform_admin_manages_an_account_and_reads_the_audit_log(page: Any, site: Site) -> None:
    log_in(page, site, "platform")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="账号与审计").click()
    page.wait_for_url(f"{site.url}/accounts")
    assert site.users["sme"] in page.get_by_test_id("account-list").inner_text()

    form = page.get_by_test_id("create-account")
    form.locator("input[name=username]").fill(NEW_USER)
    form.locator("select[name=role]").select_option("park_admin")
    form.locator("input[name=password]").fill("12345678")
    form.locator("input[name=parks]").fill(site.facts["park"])
    form.get_by_role("button", name="创建账号").click()
    problems = page.get_by_test_id("problems").inner_text()
    assert "密码至少 10 个字符" in problems and "只由一类字符组成" in problems
    shoot(page, "accounts_1_weak_password")

    form = page.get_by_test_id("create-account")
    form.locator("input[name=password]").fill(NEW_PASSWORD)
    form.locator("input[name=parks]").fill(site.facts["park"])
    form.get_by_role("button", name="创建账号").click()
    page.wait_for_url(f"{site.url}/accounts/{NEW_USER}?done=created")
    assert site.facts["park"] in page.get_by_test_id("account-state").inner_text()
    shoot(page, "accounts_2_created")

    page.get_by_role("button", name="停用账号").click()
    page.wait_for_url(f"{site.url}/accounts/{NEW_USER}?done=disabled")
    assert "已停用" in page.get_by_test_id("account-state").inner_text()
    page.get_by_test_id("reset-password").locator("input[name=password]").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="重置密码").click()
    assert "密码已重置" in page.get_by_test_id("done").inner_text()

    page.get_by_role("button", name="签发密钥").click()
    assert page.get_by_test_id("new-key").inner_text().count("mk_") == 1
    shoot(page, "accounts_3_new_key")
    page.get_by_test_id("keys").get_by_role("button", name="吊销").click()
    assert "已吊销" in page.get_by_test_id("keys").inner_text()

    page.goto(f"{site.url}/audit")
    page.get_by_test_id("audit-filters").locator("input[name=path]").fill(NEW_USER)
    page.get_by_role("button", name="筛选").click()
    table = page.get_by_test_id("audit-table").inner_text()
    for path in (f"/accounts/{NEW_USER}/active", f"/accounts/{NEW_USER}/password", f"/accounts/{NEW_USER}/keys"):
        assert path in table, path
    assert NEW_PASSWORD not in page.content()
    shoot(page, "accounts_4_audit")
