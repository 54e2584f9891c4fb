"""Shared fixtures: stores on SQLite and PostgreSQL, the ../shared reference data, hand-made records."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import OperationalError

# Tests never touch the user's MATCHER_HOME and use the deterministic fake encoder unless a test asks for
# the real one (those are marked ``slow``). Set before any settings object is read.
os.environ["MATCHER_HOME"] = tempfile.mkdtemp(prefix="matcher-tests-")
os.environ["MATCHER_ENCODER"] = "fake"
os.environ["MATCHER_PROFILE_ENCODER"] = "same"  # the fake encoder embeds profiles too
os.environ.pop("MATCHER_DATABASE_URL", None)

from matcher.domain import Demand, Enterprise, Park, Product  # noqa: E402
from matcher.domain.uscc import check_character
from matcher.store import Store

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MATCHER_SHARED_DIR", REPO.parent / "shared"))
POSTGRES_URL = os.environ.get(
    "MATCHER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip with the reason when it is absent (a user's clone has none)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"需要 ../shared 参考数据（{path} 不存在）：仅在开发与 CI 机器上运行")
    return path


@contextmanager
def store_at_revision(url: str, revision: str) -> Iterator[Connection]:
    """A SQLite store migrated only up to ``revision``, open in one transaction for writing rows of then;
    the next ``Store(url)`` upgrades it (migration tests)."""
    from alembic import command

    from matcher.store.database import _alembic_config

    old = Store(url, migrate=False)
    try:
        with old.engine.begin() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            yield conn
    finally:
        old.dispose()


def _postgres_reason() -> str | None:
    try:
        with create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}).connect():
            return None
    except (OperationalError, ImportError) as exc:
        return f"PostgreSQL 不可达（{POSTGRES_URL}）：{str(exc).splitlines()[0]}"


_PG_REASON = _postgres_reason()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store on each backend; PostgreSQL uses a throw-away schema."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'matcher.db'}")
        yield s
        s.dispose()
        return
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    schema = f"mt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    s = Store(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        yield s
    finally:
        s.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def world(store: Store) -> Any:
    """The accounts and records of ``auth_helpers.build_world`` on ``store`` (SQLite and PostgreSQL); a test
    module defines its own ``world`` where it needs another."""
    from auth_helpers import build_world

    return build_world(store)


@pytest.fixture
def client(world: Any) -> Iterator[Any]:
    """The app over ``world``'s store behind a TestClient."""
    from auth_helpers import app_client

    with app_client(world.store) as c:
        yield c


def make_uscc(serial: int, region: str = "320506") -> str:
    """A valid 统一社会信用代码 built from a serial number."""
    body = f"91{region}{serial:08d}X"[:17]
    body = body[:8] + f"{serial:09d}"
    return body + check_character(body)


@pytest.fixture
def park() -> Park:
    return Park(
        name="江南新能源产业园",
        province="江苏省",
        city="苏州市",
        district="吴中区",
        leading_industries=["新能源汽车", "集成电路"],
    )


@pytest.fixture
def leader(park: Park) -> Enterprise:
    return Enterprise(
        uscc=make_uscc(1),
        name="江南动力电池股份有限公司",
        park=park.name,
        industry_code="3841",
        role="leading",
        products=[Product(name="动力电池电芯", share=0.7), Product(name="电池模组", share=0.2)],
        certifications=["ISO 9001", "IATF 16949"],
        indicators={"employees": 3200, "revenue": 520000.0},
    )


@pytest.fixture
def sme(park: Park) -> Enterprise:
    return Enterprise(
        uscc=make_uscc(2),
        name="吴中正极材料科技有限公司",
        park=park.name,
        industry_code="3985",
        role="sme",
        products=[Product(name="三元正极材料", share=0.8)],
        capabilities="高镍三元正极烧结、包覆改性",
        certifications=["ISO 9001"],
        indicators={"employees": 180, "revenue": 15000.0, "rd_expense": 900.0},
    )


@pytest.fixture
def demand(leader: Enterprise) -> Demand:
    return Demand(
        code="XQ-2025-001",
        kind="procurement",
        title="采购高镍三元正极材料",
        publisher_uscc=leader.uscc,
        product="三元正极材料",
        quantity=500,
        unit="吨",
        budget_min=8000,
        budget_max=12000,
        required_certifications=["ISO 9001"],
    )
