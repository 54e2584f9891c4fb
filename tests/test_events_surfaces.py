"""The sample 对接会 through ``matcher event`` (installed entry point) and the REST API."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.auth import current_principal
from api.deps import get_engine
from api.main import create_app
from matcher.auth.principal import AccountRole, Principal
from matcher.engine import Engine
from matcher.io import import_file
from matcher.sample.event import render_event_yaml, sample_event
from matcher.sample.generator import generate_sample
from matcher.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
CODE = "JN-20250716"


def _import_sample(db: Path) -> Store:
    store = Store(f"sqlite:///{db}")
    for name in ("parks.csv", "enterprises.csv", "demands.csv"):
        import_file(store, SAMPLE / name)
    return store


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": ""}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)


def test_committed_sample_event_matches_the_generator() -> None:
    text = render_event_yaml(sample_event(generate_sample()))
    assert (SAMPLE / "event.yaml").read_text(encoding="utf-8") == text, "run python data/generate_sample.py"
    data = yaml.safe_load(text)
    roles = [p["role"] for p in data["participants"]]
    assert roles.count("龙头企业") >= 5 and 40 <= roles.count("中小企业") <= 60
    assert {p["level"] for p in data["preferences"]} == {"must", "want", "no"}


def test_cli_create_schedule_export_outcome_report(tmp_path: Path) -> None:
    _import_sample(tmp_path / "matcher.db").dispose()
    result = run(tmp_path, "event", "create", str(SAMPLE / "event.yaml"))
    assert result.returncode == 0, result.stderr
    assert f"已创建对接会 {CODE}" in result.stdout
    result = run(tmp_path, "event", "schedule", CODE, "--time-limit", "5")
    assert result.returncode == 0, result.stderr
    assert "已保存第 1 版排程" in result.stdout and "OPTIMAL" in result.stdout and "上界" in result.stdout
    master = tmp_path / "总排程.xlsx"
    assert run(tmp_path, "event", "export", CODE, "--what", "master", "--output", str(master)).returncode == 0
    rows = list(load_workbook(master)["洽谈清单"].iter_rows(values_only=True))
    assert rows[0][:4] == ("时段", "桌号", "龙头企业", "中小企业") and len(rows) > 50
    ics = tmp_path / "B01.ics"
    assert (
        run(
            tmp_path, "event", "export", CODE, "--what", "ics", "--participant", "B01", "-o", str(ics)
        ).returncode
        == 0
    )
    items = [c for c in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")]
    buyer_meetings = [r for r in rows[1:] if r[2] == "苏州旭光半导体科技集团股份有限公司"]
    assert len(items) == len(buyer_meetings) > 0
    assert str(items[0]["summary"]).startswith("洽谈：")
    first = buyer_meetings[0][3]
    result = run(tmp_path, "event", "outcome", CODE, "--buyer", "B01", "--sme", first, "--result", "签约")
    assert result.returncode == 0, result.stderr
    result = run(tmp_path, "event", "report", CODE)
    assert result.returncode == 0 and "签约 1 项" in result.stdout


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, Principal]]]:
    engine = Engine(_import_sample(tmp_path / "api.db"))
    who = {"p": Principal(account_id=1, role=AccountRole.PLATFORM_ADMIN)}
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: engine
    app.dependency_overrides[current_principal] = lambda: who["p"]
    with TestClient(app) as c:
        yield c, who


def test_api_event_lifecycle(client: tuple[TestClient, dict[str, Principal]]) -> None:
    c, who = client
    definition = yaml.safe_load((SAMPLE / "event.yaml").read_text(encoding="utf-8"))
    created = c.post("/api/events", json=definition)
    assert created.status_code == 201, created.text
    assert created.json()["event"]["participants"][0]["role"] == "leading"
    assert c.get("/api/events").json()["data"][0]["sme_count"] == 50
    solved = c.post(f"/api/events/{CODE}/schedule", json={"time_limit": 5})
    assert solved.status_code == 200, solved.text
    body = solved.json()
    assert body["version"] == 1 and body["stats"]["status"] == "OPTIMAL" and body["stats"]["gap"] == 0.0
    assert c.get(f"/api/events/{CODE}/schedule").json()["meetings"] == body["meetings"]
    lists = c.get(f"/api/events/{CODE}/shortlists").json()
    assert lists["by_buyer"]["B01"][0]["rank"] == 1
    xlsx = c.get(f"/api/events/{CODE}/exports/master")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    ics = c.get(f"/api/events/{CODE}/exports/ics", params={"participant": "B01"})
    assert ics.headers["content-type"].startswith("text/calendar")
    assert len(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")) > 0
    m = body["meetings"][0]
    out = c.post(
        f"/api/events/{CODE}/outcomes", json={"buyer": m["buyer_id"], "sme": m["sme_id"], "result": "试用"}
    )
    assert out.status_code == 201 and out.json()["kind"] == "trial"
    assert c.get(f"/api/events/{CODE}/report").json()["trials"] == 1
    assert c.get("/api/events/nope").status_code == 404
    assert c.get(f"/api/events/{CODE}/exports/pdf").status_code == 400
    firms = {
        e["record"]["uscc"]: e["id"] for e in c.get("/api/enterprises", params={"limit": 500}).json()["data"]
    }
    smes = [p for p in definition["participants"] if p["role"] == "中小企业"]
    taking_part = {firms[p["enterprise_id"]] for p in definition["participants"]}
    outsider = next(i for i in firms.values() if i not in taking_part)

    # an SME taking part sees the event and its own agenda, not the event's internals
    who["p"] = Principal(
        account_id=2, role=AccountRole.SME_USER, enterprise_id=firms[smes[0]["enterprise_id"]]
    )
    assert [e["code"] for e in c.get("/api/events").json()["data"]] == [CODE]
    for path in ("", "/report", "/shortlists", "/schedule", "/outcomes", "/exports/master"):
        assert c.get(f"/api/events/{CODE}{path}").status_code == 403, path
    own = c.get(f"/api/events/{CODE}/exports/ics", params={"participant": smes[0]["id"]})
    assert own.status_code == 200 and own.headers["content-type"].startswith("text/calendar")
    other = c.get(f"/api/events/{CODE}/exports/ics", params={"participant": smes[1]["id"]})
    assert other.status_code == 403
    assert c.post(f"/api/events/{CODE}/schedule", json={"time_limit": 5}).status_code == 403
    # an SME not taking part does not see the event at all
    who["p"] = Principal(account_id=3, role=AccountRole.SME_USER, enterprise_id=outsider)
    assert c.get("/api/events").json()["data"] == []
    assert c.get(f"/api/events/{CODE}/report").status_code == 404
    assert c.get(f"/api/events/{CODE}/exports/ics", params={"participant": smes[0]["id"]}).status_code == 404
