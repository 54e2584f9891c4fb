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

from api.auth import (
    SESSION_COOKIE,
    RouteInfo,
    all_routes,
    api_routes,
    check_declared,
    route_access,
    undeclared,
)
from api.deps import get_engine
from api.main import create_app
from matcher.auth.accounts import login
from matcher.auth.errors import RoleForbidden
from matcher.auth.policy import _ACTION_LABELS, _RESOURCE_LABELS, allows, check
from matcher.auth.principal import Principal
from matcher.engine import Engine
from matcher.store.tables import Base

ROUTES = api_routes(create_app())
PAGES = [r for r in all_routes(create_app()) if not r.path.startswith("/api/")]  # the web app
PERSONAS = ["anonymous", "platform", "park_a", "organizer", "leader_x", "sme_y"]
SKIPPED_TABLES = {"audit_log", "api_tokens"}  # these may change on any request
# jobs admitted earlier may still report progress in the background: a refused write must not create one
JOB_IDENTITY = ("id", "kind", "params", "owner_id", "created_at")


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
        "kind": "enterprises",  # GET /api/exports/{kind}.{fmt}
        "fmt": "csv",
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
                columns = [table.c[n] for n in JOB_IDENTITY] if table.name == "jobs" else [table]
                for row in conn.execute(select(*columns).order_by(*table.primary_key.columns)):
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
    entry = recent(world.store, limit=1).entries[0]
    assert (entry.username, entry.method, entry.path, entry.status) == ("sme_y", "POST", "/api/imports", 403)
    assert (entry.resource, entry.action) == ("import", "create")
    client.post("/api/auth/token", data={"username": "sme_y", "password": "wrong-password"})
    entry = recent(world.store, limit=1).entries[0]
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


def test_a_job_is_its_owners_and_the_platform_admins(client: TestClient, world: World) -> None:
    """Beyond the role gate: a job started by one account is read by it and by platform admins; every
    other role is told it does not exist (404), in the list too."""
    started = client.post(
        "/api/jobs/index", headers={"Authorization": f"Bearer {fresh_token(world, 'park_a')}"}
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    for persona in PERSONAS:
        headers = {} if persona == "anonymous" else {"Authorization": f"Bearer {fresh_token(world, persona)}"}
        expected = {"anonymous": 401, "platform": 200, "park_a": 200}.get(persona, 404)
        assert client.get(f"/api/jobs/{job_id}", headers=headers).status_code == expected, persona
        if persona != "anonymous":
            listed = {j["id"] for j in client.get("/api/jobs?limit=200", headers=headers).json()["data"]}
            assert (job_id in listed) == (expected == 200), persona


# -- pages: the same matrix through the web app's cookie session ------------------------------------------


def _role_refusal(world: World, persona: str, route: RouteInfo) -> str:
    """The Chinese message the role gate gives ``persona`` for this page ("" when the gate admits it)."""
    access = route_access(route)
    assert access is not None
    try:
        check(_principal(world, persona), access)
    except RoleForbidden as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", PAGES, ids=lambda r: f"{'|'.join(sorted(r.methods))} {r.path}")
def test_page_matrix(client: TestClient, world: World, route: RouteInfo, persona: str) -> None:
    """Anonymous visitors go to the log-in page, a refused role gets the Chinese 403 page naming the
    rule, an admitted role anything but those (record rules may still answer 403 or 404)."""
    access = route_access(route)
    assert access is not None, "declare pages with page(Resource.X, Action.Y)"
    method = sorted(route.methods - {"HEAD"})[0]
    client.cookies.clear()
    headers = {} if persona == "anonymous" else {"Cookie": f"{SESSION_COOKIE}={fresh_token(world, persona)}"}
    response = client.request(method, _url(route, world), headers=headers, follow_redirects=False)
    if access.is_public:
        assert response.status_code < 500
    elif persona == "anonymous":
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    elif refusal := _role_refusal(world, persona, route):
        assert response.status_code == 403 and refusal in response.text
    else:
        assert response.status_code < 500, route
        assert not response.headers.get("location", "").startswith("/login?next="), route
        role = _principal(world, persona).role  # type: ignore[union-attr]
        gate = f"{role.label}无权{_ACTION_LABELS[access.action]}{_RESOURCE_LABELS[access.resource]}<"
        assert not (response.status_code == 403 and gate in response.text), route


def test_the_page_matrix_covers_the_park_journeys() -> None:
    paths = {r.path for r in PAGES}
    assert {"/", "/login", "/chain", "/tiers", "/tiers/enterprise/{enterprise_id}"} <= paths
