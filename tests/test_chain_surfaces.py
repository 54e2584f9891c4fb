"""Park chain analysis through its surfaces: the engine on a tiny hand-built park, ``matcher chain`` on the
sample park (gaps as the sample was built), the REST API, and the chain map rendered in headless Chromium.

The tiny park 测试机械园 (苏州), leading industry 工程机械 (36 links in data/chains):
L1 leading 履带式挖掘机 (excavator); S1 柱塞泵 and S2 液压齿轮泵 (hydraulic_pump, covered); S3 多路阀
(hydraulic_valve, weak); S4 面包 (no link). Outside: O1 in 外园 (苏州) 防腐涂料 (paint), O2 without a park
回转支承 (bearings). So covered = {hydraulic_pump}, weak = {excavator, hydraulic_valve}, gaps = the other 33,
of which paint and bearings have outside producers only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, make_uscc
from fastapi.testclient import TestClient

from api.auth import current_principal, undeclared
from api.deps import get_engine
from api.main import create_app
from matcher.auth.errors import PermissionDenied
from matcher.auth.principal import AccountRole, Principal
from matcher.cli.demo import load_sample
from matcher.domain import Enterprise, Park, Product
from matcher.engine import Engine
from matcher.errors import NotFoundError
from matcher.graph import LinkCoverage, LinkStatus, load_template
from matcher.store import Store
from matcher.store import repository as repo

PARK, OTHER = "测试机械园", "外园"
LINK_IDS = [lk.id for lk in load_template(REPO / "data" / "chains" / "construction_machinery.yaml").links]
GAPS = sorted(set(LINK_IDS) - {"hydraulic_pump", "excavator", "hydraulic_valve"})
SAMPLE = json.loads((REPO / "data" / "sample" / "expected.json").read_text("utf-8"))
SAMPLE_PARK = "江南新能源与集成电路产业园"


def firm(n: int, name: str, product: str, park: str = PARK, **extra: object) -> Enterprise:
    fields: dict[str, object] = {"industry_code": "3431", "province": "江苏省", "city": "苏州市", **extra}
    return Enterprise(uscc=make_uscc(n), name=name, park=park, products=[Product(name=product)], **fields)


FIRMS = [
    firm(1, "甲挖掘机集团", "履带式挖掘机", role="leading"),
    firm(2, "乙液压", "柱塞泵", tier="specialized"),
    firm(3, "丙液压", "液压齿轮泵"),
    firm(4, "丁阀门", "多路阀"),
    firm(5, "戊食品", "面包", industry_code="1411"),
    firm(6, "外园涂料", "防腐涂料", park=OTHER),
    firm(7, "无园轴承", "回转支承", park=""),
]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    e = Engine(Store(f"sqlite:///{tmp_path / 'chain.db'}"))
    parks = [Park(name=PARK, province="江苏省", city="苏州市", leading_industries=["工程机械", "纺织"])]
    with e.store.session() as s:
        repo.upsert_parks(s, parks=[*parks, Park(name=OTHER)])
        repo.upsert_enterprises(s, enterprises=FIRMS)
    return e


def ids(links: list[LinkCoverage]) -> list[str]:
    return sorted(lc.node.rsplit("/", 1)[-1] for lc in links)


# -- engine on the tiny park -------------------------------------------------------------------------------


def test_coverage_gaps_weak_and_exposure_worked_out_by_hand(engine: Engine) -> None:
    chains = engine.chain.park_chains(PARK)
    assert chains.untemplated == ["纺织"] and [c.industry for c in chains.coverages] == ["工程机械"]
    cov = chains.coverages[0]
    assert len(cov.links) == len(LINK_IDS) == 36
    assert ids(cov.gaps) == GAPS and ids(cov.weak) == ["excavator", "hydraulic_valve"]
    by_id = {lc.node.rsplit("/", 1)[-1]: lc for lc in cov.links}
    assert by_id["hydraulic_pump"].status is LinkStatus.COVERED
    assert {lc for lc, v in by_id.items() if v.outside_only} == {"paint", "bearings"}
    # paint and bearings feed the excavator directly; forgings → bearings → excavator is two steps
    exposed = {k: [(e.firm.name, e.distance) for e in by_id[k].exposed] for k in ("paint", "forgings")}
    assert exposed == {"paint": [("甲挖掘机集团", 1)], "forgings": [("甲挖掘机集团", 2)]}
    assert [(f.name, p) for f, p in cov.unlinked] == [("戊食品", "面包")]


def test_recruitment_from_the_rest_of_the_registry(engine: Engine) -> None:
    rows = {g.link.node.rsplit("/", 1)[-1]: g for g in engine.chain.chain_recruitment(PARK)}
    assert sorted(rows) == GAPS
    (paint,) = rows["paint"].candidates
    assert paint.firm.name == "外园涂料" and "位于同市（苏州市）" in paint.reasons
    assert paint.reasons[0] == "主营「防腐涂料」，对应环节「工程机械涂料」（名称一致）"
    assert [c.firm.name for c in rows["bearings"].candidates] == ["无园轴承"]
    assert rows["forgings"].candidates == []


def test_integration_prefers_the_newest_saved_tier(engine: Engine) -> None:
    rows = {r.upstream: r for r in engine.chain.chain_integration(PARK)[0].rows}
    assert len(rows) == 14 and {r.leading.name for r in rows.values()} == {"甲挖掘机集团"}
    pump = rows["液压泵"].suppliers
    assert [(s.firm.name, s.tier_label, s.product) for s in pump] == [
        ("乙液压", "专精特新中小企业", "柱塞泵"),  # declared tier, ranked first
        ("丙液压", "未入库", "液压齿轮泵"),
    ]
    assert [s.firm.name for s in rows["液压阀"].suppliers] == ["丁阀门"] and rows[
        "工程机械涂料"
    ].suppliers == ()
    run = engine.tiers.assess_tiers(park=PARK, as_of=dt.date(2025, 6, 30))
    assessed = {a.name: a.tier.label for a in run.assessments}
    pump = {r.upstream: r for r in engine.chain.chain_integration(PARK)[0].rows}["液压泵"].suppliers
    assert pump[0].tier_label == f"{assessed['乙液压']}（2025-06-30 评估）"


def test_leading_industry_check_warns_when_firms_sit_outside(engine: Engine) -> None:
    found = engine.chain.chain_check(PARK)
    assert found.check.ok and found.check.in_chains == pytest.approx(4 / 5) and found.untemplated == ["纺织"]
    crowd = [firm(10 + i, f"食品{i}", "面包", industry_code="1411") for i in range(5)]
    with engine.store.session() as s:
        repo.upsert_enterprises(s, enterprises=crowd)
    found = engine.chain.chain_check(PARK)
    assert not found.check.ok and found.check.in_chains == pytest.approx(4 / 10)
    assert "主导产业之外" in found.check.problems[0] and found.check.top_outside[0] == ("食品制造业", 6)


def test_unknown_park_or_industry_and_the_park_rule(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="园区“无此园区”不存在"):
        engine.chain.park_chains("无此园区")
    with pytest.raises(NotFoundError, match="没有产业链“造船”的模板"):
        engine.chain.park_chains(PARK, industry="造船")
    with engine.store.session() as s:
        other_id = repo.park_ids(s)[OTHER]
    stranger = Principal(1, AccountRole.PARK_ADMIN, park_ids=frozenset({other_id}))
    with pytest.raises(PermissionDenied, match="无权查看园区“测试机械园”的产业链分析"):
        engine.chain.park_chains(PARK, principal=stranger)


# -- the sample park: the engine, then the installed command ----------------------------------------------


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    store = Store(f"sqlite:///{home / 'matcher.db'}")
    load_sample(store)
    store.dispose()
    return home


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": "", "COLUMNS": "250"}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=180)


def test_engine_finds_the_sample_gaps_and_weak_links_in_every_park(sample_home: Path) -> None:
    engine = Engine(Store(f"sqlite:///{sample_home / 'matcher.db'}"))
    for park, industries in SAMPLE["expected_gaps"].items():
        chains = engine.chain.park_chains(park)
        assert {c.industry for c in chains.coverages} == set(industries)
        for cov in chains.coverages:
            assert ids(cov.gaps) == sorted(industries[cov.industry]), (park, cov.industry)
            assert ids(cov.weak) == sorted(SAMPLE["expected_weak_links"][park][cov.industry])


def parse_gaps(out: str) -> dict[tuple[str, str], list[str]]:
    """(industry, 缺失环节|薄弱环节) -> the link ids of the table's 编号 column."""
    found: dict[tuple[str, str], list[str]] = {}
    section: tuple[str, str] | None = None
    for line in out.splitlines():
        if title := re.match(r"^(\S+) · (缺失环节|薄弱环节)（\d+）", line.strip()):
            section = (title[1], title[2])
            found[section] = []
        elif section and (row := re.match(r"^[│|] ([a-z][a-z0-9_]*) +[│|]", line)):
            found[section].append(row[1])
    return found


def test_cli_gaps_list_the_sample_construction(sample_home: Path) -> None:
    result = run(sample_home, "chain", "gaps", "--park", SAMPLE_PARK)
    assert result.returncode == 0, result.stderr
    found = parse_gaps(result.stdout)
    for industry, gaps in SAMPLE["expected_gaps"][SAMPLE_PARK].items():
        assert sorted(found[(industry, "缺失环节")]) == sorted(gaps), industry
        assert sorted(found[(industry, "薄弱环节")]) == sorted(
            SAMPLE["expected_weak_links"][SAMPLE_PARK][industry]
        )
    assert "受影响的龙头企业" in result.stdout and "苏州晶弘汽车集团股份有限公司" in result.stdout
    missing = run(sample_home, "chain", "gaps", "--park", "无此园区")
    assert missing.returncode == 1 and "园区“无此园区”不存在" in missing.stderr


def test_cli_map_writes_html_and_svg_that_render_in_chromium(sample_home: Path, tmp_path: Path) -> None:
    result = run(
        sample_home, "chain", "map", "--park", SAMPLE_PARK, "--industry", "新能源汽车", "-o", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    html, svg = tmp_path / "新能源汽车.html", tmp_path / "新能源汽车.svg"
    assert svg.read_text("utf-8").count('class="link"') == 48 and "本地覆盖率 67%" in svg.read_text("utf-8")
    shot = screenshot(html, REPO / "artifacts" / "chain_map_新能源汽车.png")
    assert shot.stat().st_size > 20_000


def screenshot(html: Path, out: Path) -> Path:
    """Open the page in headless Chromium (as wide as the map), save a screenshot of the whole map, then
    hover a gap, check the side panel and the fading, and save that state too (``<out>_hover.png``)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="需要 playwright 才能在浏览器中检查图谱")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("未找到 /usr/bin/chromium：无法在无头浏览器中检查图谱")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    out.parent.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(html.as_uri())
            size = page.locator("#map svg").bounding_box()
            assert size is not None and size["width"] > 1000  # eight columns, upstream to downstream
            page.set_viewport_size({"width": int(size["width"]) + 340, "height": int(size["height"]) + 40})
            assert page.locator("g.link").count() == 48
            box = page.locator("g.link text").first.bounding_box()
            assert box is not None and box["width"] > 20  # CJK labels are drawn, not blank
            page.screenshot(path=str(out), full_page=True)
            page.locator("g.link[data-node='link:新能源汽车/cell']").hover()
            panel = page.inner_text("#panel")
            assert "动力电池电芯" in panel and "缺失" in panel and "苏州晶弘汽车集团股份有限公司" in panel
            assert page.locator("g.link.dim").count() > 30  # the rest of the chain fades
            page.screenshot(path=str(out.with_name(out.stem + "_hover.png")), full_page=True)
        finally:
            browser.close()
    return out


# -- REST API ----------------------------------------------------------------------------------------------


def app_client(engine: Engine, principal: Principal | None) -> TestClient:
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: engine
    app.dependency_overrides[current_principal] = lambda: principal
    return TestClient(app)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with app_client(engine, Principal(1, AccountRole.PLATFORM_ADMIN)) as c:
        yield c


def test_api_coverage_gaps_and_check(client: TestClient) -> None:
    body = client.get(f"/api/parks/{PARK}/chain").json()
    assert body["untemplated"] == ["纺织"]
    (chain,) = body["data"]
    assert sorted(chain["gaps"]) == GAPS and sorted(chain["weak"]) == ["excavator", "hydraulic_valve"]
    assert chain["links"][0]["depth"] == 0 and chain["coverage"] == pytest.approx(round(3 / 36, 4))
    gaps = client.get(f"/api/parks/{PARK}/chain/gaps", params={"industry": "工程机械"}).json()["data"][0]
    paint = next(lc for lc in gaps["gaps"] if lc["id"] == "paint")
    assert paint["outside_only"] and paint["exposed"][0]["firm"]["name"] == "甲挖掘机集团"
    check = client.get(f"/api/parks/{PARK}/chain/check").json()
    assert (
        check["ok"]
        and check["in_chains"] == 0.8
        and check["top_outside"] == [{"industry": "食品制造业", "count": 1}]
    )


def test_api_recruitment_and_integration(client: TestClient) -> None:
    rec = client.get(f"/api/parks/{PARK}/chain/recruitment", params={"top": 1}).json()
    assert rec["count"] == 33
    paint = next(g for g in rec["data"] if g["link"]["id"] == "paint")
    assert paint["candidates"][0]["firm"]["name"] == "外园涂料" and paint["candidates"][0]["city"] == "苏州市"
    rows = client.get(f"/api/parks/{PARK}/chain/integration").json()["data"]
    pump = next(r for r in rows if r["upstream"] == "液压泵")
    assert [(s["firm"]["name"], s["tier_label"]) for s in pump["suppliers"]] == [
        ("乙液压", "专精特新中小企业"),
        ("丙液压", "未入库"),
    ]


def test_api_serves_the_chain_map(client: TestClient) -> None:
    page = client.get(f"/api/parks/{PARK}/chain/map/工程机械.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "工程机械产业链图谱" in page.text and page.text.count('class="link"') == 36
    svg = client.get(f"/api/parks/{PARK}/chain/map/工程机械.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    missing = client.get(f"/api/parks/{PARK}/chain/map/造船.svg")
    assert missing.status_code == 404 and "造船" in missing.json()["message"]


def test_api_access_rules(engine: Engine) -> None:
    assert not [r for r in undeclared(create_app()) if "/chain" in r]
    with app_client(engine, None) as anonymous:
        assert anonymous.get(f"/api/parks/{PARK}/chain").status_code == 401
    with engine.store.session() as s:
        parks = repo.park_ids(s)
    own = Principal(2, AccountRole.PARK_ADMIN, park_ids=frozenset({parks[PARK]}))
    other = Principal(3, AccountRole.PARK_ADMIN, park_ids=frozenset({parks[OTHER]}))
    sme = Principal(4, AccountRole.SME_USER, park_ids=frozenset({parks[PARK]}), enterprise_id=2)
    with app_client(engine, own) as c:
        assert c.get(f"/api/parks/{PARK}/chain/gaps").status_code == 200
    with app_client(engine, other) as c:
        assert c.get(f"/api/parks/{PARK}/chain/gaps").status_code == 403
    with app_client(engine, sme) as c:
        assert c.get(f"/api/parks/{PARK}/chain/check").status_code == 403
    with app_client(engine, Principal(1, AccountRole.PLATFORM_ADMIN)) as c:
        assert c.get("/api/parks/无此园区/chain").status_code == 404
