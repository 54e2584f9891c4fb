"""The newcomer's path in real headless Chromium: ``matcher demo`` on a fresh home, then ``matcher serve --demo``
on the same home (the ``demo_site`` fixture); each account it prints signs in and lands on its role's home.
Screenshots: artifacts/screenshots/newcomer_*.png."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.harness import DemoSite, shoot, sign_in

ROLE_HOMES = {  # printed role label -> what its home shows
    "平台管理员": "数据导入导出",
    "园区管理员": "产业链图谱",
    "活动组织方": "对接会",
    "龙头企业用户": "需求发布",
    "中小企业用户": "推荐采购方",
}


def test_the_demo_says_what_to_run_next_and_serve_prints_one_account_per_role(demo_site: DemoSite) -> None:
    assert "matcher serve --demo" in demo_site.demo_output
    assert sorted(demo_site.accounts) == sorted(ROLE_HOMES)


@pytest.mark.parametrize("label", list(ROLE_HOMES))
def test_each_printed_account_signs_in_to_its_home(demo_site: DemoSite, page: Any, label: str) -> None:
    username, password = demo_site.accounts[label]
    sign_in(page, demo_site.url, username, password)
    assert label in page.get_by_test_id("who").inner_text()
    assert ROLE_HOMES[label] in page.locator("main").inner_text()
    shoot(page, f"newcomer_home_{username}")


def test_the_leading_firms_demands_show_candidates_or_say_why_none(demo_site: DemoSite, page: Any) -> None:
    sign_in(page, demo_site.url, *demo_site.accounts["龙头企业用户"])
    page.goto(f"{demo_site.url}/candidates")
    sections = page.get_by_test_id("overview")
    assert sections.count() > 0
    for i in range(sections.count()):
        section = sections.nth(i)
        shown = section.locator("li").count()
        assert shown > 0 or section.get_by_test_id("notice").inner_text(), section.inner_text()
    shoot(page, "newcomer_candidates")
