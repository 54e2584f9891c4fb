"""Background jobs over HTTP: 202 with a status URL, polling to the end, scoping (another account gets
404), a refused file failing the job with Chinese row errors and writing nothing, schedule and index jobs,
and the scoped registry exports."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PARK_A, PARK_B, USCC, World, app_client, build_world, make_uscc
from fastapi.testclient import TestClient

from api.deps import get_engine
from api.main import create_app
from matcher.engine import Engine
from matcher.io.exporter import load_records, render
from matcher.store import Store

HEADER = "统一社会信用代码,企业名称,所属园区,行业代码（GB/T 4754-2017）,企业角色,主要产品\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Store(f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'w.db'}"))


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with app_client(world.store) as c:
        yield c


def auth(world: World, persona: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[persona]}"}


def snapshot(store: Store) -> bytes:
    return b"".join(render({k: load_records(store, k)}, "jsonl") for k in ("parks", "enterprises", "demands"))  # type: ignore[dict-item]


def follow(client: TestClient, world: World, url: str, persona: str = "platform") -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = client.get(url, headers=auth(world, persona)).json()
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish")


def upload(
    client: TestClient, world: World, name: str, text: str, persona: str = "platform", **form: str
) -> Any:
    files = {"file": (name, text.encode("utf-8"), "text/csv")}
    return client.post("/api/jobs/imports", files=files, data=form, headers=auth(world, persona))


def rows(serials: list[int], park: str = PARK_A) -> str:
    return HEADER + "".join(
        f"{make_uscc(n)},新登记{n}号科技有限公司,{park},3841,中小企业,电池隔膜\n" for n in serials
    )


def test_an_import_job_answers_202_and_runs_to_done(
    client: TestClient, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.routes.jobs as jobs_route

    folder = tmp_path / "upload"
    monkeypatch.setattr(jobs_route.tempfile, "mkdtemp", lambda prefix: (folder.mkdir(), str(folder))[1])
    response = upload(client, world, "新企业.csv", rows([501, 502]))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["kind"] == "import" and body["state"] in ("queued", "running", "done")
    assert body["status_url"] == f"/api/jobs/{body['id']}" == response.headers["location"]
    assert body["params"]["filename"] == "新企业.csv"
    done = follow(client, world, body["status_url"])
    assert done["state"] == "done", done
    assert done["progress"] == 1.0 and done["error"] is None and done["finished_at"]
    assert done["result"]["counts"] == {"enterprises": {"created": 2, "updated": 0}}
    assert done["message"] == "导入完成：企业新增 2、更新 0"
    names = {e.record.name for e in Engine(world.store).registry.enterprises(limit=500)}
    assert {"新登记501号科技有限公司", "新登记502号科技有限公司"} <= names
    assert not folder.exists(), "the job deletes the uploaded file when it ends"


def test_a_broken_file_fails_the_job_with_row_errors_and_writes_nothing(
    client: TestClient, world: World
) -> None:
    before = snapshot(world.store)
    text = rows([601]) + f"{USCC['X'][:-1]}0,坏数据有限公司,{PARK_A},3841,中小企业,隔膜\n"
    done = follow(
        client, world, upload(client, world, "bad.csv", text, kind="enterprises").json()["status_url"]
    )
    assert done["state"] == "failed"
    assert done["error"] == "数据校验未通过（1 个问题），未写入任何数据"
    assert len(done["problems"]) == 1 and done["problems"][0].startswith("第 3 行：")
    assert "统一社会信用代码" in done["problems"][0]
    assert done["result"] is None
    assert snapshot(world.store) == before


def test_another_account_cannot_see_a_job(client: TestClient, world: World) -> None:
    started = client.post("/api/jobs/index", headers=auth(world, "park_a"))
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    for persona in ("organizer", "sme_y", "leader_x"):
        hidden = client.get(f"/api/jobs/{job_id}", headers=auth(world, persona))
        assert hidden.status_code == 404 and hidden.json()["message"] == f"后台任务不存在（编号 {job_id}）"
        listed = client.get("/api/jobs", headers=auth(world, persona)).json()["data"]
        assert job_id not in {j["id"] for j in listed}
    assert follow(client, world, f"/api/jobs/{job_id}", "park_a")["state"] == "done"
    assert follow(client, world, f"/api/jobs/{job_id}", "platform")["kind"] == "index"
    own = client.get("/api/jobs", headers=auth(world, "park_a")).json()["data"]
    assert [j["id"] for j in own] == [job_id]
    everything = client.get("/api/jobs", headers=auth(world, "platform")).json()
    assert job_id in {j["id"] for j in everything["data"]} and everything["count"] >= 2
    assert client.get("/api/jobs/999999", headers=auth(world, "platform")).status_code == 404


def test_the_index_job_reports_what_it_built(client: TestClient, world: World) -> None:
    done = follow(
        client, world, client.post("/api/jobs/index", headers=auth(world, "platform")).json()["status_url"]
    )
    assert done["state"] == "done", done
    assert done["result"]["vectors"]["products"] > 0 and done["result"]["vectors"]["demands"] == 6
    assert done["message"].startswith("检索索引已重建")
    status = Engine(world.store).search.index_status()
    assert status.exists and status.vectors == done["result"]["vectors"]


def test_only_admins_rebuild_the_index(client: TestClient, world: World) -> None:
    refused = client.post("/api/jobs/index", headers=auth(world, "organizer"))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "活动组织方无权重建检索索引" in refused.json()["message"]


def _event(code: str, park: str, buyer: str, sme: str) -> dict[str, Any]:
    return {
        "id": code,
        "name": f"{park}对接会",
        "park": park,
        "sessions": [{"day": "2025-07-16", "start": "09:00", "slot_count": 3}],
        "tables": 2,
        "participants": [
            {"id": "B1", "enterprise_id": USCC[buyer]},
            {"id": "S1", "enterprise_id": USCC[sme]},
        ],
    }


def test_schedule_jobs_follow_the_event_rights(client: TestClient, world: World) -> None:
    engine = Engine(world.store)
    engine.events.create_event(_event("JOB-A", PARK_A, "X", "Y"))
    engine.events.create_event(_event("JOB-B", PARK_B, "W", "Z"))
    body = {"event": "JOB-A", "time_limit": 2}
    started = client.post("/api/jobs/schedule", json=body, headers=auth(world, "park_a"))
    assert started.status_code == 202, started.text
    done = follow(client, world, started.json()["status_url"], "park_a")
    assert done["state"] == "done", done
    assert done["result"]["event"] == "JOB-A" and done["result"]["version"] == 1
    assert done["message"].startswith("排程完成：第 1 版")
    assert engine.events.event_schedule("JOB-A").version == 1
    other = client.post("/api/jobs/schedule", json={"event": "JOB-B"}, headers=auth(world, "park_a"))
    assert other.status_code == 403 and "无权管理对接会“JOB-B”" in other.json()["message"]
    missing = client.post("/api/jobs/schedule", json={"event": "NOPE"}, headers=auth(world, "platform"))
    assert missing.status_code == 404
    sme = client.post("/api/jobs/schedule", json=body, headers=auth(world, "sme_y"))
    assert sme.status_code == 403 and sme.json()["code"] == "role_forbidden"


def test_uploads_are_checked_before_a_job_starts(client: TestClient, world: World) -> None:
    before = client.get("/api/jobs", headers=auth(world, "platform")).json()["count"]
    wrong_type = client.post(
        "/api/jobs/imports",
        files={"file": ("a.pdf", b"%PDF", "application/pdf")},
        headers=auth(world, "platform"),
    )
    assert wrong_type.status_code == 422 and "不支持的文件类型“.pdf”" in wrong_type.json()["problems"][0]
    wrong_kind = upload(client, world, "a.csv", rows([701]), kind="people")
    assert wrong_kind.status_code == 400 and "数据类型应为" in wrong_kind.json()["message"]
    wrong_encoding = upload(client, world, "a.csv", rows([701]), encoding="klingon")
    assert wrong_encoding.status_code == 400 and "未知的文件编码" in wrong_encoding.json()["message"]
    refused = upload(client, world, "a.csv", rows([701]), persona="park_a")
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"
    assert client.get("/api/jobs", headers=auth(world, "platform")).json()["count"] == before


def _csv(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_are_scoped_to_the_callers_parks(client: TestClient, world: World) -> None:
    everything = client.get("/api/exports/enterprises.csv", headers=auth(world, "platform"))
    assert everything.status_code == 200 and everything.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''%E4%BC%81%E4%B8%9A.csv" in everything.headers["content-disposition"]
    assert {r["所属园区"] for r in _csv(everything)} == {PARK_A, PARK_B}
    park_a = _csv(client.get("/api/exports/enterprises.csv", headers=auth(world, "park_a")))
    assert park_a and {r["所属园区"] for r in park_a} == {PARK_A}
    assert any(r["联系人"] == "联系人X" for r in park_a)  # its own park: contacts included
    demands = _csv(client.get("/api/exports/demands.csv", headers=auth(world, "park_a")))
    assert {r["需求编号"] for r in demands} == {"X-PUB", "X-PARK", "X-DRAFT"}  # not X-PRIV, nothing of park B
    organizer = _csv(client.get("/api/exports/enterprises.csv", headers=auth(world, "organizer")))
    assert {r["所属园区"] for r in organizer} == {PARK_A}  # the park it serves, no contacts
    assert {r["联系人"] for r in organizer} == {""}
    xlsx = client.get("/api/exports/demands.xlsx", headers=auth(world, "platform"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/api/exports/enterprises.csv", headers=auth(world, "sme_y")).status_code == 403
    assert client.get("/api/exports/accounts.csv", headers=auth(world, "platform")).status_code == 422


def test_server_start_fails_the_jobs_a_dead_process_left(world: World) -> None:
    import socket
    import subprocess
    import sys

    from matcher.jobs import INTERRUPTED
    from matcher.jobs import repo as jobs_repo

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with world.store.session() as s:
        left = jobs_repo.create_job(
            s,
            kind="import",
            params={},
            owner_id=None,
            worker=f"{socket.gethostname()}:{gone.pid}",
            message="",
        )
    app = create_app()
    engine = Engine(world.store)
    app.dependency_overrides[get_engine] = lambda: engine
    with world.store.session() as s:
        assert jobs_repo.get_job(s, id=left.id).state == "queued"
    with TestClient(app), world.store.session() as s:  # the start alone, no request
        found = jobs_repo.get_job(s, id=left.id)
    assert (found.state, found.error) == ("failed", INTERRUPTED)
    assert INTERRUPTED == "服务重启，任务中断，请重新提交"


def test_the_owner_cancels_a_running_import_and_nothing_is_written(client: TestClient, world: World) -> None:
    before = snapshot(world.store)
    started = upload(client, world, "大文件.csv", rows(list(range(20_000, 50_000))))
    assert started.status_code == 202, started.text
    url = started.json()["status_url"]
    deadline = time.monotonic() + 30
    while not client.get(url, headers=auth(world, "platform")).json()["message"].startswith("校验数据"):
        assert time.monotonic() < deadline, "the job reaches its row checks"
        time.sleep(0.02)
    other = client.post(f"{url}/cancel", headers=auth(world, "park_a"))
    assert other.status_code == 404, "another account's job does not exist for it"
    asked = client.post(f"{url}/cancel", headers=auth(world, "platform"))
    assert asked.status_code == 200, asked.text
    deadline = time.monotonic() + 30
    while (body := client.get(url, headers=auth(world, "platform")).json())["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the job honours the cancellation at its next step"
        time.sleep(0.05)
    assert body["state"] == "cancelled" and body["state_label"] == "已取消", body
    assert "取消" in body["message"] and body["finished_at"]
    assert snapshot(world.store) == before, "a cancelled import writes nothing"
    again = client.post(f"{url}/cancel", headers=auth(world, "platform"))
    assert again.status_code == 409 and "已取消" in again.json()["message"]


def test_a_cancel_after_the_commit_lets_the_import_finish(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Syncing the search index follows the commit: a cancellation arriving then cannot unwrite the rows,
    so the job ends as done (never "cancelled" with its data written)."""
    from matcher.engine.search import Search
    from matcher.jobs import repo as jobs_repo
    from matcher.jobs import runner_for

    index = client.post("/api/jobs/index", headers=auth(world, "platform")).json()["status_url"]
    assert follow(client, world, index)["state"] == "done"
    sync = Search.index_sync

    def cancel_then_sync(self: Any, **kw: Any) -> Any:  # the owner presses "取消" right after the commit
        with self.store.session() as s:
            jobs = jobs_repo.list_jobs(s, owner_id=None, kind="import", limit=5)
        (running,) = [j for j in jobs if j.state.value == "running"]
        runner_for(self.store).cancel(running.id)
        return sync(self, **kw)

    monkeypatch.setattr(Search, "index_sync", cancel_then_sync)
    done = follow(client, world, upload(client, world, "晚取消.csv", rows([27_001, 27_002])).json()["status_url"])
    assert done["state"] == "done", done
    assert done["result"]["counts"] == {"enterprises": {"created": 2, "updated": 0}}
