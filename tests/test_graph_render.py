"""Chain maps: SVG and self-contained HTML, legible in Chinese with 60 links; screenshot in headless Chromium.

The screenshot is saved under $MATCHER_TEST_ARTIFACTS (default: the test's tmp dir) as chain_map.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from matcher.graph import chain_coverage, chain_graph, chain_map_html, chain_map_svg, save_chain_map
from matcher.graph.templates import ChainLink, ChainTemplate

STAGES = ("上游", "中游", "下游")


def big_chain() -> ChainTemplate:
    links = tuple(
        ChainLink(f"l{i}", f"环节{i}号材料组件", STAGES[min(2, i // 20)], keywords=(f"产品{i}",),
                  upstream=tuple(f"l{j}" for j in (i - 7, i - 13) if j >= 0))
        for i in range(60)
    )
    return ChainTemplate("测试产业", 1, "", links)


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    G = chain_graph([big_chain()])
    firms = [{"id": f"f{i}", "name": f"企业{i}", "park": "园", "products": [f"产品{i % 45}"]} for i in range(70)]
    return G, chain_coverage(G, "测试产业", firms, park="园")


def test_svg_has_all_links_and_colours(setup) -> None:  # type: ignore[no-untyped-def]
    G, cov = setup
    svg = chain_map_svg(G, cov)
    assert svg.count('class="link"') == 60
    assert "#c62828" in svg and "#2e7d32" in svg and "#f9a825" in svg  # gap, covered, weak all present
    assert "测试产业产业链图谱" in svg and "Noto Sans CJK SC" in svg
    assert svg.count('class="edge"') == G.subgraph([lc.node for lc in cov.links]).number_of_edges()


def test_html_is_self_contained(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    G, cov = setup
    html = chain_map_html(G, cov)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "<script>" in html and "const DATA = JSON.parse" in html
    html_path, svg_path = save_chain_map(G, cov, tmp_path)
    assert html_path.read_text(encoding="utf-8") == html and svg_path.suffix == ".svg"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary for the headless screenshot")
def test_screenshot_in_headless_chromium(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    playwright = pytest.importorskip("playwright.sync_api")
    G, cov = setup
    html_path, _ = save_chain_map(G, cov, tmp_path)
    out = Path(os.environ.get("MATCHER_TEST_ARTIFACTS", tmp_path)) / "chain_map.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(html_path.as_uri())
        page.hover('g.link[data-node="link:测试产业/l10"]')
        panel = page.inner_text("#panel")
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    assert "环节10号材料组件" in panel and "本地生产企业" in panel
    assert out.stat().st_size > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_names_that_look_like_markup_stay_data(tmp_path: Path) -> None:
    """A firm named ``<!--<script>`` (or ``</script>``) once ended the page's inline script early: the
    panel data is now a JSON block with ``<``, ``>`` and ``&`` escaped, read with JSON.parse."""
    playwright = pytest.importorskip("playwright.sync_api")
    hostile = ["<!--<script>", "</script><b>x</b>", "A&B <!-- -->"]
    firms = [{"id": f"f{i}", "name": name, "park": "园", "products": ["产品10"]} for i, name in enumerate(hostile)]
    G = chain_graph([big_chain()])
    cov = chain_coverage(G, "测试产业", firms, park="园")
    html = chain_map_html(G, cov)
    assert "<!--<script>" not in html and '<script type="application/json"' in html
    html_path, _ = save_chain_map(G, cov, tmp_path)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html_path.as_uri())
        page.hover('g.link[data-node="link:测试产业/l10"]')
        panel = page.inner_text("#panel")
        bold = page.locator("#panel b").count()
        browser.close()
    assert errors == []
    assert all(name in panel for name in hostile), panel
    assert bold == 0, "names are shown as text, never as markup"
