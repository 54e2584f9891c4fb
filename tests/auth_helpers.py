"""A tiny two-park world with one account per role, for the authorization tests.

Park 甲 holds leading firm X and SME Y; park 乙 holds leading firm W and SME Z. X publishes four demands
(public, 园区内可见, 仅发布方, public draft); W publishes a public and a 园区内可见 one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matcher.auth import accounts, passwords
from matcher.auth.principal import AccountRole
from matcher.domain import Demand, Enterprise, Park
from matcher.domain.uscc import check_character
from matcher.io import import_records
from matcher.store import Store
from matcher.store import repository as repo


def make_uscc(serial: int) -> str:
    """A valid 统一社会信用代码 built from a serial number (as tests/conftest.py does)."""
    body = f"91320506{serial:09d}"
    return body + check_character(body)


PASSWORD = "correct-horse-42"
PARK_A, PARK_B = "甲园区", "乙园区"
USCC = {"X": make_uscc(11), "Y": make_uscc(12), "W": make_uscc(13), "Z": make_uscc(14)}
# persona -> (role, enterprise key, parks)
PERSONAS: dict[str, tuple[AccountRole, str | None, tuple[str, ...]]] = {
    "platform": (AccountRole.PLATFORM_ADMIN, None, ()),
    "park_a": (AccountRole.PARK_ADMIN, None, (PARK_A,)),
    "organizer": (AccountRole.ORGANIZER, None, (PARK_A,)),
    "leader_x": (AccountRole.LEADING_USER, "X", ()),
    "sme_y": (AccountRole.SME_USER, "Y", ()),
    "sme_z": (AccountRole.SME_USER, "Z", ()),
}
DEMANDS = {  # code -> (publisher, visibility, status)
    "X-PUB": ("X", "public", "open"),
    "X-PARK": ("X", "park", "open"),
    "X-PRIV": ("X", "private", "open"),
    "X-DRAFT": ("X", "public", "draft"),
    "W-PUB": ("W", "public", "open"),
    "W-PARK": ("W", "park", "open"),
}


@dataclass
class World:
    store: Store
    tokens: dict[str, str]  # persona -> bearer token
    enterprise_ids: dict[str, int]  # X, Y, W, Z -> id
    demand_ids: dict[str, int]  # code -> id


def _enterprise(key: str, park: str, role: str) -> Enterprise:
    return Enterprise(
        uscc=USCC[key],
        name=f"{key}测试企业有限公司",
        park=park,
        industry_code="3841",
        role=role,
        capabilities="锂电池材料",
        contact={"person": f"联系人{key}", "phone": f"1380000000{ord(key) % 10}", "email": f"{key}@x.cn"},
    )


def _demand(code: str) -> Demand:
    publisher, visibility, status = DEMANDS[code]
    return Demand(
        code=code,
        kind="procurement",
        title=f"需求{code}",
        publisher_uscc=USCC[publisher],
        product="正极材料",
        visibility=visibility,
        status=status,
    )


def build_world(store: Store) -> World:
    passwords.set_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))  # test speed only
    parks = [Park(name=PARK_A), Park(name=PARK_B)]
    firms = [
        _enterprise("X", PARK_A, "leading"),
        _enterprise("Y", PARK_A, "sme"),
        _enterprise("W", PARK_B, "leading"),
        _enterprise("Z", PARK_B, "sme"),
    ]
    import_records(store, parks=parks, enterprises=firms, demands=[_demand(c) for c in DEMANDS])
    with store.session() as s:
        ids = repo.enterprise_ids(s)
        demand_ids = {c: repo.get_demand(s, code=c).id for c in DEMANDS}
    tokens = {}
    for persona, (role, firm, park_names) in PERSONAS.items():
        accounts.create_account(
            store,
            username=persona,
            role=role,
            password=PASSWORD,
            enterprise=USCC[firm] if firm else None,
            parks=park_names,
            event_ids=[1] if role is AccountRole.ORGANIZER else [],
        )
        tokens[persona] = accounts.login(store, username=persona, password=PASSWORD).plain
    return World(store, tokens, {k: ids[u] for k, u in USCC.items()}, demand_ids)


@contextmanager
def app_client(store: Store, *, follow_redirects: bool = True) -> Iterator[TestClient]:
    """The app over ``store`` (a real engine, the fake encoder) behind a TestClient."""
    from api.deps import get_engine
    from api.main import create_app
    from matcher.engine import Engine

    app = create_app()
    engine = Engine(store)
    app.dependency_overrides[get_engine] = lambda: engine
    with TestClient(app, follow_redirects=follow_redirects) as client:
        yield client


def web_log_in(client: TestClient, persona: str, password: str = PASSWORD) -> None:
    """Log in through the web form (the session cookie stays in ``client``)."""
    response = client.post("/login", data={"username": persona, "password": password, "next": "/"})
    assert response.status_code == 303, response.text


def bearer(world: World, persona: str) -> dict[str, str]:
    """The Authorization header of ``persona``'s token."""
    return {"Authorization": f"Bearer {world.tokens[persona]}"}


def as_(client: TestClient, world: World, persona: str, method: str, path: str, body: Any = None) -> Any:
    """``persona``'s request (JSON ``body``) with its token."""
    return client.request(method, path, headers=bearer(world, persona), json=body)


def said(response: Any) -> str:
    """An error answer's message and its problems, as one string to look for words in."""
    body = response.json()
    return body["message"] + "；".join(body.get("problems", []))


def row_count(world: World, table: type) -> int:
    with world.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)
