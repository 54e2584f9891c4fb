"""The park staff pages through TestClient: 产业链图谱 (/chain) and 梯度培育 (/tiers, /tiers/enterprise/{id}).

A tiny world worked out by hand (the chain facts are those of tests/test_chain_surfaces.py): park 测试机械园
(苏州, leading industry 工程机械) holds leading firm 甲挖掘机集团 (履带式挖掘机 → 挖掘机) and three SMEs:
a hostile-named one and 丙液压 make 柱塞泵 / 液压齿轮泵 (液压泵: covered), 丁阀门 makes 多路阀 (液压阀: weak).
Park 外园 holds 外园涂料 (防腐涂料, 苏州), the only producer of 工程机械涂料 — a gap of 测试机械园 feeding the
excavator directly, so its 链式招商 candidate and the exposed leading firm are known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher, profiles
from conftest import make_uscc
from fastapi.testclient import TestClient

from api.deps import get_engine
from api.main import create_app
from matcher.auth import accounts, passwords
from matcher.auth.principal import AccountRole
from matcher.domain import Enterprise, Park, Product, Tier
from matcher.engine import Engine
from matcher.io import import_records
from matcher.store import Store
from matcher.store import repository as repo

PARK, OTHER = "测试机械园", "外园"
HOSTILE = "<script>alert(1)</script>液压"
PASSWORD = "park-pages-42"
PERSONAS = {  # persona -> (role, enterprise serial, parks)
    "platform": (AccountRole.PLATFORM_ADMIN, None, ()),
    "park_a": (AccountRole.PARK_ADMIN, None, (PARK,)),
    "park_b": (AccountRole.PARK_ADMIN, None, (OTHER,)),
    "organizer": (AccountRole.ORGANIZER, None, ()),
    "leader": (AccountRole.LEADING_USER, 1, ()),
    "sme": (AccountRole.SME_USER, 3, ()),
}


def firm(n: int, name: str, product: str, park: str = PARK, **extra: object) -> Enterprise:
    fields: dict[str, object] = {"industry_code": "3431", "province": "江苏省", "city": "苏州市", **extra}
    return Enterprise(uscc=make_uscc(n), name=name, park=park, products=[Product(name=product)], **fields)


FIRMS = [
    firm(1, "甲挖掘机集团", "履带式挖掘机", role="leading"),
    firm(2, HOSTILE, "柱塞泵", tier="specialized"),
    firm(3, "丙液压", "液压齿轮泵"),
    firm(4, "丁阀门", "多路阀"),
    firm(6, "外园涂料", "防腐涂料", park=OTHER),
]


@dataclass
class World:
    engine: Engine
    ids: dict[int, int]  # serial -> enterprise id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    passwords.set_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))  # test speed only
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('park') / 'w.db'}")
    parks = [
        Park(name=PARK, province="江苏省", city="苏州市", leading_industries=["工程机械"]),
        Park(name=OTHER, province="江苏省", city="苏州市", leading_industries=["工程机械"]),
    ]
    import_records(store, parks=parks, enterprises=FIRMS)
    for persona, (role, serial, names) in PERSONAS.items():
        uscc = make_uscc(serial) if serial else None
        accounts.create_account(
            store, username=persona, role=role, password=PASSWORD, enterprise=uscc, parks=names
        )
    with store.session() as s:
        by_uscc = repo.enterprise_ids(s)
    return World(Engine(store), {n: by_uscc[make_uscc(n)] for n in (1, 2, 3, 4, 6)})


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: world.engine
    with TestClient(app, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, persona: str) -> None:
    response = client.post("/login", data={"username": persona, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303, response.text


def block(html: str, testid: str) -> str:
    """The text of the element marked ``data-testid=testid`` (sections, articles), tags stripped."""
    found = re.search(
        rf'<(section|article|table|nav|p)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S
    )
    assert found is not None, f"no {testid} block"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(2))))


def block_raw(html: str, testid: str) -> str:
    found = re.search(rf'<section[^>]*data-testid="{testid}"[^>]*>(.*?)</section>', html, re.S)
    assert found is not None, f"no {testid} section"
    return found.group(1)


def gap_card(html: str, link: str) -> str:
    found = re.search(rf'<article[^>]*data-link="{link}"[^>]*>(.*?)</article>', html, re.S)
    assert found is not None, f"no recruitment card for {link}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


def row(text: str, start: str, stop: str) -> str:
    """The part of a block's text from ``start`` up to the next ``stop``."""
    return text[text.index(start) :].split(stop, 1)[0]


# -- 产业链图谱 ----------------------------------------------------------------------------------------------


def test_park_admin_sees_the_map_coverage_gaps_recruitment_and_integration(client: TestClient) -> None:
    log_in(client, "park_a")
    page = client.get("/chain")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert f'<option value="{PARK}" selected>' in html and f'<option value="{OTHER}"' not in html
    assert block(html, "industries").split() == ["工程机械", "8%"]  # 1 covered + 2 weak of 36 links: 3/36
    assert "<svg" in block_raw(html, "chain-map") and "工程机械产业链图谱" in html
    coverage = block(html, "coverage")
    assert "已覆盖" in row(coverage, "液压泵", "丙液压") and "丙液压（液压齿轮泵）" in coverage
    assert "薄弱" in row(coverage, "液压阀", "丁阀门") and "外园涂料" not in coverage
    gaps = block(html, "gaps")
    paint = row(gaps, "工程机械涂料", "下游 1 级")
    assert "缺失" in paint and "仅园区外 1 家" in paint and "甲挖掘机集团" in paint
    card = gap_card(html, "工程机械涂料")
    assert "外园涂料" in card and "主营「防腐涂料」，对应环节「工程机械涂料」（名称一致）" in card
    assert "位于同市（苏州市）" in card
    integration = block(html, "integration")
    assert "甲挖掘机集团 挖掘机 液压泵" in integration and "丙液压" in row(integration, "液压泵", "液压阀")


def test_names_are_escaped_in_tables_and_in_the_inline_map(client: TestClient, world: World) -> None:
    log_in(client, "park_a")
    html = client.get("/chain").text
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;液压" in html
    assert "&lt;script&gt;" in block_raw(html, "chain-map")  # the SVG tooltip of 液压泵
    html = client.get(f"/tiers/enterprise/{world.ids[2]}").text  # (no figures: not in the /tiers pipeline)
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;液压" in html


def test_another_park_is_refused_and_unknown_names_are_404(client: TestClient) -> None:
    log_in(client, "park_a")
    refused = client.get("/chain", params={"park": OTHER})
    assert refused.status_code == 403 and "园区管理员无权查看园区“外园”的产业链分析" in refused.text
    assert "外园涂料" not in refused.text
    missing = client.get("/chain", params={"park": "无此园区"})
    assert missing.status_code == 404 and "园区“无此园区”不存在" in missing.text
    unknown = client.get("/chain", params={"industry": "造船"})
    assert unknown.status_code == 404 and "没有产业链“造船”的模板" in unknown.text


def test_switching_to_an_industry_the_park_does_not_lead_with(client: TestClient) -> None:
    log_in(client, "park_a")
    html = client.get("/chain", params={"industry": "新能源汽车"}).text
    assert "新能源汽车（非主导产业）" in html and "新能源汽车产业链图谱" in html
    assert "工程机械产业链图谱" not in html


def test_platform_picks_any_park(client: TestClient) -> None:
    log_in(client, "platform")
    html = client.get("/chain").text
    assert f'<option value="{PARK}" selected>' in html and f'<option value="{OTHER}">' in html
    other = client.get("/chain", params={"park": OTHER}).text
    assert f'<option value="{OTHER}" selected>' in other
    assert "外园涂料（防腐涂料）" in block(other, "coverage")  # local there


def test_coverage_figure_agrees_with_its_counts(client: TestClient) -> None:
    log_in(client, "park_a")
    summary = block(client.get("/chain").text, "summary")
    numbers = re.search(
        r"本地覆盖率 (\d+)% （(\d+) 个环节中 (\d+) 个有本地企业生产：其中 两家以上 (\d+) 薄弱 (\d+) ）",
        summary,
    )
    assert numbers is not None, summary
    percent, total, present, plenty, weak = map(int, numbers.groups())
    assert (total, present, plenty, weak) == (36, 3, 1, 2)  # the tiny world: 液压泵 covered, two weak
    assert percent == round(100 * present / total) and present == plenty + weak
    assert f"缺失 {total - present}" in summary


def test_an_empty_park_gets_a_short_empty_state_with_the_import_hint(
    client: TestClient, world: World
) -> None:
    empty = Park(name="空园", province="江苏省", city="苏州市", leading_industries=["工程机械"])
    import_records(world.engine.store, parks=[empty])
    log_in(client, "platform")
    page = client.get("/chain", params={"park": "空园"})
    assert page.status_code == 200
    state = block(page.text, "empty-park")
    assert "空园还没有登记企业" in state and "所属园区" in state
    assert 'href="/imports"' in page.text
    for busy in ("chain-map", "coverage", "gaps", "recruitment", "industries"):
        assert f'data-testid="{busy}"' not in page.text
    assert len(page.text) < len(client.get("/chain", params={"park": PARK}).text) / 2


def test_chain_roles_follow_the_policy(client: TestClient) -> None:
    assert client.get("/chain").headers["location"] == "/login?next=/chain"
    log_in(client, "leader")  # CHAIN READ in the policy: its own park, though the navigation omits it
    html = client.get("/chain").text
    assert f'<option value="{PARK}" selected>' in html and "工程机械涂料" in html
    assert client.get("/chain", params={"park": OTHER}).status_code == 403
    log_in(client, "organizer")  # bound to no park
    page = client.get("/chain")
    assert page.status_code == 200 and "尚未绑定园区" in page.text
    log_in(client, "sme")
    refused = client.get("/chain")
    assert refused.status_code == 403 and "中小企业用户无权查看产业链分析" in refused.text


def test_navigation_links_the_two_journeys(client: TestClient) -> None:
    log_in(client, "park_a")
    home = client.get("/").text
    assert '<a href="/chain"' in home and '<a href="/tiers"' in home
    log_in(client, "organizer")
    home = client.get("/").text
    assert '<a href="/chain"' in home and '<a href="/tiers"' not in home


# -- 梯度培育 ----------------------------------------------------------------------------------------------


def test_no_assessment_yet_then_the_assessment_fills_the_pyramid(client: TestClient, world: World) -> None:
    log_in(client, "park_a")
    html = client.get("/tiers").text
    assert "尚无评估" in block(html, "no-assessment") and 'id="run-assessment"' in html
    assert f'href="/api/parks/{quote(PARK)}/tiers/report.xlsx"' in html
    assert f'src="/api/parks/{quote(PARK)}/tiers/pyramid.png"' in html
    pipeline = block(html, "pipeline")
    assert "按 " in pipeline and "评估 4 家企业" in pipeline and "外园涂料" not in pipeline
    # the tiny world reports no figures: no firm is padded into the pipeline with data requests
    assert 'data-testid="pipeline-row"' not in html and "请补报" not in pipeline
    assert "另有 4 家企业缺少判断下一层级所需的数据" in block(html, "awaiting-data")
    for serial in (1, 2, 3, 4):
        assert f'href="/tiers/enterprise/{world.ids[serial]}"' in html
    run = client.post("/api/tiers/assess", params={"park": PARK}, headers={"X-Requested-With": "t"})
    assert run.status_code == 200, run.text
    html = client.get("/tiers").text
    assert "尚无评估" not in html
    latest = block(html, "latest")
    assert f"最近评估年度： {run.json()['as_of'][:4]} 年" in latest and "首个评估年度" in latest
    table = block(html, "pyramid-table")
    for tier, n in run.json()["counts"].items():
        assert f" {Tier(tier).label} {n} " in f" {table} "
    assert "合计 4" in table


def test_tiers_of_another_park_and_of_unknown_parks(client: TestClient) -> None:
    log_in(client, "park_a")
    refused = client.get("/tiers", params={"park": OTHER})
    assert refused.status_code == 403 and "无权查看或评估园区“外园”的梯度培育" in refused.text
    assert client.get("/tiers", params={"park": "无此园区"}).status_code == 404
    log_in(client, "platform")
    other = client.get("/tiers", params={"park": OTHER}).text
    assert "外园涂料" in block(other, "pipeline") and "丙液压" not in other


def test_enterprise_drill_down_shows_assessment_gaps_and_support(client: TestClient, world: World) -> None:
    log_in(client, "park_a")
    hostile = world.ids[2]
    page = client.get(f"/tiers/enterprise/{hostile}")
    assert page.status_code == 200 and HOSTILE not in page.text
    assessment = world.engine.tiers.tier_assessment(hostile)
    facts = block(page.text, "assessment")
    assert f"当前层级 {assessment.tier.label}" in facts
    gaps = block(page.text, "gaps")
    assert assessment.gaps_to_next and all(g.message in gaps for g in assessment.gaps_to_next)
    support = block(page.text, "support")
    plan = world.engine.tiers.tier_support(hostile)
    assert plan.steps and all(step in support for step in plan.steps)
    assert f"返回“{PARK}”梯度培育" in page.text


def test_enterprise_pages_follow_the_record_rules(client: TestClient, world: World) -> None:
    log_in(client, "park_b")
    refused = client.get(f"/tiers/enterprise/{world.ids[2]}")
    assert refused.status_code == 403 and "无权查看该企业的梯度培育评估" in refused.text
    missing = client.get("/tiers/enterprise/999999")
    assert missing.status_code == 404 and "不存在" in missing.text
    log_in(client, "sme")  # its own assessment only: /tiers leads there
    assert client.get("/tiers").headers["location"] == f"/tiers/enterprise/{world.ids[3]}"
    own = client.get(f"/tiers/enterprise/{world.ids[3]}")
    assert own.status_code == 200 and "丙液压" in own.text and "返回“" not in own.text
    assert client.get(f"/tiers/enterprise/{world.ids[4]}").status_code == 403
    log_in(client, "organizer")
    refused = client.get("/tiers")
    assert refused.status_code == 403 and "活动组织方无权查看梯度培育" in refused.text


def test_movement_against_the_previous_assessed_year(client: TestClient, world: World) -> None:
    for year in (2024, 2025):  # the same data twice: 外园涂料 keeps its tier
        world.engine.tiers.assess_tiers(park=OTHER, as_of=dt.date(year, 6, 30))
    log_in(client, "platform")
    html = client.get("/tiers", params={"park": OTHER}).text
    assert "最近评估年度： 2025 年 ，与 2024 年对比" in block(html, "latest")
    assert "2024 年" in block(html, "pyramid-table") and "合计 1 1" in block(html, "pyramid-table")
    movement = block(html, "movement")
    assert "晋级 0 家，降级 0 家，持平 1 家，新入库 0 家，退出 0 家" in movement
