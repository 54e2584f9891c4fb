"""The authorization matrix: every API route x every role, generated from the app's route table.

For each route the expected answer follows from the rule it declared (``require``) and the role gate in
``matcher.auth.policy.RULES``: a role the gate refuses gets 401 (anonymous) or 403 ``role_forbidden``; a
role it admits gets anything but those (2xx, or 404/422 for the placeholder ids and empty bodies sent
here). A route added later joins the matrix automatically; one without a declaration fails
``test_every_route_declares_access`` and is refused to everyone meanwhile (fail closed).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PARK_A, PASSWORD, World, build_world
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth import RouteInfo, api_routes, check_declared, route_access, undeclared
from api.deps import get_engine
from api.main import create_app
from matcher.auth.accounts import login
from matcher.auth.policy import allows
from matcher.auth.principal import Principal
from matcher.engine import Engine
from matcher.store.tables import Base

ROUTES = api_routes(create_app())
PERSONAS = ["anonymous", "platform", "park_a", "organizer", "leader_x", "sme_y"]
SKIPPED_TABLES = {"audit_log", "api_tokens"}  # these may change on any request


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from matcher.store import Store

    return build_world(Store(f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'w.db'}"))


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    app = create_app()
    engine = Engine(world.store)
    app.dependency_overrides[get_engine] = lambda: engine
    with TestClient(app) as c:
        yield c


def _url(route: RouteInfo, world: World) -> str:
    values = {
        "enterprise_id": world.enterprise_ids["Y"],
        "demand_id": world.demand_ids["X-PUB"],
        "park": PARK_A,
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values.get(m.group(1), 1)), route.path)


def fresh_token(world: World, persona: str) -> str:
    """A new session per call, so a route that ends sessions (log-out) cannot disturb the next case."""
    return login(world.store, username=persona, password=PASSWORD).plain


def call(client: TestClient, world: World, route: RouteInfo, persona: str) -> Any:
    method = sorted(route.methods - {"HEAD"})[0]
    headers = {} if persona == "anonymous" else {"Authorization": f"Bearer {fresh_token(world, persona)}"}
    body: dict[str, object] | None = {} if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, _url(route, world), headers=headers, json=body)


def _principal(world: World, persona: str) -> Principal | None:
    from matcher.auth.accounts import principal_for_token

    return None if persona == "anonymous" else principal_for_token(world.store, world.tokens[persona])


def test_every_route_declares_access() -> None:
    assert ROUTES, "the route table is empty"
    assert undeclared(create_app()) == [], "declare these with require(Resource.X, Action.Y)"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{'|'.join(sorted(r.methods))} {r.path}")
def test_matrix(client: TestClient, world: World, route: RouteInfo, persona: str) -> None:
    access = route_access(route)
    response = call(client, world, route, persona)
    is_json = response.content and response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if is_json else {}
    if access is None:  # fail closed until declared
        assert response.status_code == 403 and "尚未声明访问规则" in body["message"]
        return
    if allows(_principal(world, persona), access):
        assert response.status_code != 401, body
        assert not (response.status_code == 403 and body.get("code") == "role_forbidden"), body
        assert response.status_code < 500
    elif persona == "anonymous":
        assert response.status_code == 401 and body["code"] == "unauthenticated", body
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.status_code == 403 and body["code"] == "role_forbidden", body
        assert body["message"].startswith(_principal(world, persona).role.label)  # type: ignore[union-attr]


def _snapshot(world: World) -> str:
    digest = hashlib.sha256()
    with world.store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in SKIPPED_TABLES:
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_refused_writes_change_nothing(client: TestClient, world: World) -> None:
    before = _snapshot(world)
    refused = 0
    for route in ROUTES:
        if not route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        for persona in PERSONAS:
            access = route_access(route)
            if access is None or not allows(_principal(world, persona), access):
                assert call(client, world, route, persona).status_code in (401, 403)
                refused += 1
    assert refused > 0
    assert _snapshot(world) == before


def test_scoping_over_http(client: TestClient, world: World) -> None:
    def get(persona: str, path: str) -> Any:
        return client.get(path, headers={"Authorization": f"Bearer {world.tokens[persona]}"})

    z, y = world.enterprise_ids["Z"], world.enterprise_ids["Y"]
    assert get("sme_y", f"/api/enterprises/{z}").json()["record"]["contact"]["phone"] == ""
    assert get("sme_y", f"/api/enterprises/{y}").json()["record"]["contact"]["person"] == "联系人Y"
    assert get("park_a", f"/api/enterprises/{y}").json()["record"]["contact"]["person"] == "联系人Y"
    private = get("sme_y", f"/api/demands/{world.demand_ids['X-PRIV']}")
    assert private.status_code == 404 and "需求不存在" in private.json()["message"]
    codes = {d["record"]["code"] for d in get("sme_y", "/api/demands?limit=500").json()["data"]}
    assert codes == {"X-PUB", "X-PARK", "W-PUB"}
    assert get("leader_x", f"/api/demands/{world.demand_ids['X-PRIV']}").status_code == 200


def test_writes_are_audited(client: TestClient, world: World) -> None:
    from matcher.auth.audit import recent

    token = world.tokens["sme_y"]
    client.post("/api/imports", json={}, headers={"Authorization": f"Bearer {token}"})
    entry = recent(world.store, limit=1)[0]
    assert (entry.username, entry.method, entry.path, entry.status) == ("sme_y", "POST", "/api/imports", 403)
    assert (entry.resource, entry.action) == ("import", "create")
    client.post("/api/auth/token", data={"username": "sme_y", "password": "wrong-password"})
    entry = recent(world.store, limit=1)[0]
    assert (entry.path, entry.status, entry.detail) == ("/api/auth/token", 401, {"username": "sme_y"})
    assert "password" not in repr(entry.detail)


def test_an_undeclared_route_fails_closed_and_is_reported(world: World) -> None:
    app = create_app()
    extra = APIRouter()

    @extra.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "s"}

    app.include_router(extra)
    assert undeclared(app) == ["GET /api/forgotten"]
    with pytest.raises(RuntimeError, match="/api/forgotten"):
        check_declared(app)
    engine = Engine(world.store)
    app.dependency_overrides[get_engine] = lambda: engine
    with TestClient(app) as c:
        response = c.get("/api/forgotten", headers={"Authorization": f"Bearer {world.tokens['platform']}"})
    assert response.status_code == 403 and "secret" not in response.text
    assert "尚未声明访问规则" in response.json()["message"]


def test_bad_tokens_are_refused(client: TestClient) -> None:
    forged = [
        b"Bearer mt_forged-token-value",
        b"Bearer x",
        b"Bearer mt_" + b"a" * 500,
        b"Bearer mt_\xff\xfe\x00",
    ]
    for header in forged:
        response = client.get("/api/parks", headers={"Authorization": header})  # type: ignore[arg-type]
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    response = client.get("/api/parks", headers={"X-API-Key": "mk_not-a-real-key-123"})
    assert response.status_code == 401


def test_route_table_is_what_the_matrix_covers() -> None:
    app: FastAPI = create_app()
    paths = {r.path for r in api_routes(app)}
    assert {"/api/auth/token", "/api/auth/me", "/api/demands/{demand_id}", "/api/imports"} <= paths
    assert all(Path(r.path).parts[1] == "api" for r in ROUTES)
