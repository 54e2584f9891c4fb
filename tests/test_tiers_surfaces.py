"""梯度培育 through its surfaces: the ``matcher tiers`` command on the sample park, the REST API, CSV import."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from PIL import Image
from tiers_helpers import make, uscc

from api.deps import get_engine
from api.main import create_app
from matcher.auth import accounts
from matcher.auth.principal import AccountRole
from matcher.auth.tokens import KeyScope
from matcher.cli.demo import load_sample
from matcher.domain import Park, Tier
from matcher.domain.models import InstitutionLevel
from matcher.engine import Engine
from matcher.store import Store
from matcher.store import repository as repo
from matcher.tiers.gaps import fmt

SAMPLE_PARK = "江南新能源与集成电路产业园"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PARK = Park(name="测试园区", province="广东省", city="深圳市")
# 65 points worked out by hand in test_tiers_store.py; the innovation group (15 < 20) keeps it 未入库.
SCORED_65: dict[str, Any] = dict(
    employees=50,
    revenue=2000,
    rd_expense=50,
    revenue_growth=12,
    debt_ratio=50,
    strategic_emerging=False,
    main_business_share=80,
    national_award_rank=0,
    provincial_award_rank=0,
    rd_institution_level="none",
    equity_financing_3y=0,
    patents={"utility_model": 2},
)


# -- CLI -----------------------------------------------------------------------------------------------


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": "", "COLUMNS": "250"}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MATCHER_HOME whose default SQLite store holds the bundled sample, assessed once as of 2024-06-30
    (in-process: each command start costs seconds, so the CLI runs only what is under test)."""
    home = tmp_path_factory.mktemp("home")
    store = Store(f"sqlite:///{home / 'matcher.db'}")
    load_sample(store)
    Engine(store).tiers.assess_tiers(park=SAMPLE_PARK, as_of=dt.date(2024, 6, 30))
    store.dispose()
    return home


def test_cli_assess_saves_and_history_shows_the_path(sample_home: Path) -> None:
    result = run(
        sample_home, "tiers", "assess", "--park", SAMPLE_PARK, "--as-of", "2025-06-30", "--limit", "3"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "已保存评估记录：新增 90，更新 0" in out
    for expected in (
        "已认定层级",
        "评估层级",
        "苏州晶弘汽车集团股份有限公司",
        "单项冠军",
        "另有 87 家未列出",
    ):
        assert expected in out
    unsaved = run(sample_home, "tiers", "assess", "--park", SAMPLE_PARK, "--as-of", "2026-06-30", "--no-save")
    assert unsaved.returncode == 0 and "已保存" not in unsaved.stdout
    history = run(sample_home, "tiers", "history", "--enterprise", "1")
    assert history.returncode == 0, history.stderr
    assert "层级路径：2024 单项冠军 → 2025 单项冠军\n" in history.stdout, "--no-save kept 2026 out"


def test_cli_report_names_tier_points_and_gap_and_draws_the_pyramid(
    sample_home: Path, tmp_path: Path
) -> None:
    xlsx, png = tmp_path / "report.xlsx", tmp_path / "pyramid.png"
    args = ("tiers", "report", "--park", SAMPLE_PARK, "--output", str(xlsx), "--chart", str(png))
    result = run(sample_home, *args, "--as-of", "2025-06-30")
    assert result.returncode == 0, result.stderr
    assert "已写入报告" in result.stdout and "90 家企业" in result.stdout
    engine = Engine(Store(f"sqlite:///{sample_home / 'matcher.db'}"))
    expected = {
        a.uscc: a
        for a in engine.tiers.assess_tiers(park=SAMPLE_PARK, as_of=dt.date(2025, 6, 30), save=False).assessments
    }
    sheet = load_workbook(xlsx)["企业评估"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 90 and {r["统一社会信用代码"] for r in rows} == set(expected)
    for row in rows:
        a = expected[row["统一社会信用代码"]]
        assert row["评估层级"] == a.tier.label and row["企业名称"] == a.name
        innovative = a.results[Tier.INNOVATIVE]
        if innovative.points is not None:
            assert row["创新型评价得分"] == fmt(innovative.points)
        assert (row["差距"] or "") == "\n".join(g.message for g in a.gaps_to_next)
    assert sum(1 for r in rows if r["差距"]) >= 60, "most of the park has a next tier and a gap to it"
    first = next(r for r in rows if r["企业名称"] == "苏州晶弘汽车集团股份有限公司")
    assert first["评估层级"] == "制造业单项冠军企业" and first["专精特新评价得分"] == "83.8"
    years = [[c.value for c in row] for row in load_workbook(xlsx)["梯度金字塔"].iter_rows(min_row=2)]
    assert all(sum(y[1:7]) == 90 for y in years)
    assert png.read_bytes()[:8] == PNG_MAGIC
    with Image.open(png) as image:
        assert image.size[0] > 300 and image.size[1] > 200


def test_cli_refuses_an_unknown_park_in_chinese(sample_home: Path, tmp_path: Path) -> None:
    result = run(
        sample_home, "tiers", "report", "--park", "不存在的园区", "--output", str(tmp_path / "r.xlsx")
    )
    assert result.returncode == 1 and "园区“不存在的园区”不存在" in result.stderr


# -- indicators imported with the enterprise data ------------------------------------------------------


def test_chinese_indicator_columns_import_and_decide_the_tier(tmp_path: Path) -> None:
    (tmp_path / "parks.csv").write_text("园区名称,省份\n测试园区,广东省\n", encoding="utf-8")
    rows = [
        "统一社会信用代码,企业名称,所属园区,行业代码（GB/T 4754-2017）,从业人员,营业收入（万元）,研发机构级别",
        f"{uscc(1)},省级研发机构有限公司,测试园区,3841,50,2000,省级",
        f"{uscc(2)},市级研发机构有限公司,测试园区,3841,50,2000,市级",
    ]
    (tmp_path / "enterprises.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    engine = Engine(Store(f"sqlite:///{tmp_path / 'm.db'}"))
    engine.registry.import_file(tmp_path / "parks.csv")
    engine.registry.import_file(tmp_path / "enterprises.csv")
    provincial, municipal = engine.registry.enterprises(park="测试园区")
    assert provincial.record.indicators.rd_institution_level is InstitutionLevel.PROVINCIAL
    progress: list[tuple[int, int]] = []
    run_ = engine.tiers.assess_tiers(
        park="测试园区", as_of=dt.date(2025, 6, 30), on_progress=lambda *p: progress.append(p)
    )
    assert progress == [(2, 2)]
    # 省级 is a 省部级以上研发机构: the direct route to 创新型; 市级 is not, and nothing else is reported.
    assert [a.tier for a in run_.assessments] == [Tier.INNOVATIVE, Tier.NONE]
    assert run_.saved == (2, 0)


# -- REST API ------------------------------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    e = Engine(Store(f"sqlite:///{tmp_path / 'api.db'}"))
    with e.store.session() as s:
        repo.upsert_parks(s, parks=[PARK])
        repo.upsert_enterprises(
            s,
            enterprises=[
                make(1, **SCORED_65).model_copy(update={"park": PARK.name}),
                make(2, employees=50, revenue=2000, rd_institution_level="provincial").model_copy(
                    update={"park": PARK.name}
                ),
            ],
        )
    return e


def api_key(engine: Engine, username: str, role: AccountRole, **binding: Any) -> dict[str, str]:
    """A system account of ``role`` (no password) and the header carrying its API key."""
    accounts.create_account(engine.store, username=username, role=role, password=None, **binding)
    key = accounts.issue_api_key(engine.store, username=username, name="test", scope=KeyScope.WRITE)
    return {"X-API-Key": key.plain}


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """A client signed in as a platform admin (the record rules are tested apart)."""
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: engine
    with TestClient(app, headers=api_key(engine, "platform", AccountRole.PLATFORM_ADMIN)) as c:
        yield c


def test_api_assess_one_enterprise_in_chinese(client: TestClient) -> None:
    body = client.get("/api/tiers/assess/1", params={"as_of": "2025-06-30"}).json()
    assert (body["tier"], body["tier_label"], body["points"], body["points_tier"]) == (
        "none",
        "未入库",
        65.0,
        "innovative",
    )
    assert body["gaps"][0]["message"] == "创新型创新能力指标得分 15 分，距 20 分差 5 分"
    assert any("自主研发的Ⅰ类知识产权" in step for step in body["steps"])
    innovative = next(r for r in body["results"] if r["tier"] == "innovative")
    assert sum(i["points"] for i in innovative["indicators"]) == 65
    response = client.get("/api/tiers/assess/99")
    assert response.status_code == 404 and "企业不存在" in response.json()["message"]


def test_api_assess_park_saves_and_pyramid_follows_the_years(client: TestClient, engine: Engine) -> None:
    first = client.post("/api/tiers/assess", params={"park": PARK.name, "as_of": "2024-06-30"}).json()
    assert (first["created"], first["updated"], first["count"]) == (2, 0, 2)
    assert [r["tier"] for r in first["data"]] == ["none", "innovative"]
    assert first["data"][0]["main_gap"].startswith("自主研发的Ⅰ类知识产权 0 项")
    again = client.post("/api/tiers/assess", params={"park": PARK.name, "as_of": "2024-06-30"}).json()
    assert (again["created"], again["updated"]) == (0, 2)
    grown = make(1, **{**SCORED_65, "rd_institution_level": "national"}).model_copy(
        update={"park": PARK.name}
    )
    with engine.store.session() as s:
        repo.upsert_enterprises(s, enterprises=[grown])
    client.post("/api/tiers/assess", params={"park": PARK.name, "as_of": "2025-06-30"})
    years = client.get(f"/api/parks/{PARK.name}/tiers/pyramid").json()
    assert years["count"] == 2
    y24, y25 = years["data"]
    assert (y24["counts"]["none"], y24["counts"]["innovative"]) == (1, 1)
    assert (y25["counts"]["none"], y25["counts"]["innovative"], y25["up"], y25["same"]) == (0, 2, 1, 1)
    assert y25["moves"] == [{"from_tier": "none", "to_tier": "innovative", "count": 1}]


def test_api_report_and_chart_downloads(client: TestClient) -> None:
    response = client.get(f"/api/parks/{PARK.name}/tiers/report.xlsx", params={"as_of": "2025-06-30"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/vnd.openxml"
    )
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["企业评估"]
    names = {row[0].value: row[2].value for row in sheet.iter_rows(min_row=2)}
    assert names == {"测试企业1": "未入库", "测试企业2": "创新型中小企业"}
    chart = client.get(f"/api/parks/{PARK.name}/tiers/pyramid.png")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content[:8] == PNG_MAGIC


@pytest.mark.parametrize("path", ["/tiers/pyramid", "/tiers/report.xlsx", "/tiers/pyramid.png"])
def test_api_unknown_park_is_404_in_chinese(client: TestClient, path: str) -> None:
    response = client.get(f"/api/parks/无此园区{path}")
    assert response.status_code == 404 and response.json()["message"] == "园区“无此园区”不存在"


def test_api_post_unknown_park_is_404(client: TestClient) -> None:
    response = client.post("/api/tiers/assess", params={"park": "无此园区"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_record_rules_keep_assessments_private(client: TestClient, engine: Engine) -> None:
    with engine.store.session() as s:
        repo.upsert_parks(s, parks=[Park(name="别的园区")])
    own = api_key(engine, "sme1", AccountRole.SME_USER, enterprise=uscc(1))
    other_admin = api_key(engine, "other", AccountRole.PARK_ADMIN, parks=["别的园区"])
    our_admin = api_key(engine, "ours", AccountRole.PARK_ADMIN, parks=[PARK.name])
    assert client.get("/api/tiers/assess/1", headers=own).status_code == 200
    assert client.get("/api/tiers/assess/2", headers=own).status_code == 403
    assert client.get(f"/api/parks/{PARK.name}/tiers/pyramid", headers=own).status_code == 403
    denied = client.get(f"/api/parks/{PARK.name}/tiers/pyramid", headers=other_admin)
    assert denied.status_code == 403 and "无权" in denied.json()["message"]
    assert (
        client.post("/api/tiers/assess", params={"park": PARK.name}, headers=other_admin).status_code == 403
    )
    assert client.post("/api/tiers/assess", headers=our_admin).status_code == 403, "all parks: platform only"
    assert client.post("/api/tiers/assess", params={"park": PARK.name}, headers=our_admin).status_code == 200
    assert client.post("/api/tiers/assess", params={"park": PARK.name}, headers=own).status_code == 403
    anonymous = client.get("/api/tiers/assess/1", headers={"X-API-Key": ""})
    assert anonymous.status_code == 401
