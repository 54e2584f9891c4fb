"""Honest results in headless Chromium against ``matcher serve`` with the default encoders (use-m3, company
profiles by e5-graph where set-up built it; the other browser tests use the fake encoder): a leading firm
publishes a demand for LFP cathode material that requires IATF 16949 and a technology demand that describes
a failure; the pages show relevant firms with plain-language reasons (numbers behind 详情) or say why there
are none, and one click relaxes the certification. The sample registry holds no maker of the material, so
the test first imports a few through the import page. Screenshots: artifacts/screenshots/results_*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from e2e.conftest import serve_sample
from e2e.harness import Site, log_in, shoot
from matcher.domain.uscc import check_character
from matcher.encoders.factory import built

pytestmark = pytest.mark.slow  # real models in the server

HEADER = (
    "统一社会信用代码,企业名称,所属园区,行业代码（GB/T 4754-2017）,企业角色,主要产品,能力与工艺,资质认证\n"
)
LFP = "磷酸铁锂正极材料"
# serial -> (name, industry code, products, capabilities, certifications)
FIRMS = {
    910000001: ("赣锋正源锂电材料有限公司", "3985", LFP, "高温固相烧结与砂磨喷雾干燥", "ISO 9001"),
    910000002: (
        "湘江锂能新材料有限公司",
        "3985",
        f"{LFP}；磷酸铁",
        "液相合成与碳包覆",
        "ISO 9001；ISO 14001",
    ),
    910000003: ("皖北储能材料有限公司", "3985", LFP, "纳米化与碳包覆", ""),
    910000004: (
        "江宁耐寒高分子材料有限公司",
        "2929",
        "耐低温增韧改性塑料；增韧改性聚丙烯",
        "注塑件低温脆裂失效分析与增韧改性配方开发",
        "ISO 9001",
    ),
}
NUMBER = re.compile(r"\d\.\d\d")  # a channel value such as 0.53: kept out of the plain sentence


def uscc(serial: int) -> str:
    body = f"91110108{serial:09d}"
    return body + check_character(body)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server of its own with the real default encoders (loaded offline; e5-graph when it was built)."""
    profiles = "e5-graph" if built("e5-graph") else "same"
    env = {"MATCHER_ENCODER": "use-m3", "MATCHER_PROFILE_ENCODER": profiles}
    yield from serve_sample(tmp_path_factory, "results", env)


@pytest.fixture(scope="module")
def imported(browser: Any, site: Site, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The platform admin imports ``FIRMS`` through the import page (the normal import path)."""
    path = tmp_path_factory.mktemp("results") / "正极材料与改性塑料企业.csv"
    rows = [
        f"{uscc(n)},{name},{site.facts['park']},{code},中小企业,{products},{caps},{certs}\n"
        for n, (name, code, products, caps, certs) in FIRMS.items()
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, site, "platform")
        page.goto(f"{site.url}/imports")
        page.set_input_files("input[name=file]", str(path))
        page.get_by_test_id("import-submit").click()
        page.get_by_test_id("import-result").locator("table.counts").wait_for(timeout=60_000)
        assert f"导入完成：企业新增 {len(FIRMS)}" in page.get_by_test_id("import-result").inner_text()
    finally:
        context.close()


def publish(page: Any, site: Site, fields: dict[str, str], kind: str = "procurement") -> None:
    """As the sample's leading firm, publish a demand with the form and land on its candidates. The first
    search of a fresh server loads the real models and embeds the pool (tens of seconds on a busy machine)."""
    page.set_default_timeout(180_000)
    log_in(page, site, "leader")
    page.goto(f"{site.url}/demands/new")
    page.check(f"input[name=kind][value={kind}]")
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/demands/*", timeout=180_000)


def check_reasons(page: Any) -> list[str]:
    """Each candidate's reason is a plain sentence; its numbers open under 详情 (no JavaScript needed)."""
    candidates = page.get_by_test_id("candidate")
    reasons = []
    for i in range(candidates.count()):
        row = candidates.nth(i)
        reason = row.get_by_test_id("reason").inner_text()
        assert reason.startswith("对方") and not NUMBER.search(reason.split("；加分")[0]), reason
        details = row.locator("details.numbers")
        assert not details.locator("p").is_visible()
        details.locator("summary", has_text="详情").click()
        assert "相关度" in details.locator("p").inner_text()
        reasons.append(reason)
    return reasons


def test_lfp_demand_says_who_the_certification_keeps_out_and_relaxes_it(
    page: Any, site: Site, imported: None
) -> None:
    publish(
        page,
        site,
        {
            "title": f"采购{LFP}",
            "product": LFP,
            "quantity": "500",
            "unit": "吨",
            "required_certifications": "IATF 16949",
        },
    )
    why = page.get_by_test_id("why-none").inner_text()
    message = re.search(rf"(\d+) 家生产[^。]*{LFP}[^。]*的企业未满足资质 IATF 16949", why)
    assert message and int(message.group(1)) >= 3, why  # the three imported makers hold no IATF 16949
    names = page.get_by_test_id("candidate").locator(".name").all_inner_texts()
    assert not {f[0] for f in FIRMS.values()} & set(names)
    shoot(page, "results_lfp_certification")

    page.get_by_test_id("relax").first.click()
    page.wait_for_load_state()
    assert "本次查看已放宽：资质 IATF 16949" in page.get_by_test_id("relaxed").inner_text()
    names = page.get_by_test_id("candidate").locator(".name").all_inner_texts()
    imported = [FIRMS[n][0] for n in (910000001, 910000002, 910000003)]
    assert set(imported) <= set(names[:6]), names
    reasons = check_reasons(page)
    top = reasons[names.index(imported[0])]
    assert top.startswith(f"对方主营“{LFP}”，即所需的“{LFP}”"), top
    assert (
        "资质 IATF 16949：不满足"
        in page.get_by_test_id("candidate").nth(names.index(imported[0])).inner_text()
    )
    shoot(page, "results_lfp_relaxed")


def test_a_failure_described_as_a_problem_gets_firms_or_an_honest_none(
    page: Any, site: Site, imported: None
) -> None:
    publish(
        page,
        site,
        {"title": "注塑外壳低温脆裂改进", "problem": "我们的注塑外壳在冬季低温下出现脆裂，希望寻求改进方案"},
        kind="technology",
    )
    candidates = page.get_by_test_id("candidate")
    if candidates.count():
        reasons = check_reasons(page)
        assert all("即所需" not in r for r in reasons), reasons  # no product is named in the problem
        names = candidates.locator(".name").all_inner_texts()
        assert FIRMS[910000004][0] in names, names  # the firm that fixes low-temperature cracking
    else:
        assert "未找到主营所需产品的企业" in page.get_by_test_id("why-none").inner_text()
    shoot(page, "results_problem")
