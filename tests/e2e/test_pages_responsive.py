"""Every page of the web app at 390 px (a phone) and 1280 px, in headless Chromium on ``matcher serve --demo``:
no page scrolls sideways and no text is squeezed into a one-character-wide column; at 390 px the navigation
is behind the 菜单 button. The page list comes from the app's route table, so a new page is covered (a new
path parameter needs a value in ``path_values``). Screenshots: artifacts/screenshots/responsive_*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.auth import all_routes, route_access
from api.main import create_app
from e2e.harness import DemoSite, shoot, sign_in
from matcher.auth.policy import PUBLIC, RULES
from matcher.auth.principal import AccountRole

WIDTHS = (390, 1280)
PAGES = sorted(
    r.path for r in all_routes(create_app()) if not r.path.startswith("/api/") and "GET" in r.methods
)
# Who opens each page: the first role its rule admits, in this order (the people a page is mainly for first)
PREFERRED = [
    AccountRole.LEADING_USER,
    AccountRole.SME_USER,
    AccountRole.PARK_ADMIN,
    AccountRole.ORGANIZER,
    AccountRole.PLATFORM_ADMIN,
]
# Overflow and text columns as the browser laid them out: the page's sideways overflow in px, and elements
# holding text (3+ characters of their own) that are under 1.6 characters wide yet over 3 lines tall.
MEASURE = """() => {
  const narrow = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join("");
    if (own.length < 3) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (box.width < size * 1.6 && box.height > size * 3) narrow.push(`${el.tagName}: ${own.slice(0, 16)}`);
  }
  return { overflow: document.documentElement.scrollWidth - window.innerWidth, narrow };
}"""


def openers(path: str) -> list[AccountRole | None]:
    """The roles that may open ``path``, in ``PREFERRED`` order ([None]: a public page, opened signed out)."""
    route = next(r for r in all_routes(create_app()) if r.path == path)
    access = route_access(route)
    assert access is not None
    roles = RULES[(access.resource, access.action)]
    if roles is PUBLIC:
        return [None]
    return [role for role in PREFERRED if role in roles]


def path_values(page: Any) -> dict[str, str]:
    """A real value for each path parameter, from the demo data through the API (signed in as the platform
    admin; a 先试首用 trial is started for the purpose: the sample has none)."""
    demands = page.evaluate("() => matcher.api('/api/demands?limit=50')")["data"]
    smes = page.evaluate("() => matcher.api('/api/enterprises?role=sme&limit=1')")["data"]
    leaders = page.evaluate("() => matcher.api('/api/enterprises?role=leading&limit=1')")["data"]
    trial = page.evaluate(
        """async ([sme, buyer]) => {
          const product = await matcher.api('/api/innovations', {method: 'POST',
            body: {name: '演示创新产品', category: 'equipment', enterprise_id: sme}});
          return matcher.api(`/api/innovations/${product.id}/trial-requests`, {method: 'POST',
            body: {plan: {scope: '一条产线试用', criteria: '不良率 ≤ 0.5%'}, buyer_id: buyer}});
        }""",
        [smes[0]["id"], leaders[0]["id"]],
    )
    return {
        "demand_id": str(demands[0]["id"]),
        "enterprise_id": str(smes[0]["id"]),
        "code": "JN-20250716",
        "trial_id": str(trial["id"]),
        "username": "demo_sme_user",  # /accounts/{username}
    }


@pytest.fixture(scope="module")
def values(browser: Any, demo_site: DemoSite) -> dict[str, str]:
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        sign_in(page, demo_site.url, *demo_site.accounts[AccountRole.PLATFORM_ADMIN.label])
        return path_values(page)
    finally:
        context.close()


def test_the_page_list_comes_from_the_route_table() -> None:
    assert {"/", "/login", "/chain", "/tiers", "/demands", "/events", "/imports", "/profile"} <= set(PAGES)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_the_screen(
    browser: Any, demo_site: DemoSite, values: dict[str, str], path: str, width: int
) -> None:
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 860})
    try:
        page = context.new_page()
        for role in openers(path):  # record rules may refuse the first (another firm's demand): the next one
            context.clear_cookies()
            if role is not None:
                sign_in(page, demo_site.url, *demo_site.accounts[role.label])
            response = page.goto(f"{demo_site.url}{url}")
            if response is not None and response.status == 200:
                break
        else:
            raise AssertionError(f"{url}：没有能打开它的演示账号")
        page.wait_for_load_state("networkidle")
        found = page.evaluate(MEASURE)
        name = re.sub(r"\W+", "_", url.strip("/")) or "home"
        shoot(page, f"responsive_{name}_{width}")
        assert found["overflow"] <= 0, f"{url} 在 {width}px 下横向滚动 {found['overflow']}px"
        assert not found["narrow"], f"{url} 在 {width}px 下文字被挤成一字一行：{found['narrow'][:5]}"
        if width < 720 and role is not None:
            nav = page.get_by_role("navigation", name="主导航")
            assert not nav.is_visible()
            page.locator("label.navbutton").click()
            assert nav.is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_chain_map_fits_its_box_and_the_panel_hides_no_column(
    browser: Any, demo_site: DemoSite, width: int
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 860})
    try:
        page = context.new_page()
        sign_in(page, demo_site.url, *demo_site.accounts[AccountRole.PARK_ADMIN.label])
        page.goto(f"{demo_site.url}/chain")
        box = page.locator(".chain-map").bounding_box()
        drawn = page.locator(".chain-map svg").bounding_box()
        assert (
            box
            and drawn
            and drawn["x"] >= box["x"] - 1
            and drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1
        )
        link = page.get_by_role("link", name="打开交互式图谱").get_attribute("href")
        page.goto(f"{demo_site.url}{link}")
        chain = page.locator("#map svg").bounding_box()
        panel = page.locator("#panel").bounding_box()
        assert chain and panel
        if (
            width >= 720
        ):  # side by side: the map (its last, downstream column included) ends where the panel starts
            assert chain["x"] + chain["width"] <= panel["x"] + 1
        else:  # a phone: the panel goes below the map
            assert panel["y"] >= chain["y"] + chain["height"] - 1
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
        shoot(page, f"responsive_chain_map_{width}")
    finally:
        context.close()
