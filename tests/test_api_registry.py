"""The registry over HTTP: listings, details, uploads; errors as Chinese JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import get_engine
from api.main import create_app
from matcher.auth.accounts import create_account, login
from matcher.auth.principal import AccountRole
from matcher.engine import Engine
from matcher.store import Store

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    engine = Engine(Store(f"sqlite:///{tmp_path / 'api.db'}"))
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: engine
    create_account(engine.store, username="admin", role=AccountRole.PLATFORM_ADMIN, password="admin-pass-1")
    token = login(engine.store, username="admin", password="admin-pass-1").plain
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def upload(client: TestClient, path: Path) -> dict:
    with path.open("rb") as f:
        response = client.post("/api/imports", files={"file": (path.name, f)})
    return {"status": response.status_code, **response.json()}


def test_upload_then_read_back(client: TestClient) -> None:
    result = upload(client, TEMPLATES / "import_template.xlsx")
    assert result["status"] == 200
    assert result["counts"]["enterprises"] == {"created": 2, "updated": 0}
    parks = client.get("/api/parks").json()
    assert parks["count"] == 1 and parks["data"][0]["enterprise_count"] == 2
    smes = client.get("/api/enterprises", params={"role": "sme"}).json()["data"]
    assert [e["record"]["name"] for e in smes] == ["示例正极材料科技有限公司"]
    leader = client.get("/api/enterprises", params={"role": "leading"}).json()["data"][0]
    assert leader["record"]["contact"]["phone"] == "0519-00000000", "platform admins see contacts"
    # who else sees them is tested in tests/test_auth_policy.py
    assert leader["size_class"] == "大型"
    demand = client.get("/api/demands/1").json()
    assert demand["record"]["code"] == "XQ-2025-0001"


def test_refused_upload_lists_problems_in_chinese(client: TestClient, tmp_path: Path) -> None:
    bad = tmp_path / "parks.csv"
    bad.write_text(
        (TEMPLATES / "parks.csv").read_text(encoding="utf-8-sig").replace("光伏", "光伏；a；b"), "utf-8"
    )
    result = upload(client, bad)
    assert result["status"] == 422 and result["code"] == "validation_error"
    assert result["problems"][0].startswith("第 2 行：主导产业不得超过 3 个")
    assert client.get("/api/parks").json()["count"] == 0


def test_unknown_ids_and_bad_parameters(client: TestClient) -> None:
    response = client.get("/api/enterprises/999")
    assert response.status_code == 404 and "企业不存在" in response.json()["message"]
    response = client.get("/api/enterprises", params={"limit": 0})
    assert response.status_code == 422 and response.json()["code"] == "request_invalid"
    response = client.post("/api/imports", files={"file": ("x.exe", b"MZ")})
    assert response.status_code == 422 and "不支持的文件类型" in response.json()["problems"][0]


def test_framework_errors_use_the_chinese_error_shape(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"code": "http_404", "message": "接口不存在，请检查路径（接口文档见 /docs）", "problems": []}
    response = client.delete("/api/parks")
    assert response.status_code == 405 and response.json()["code"] == "http_405"
