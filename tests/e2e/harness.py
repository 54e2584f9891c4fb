"""End-to-end harness: a real ``matcher serve`` on a free loopback port with the sample loaded, and a
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; never downloaded).

Screenshots go to ``artifacts/screenshots/`` (git-ignored; CI keeps them as artifacts).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MATCHER_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "artifacts" / "screenshots"
PASSWORD = "e2e-password-2025"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class Site:
    url: str
    users: dict[str, str]  # persona -> username
    facts: dict[str, Any]  # ids and names the tests look for


@dataclass
class DemoSite:
    """``matcher serve --demo``: its address, and the accounts it printed (role label -> user, password)."""

    url: str
    accounts: dict[str, tuple[str, str]]
    demo_output: str  # what ``matcher demo`` printed before


def matcher_command(home: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """The ``matcher`` command line and environment for ``home`` (no store named: the default one)."""
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": "", "PYTHONPATH": str(REPO)}
    return [sys.executable, "-m", "matcher.cli.main", *args], env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_sample(db_url: str) -> dict[str, Any]:
    """The sample in a fresh store, and one account per role bound to real sample records."""
    from sqlalchemy import select

    from matcher.auth import accounts
    from matcher.auth.principal import AccountRole
    from matcher.io import import_file
    from matcher.store import Store
    from matcher.store.tables import DemandRow, EnterpriseRow, ParkRow

    store = Store(db_url)
    for name in ("parks", "enterprises", "demands"):
        import_file(store, REPO / "data" / "sample" / f"{name}.csv")
    with store.session() as s:
        park = s.scalars(select(ParkRow).order_by(ParkRow.id)).first()
        assert park is not None
        leader = s.scalars(
            select(EnterpriseRow)
            .join(DemandRow, DemandRow.publisher_id == EnterpriseRow.id)
            .where(EnterpriseRow.park_id == park.id)
            .order_by(EnterpriseRow.id)
        ).first()
        smes = s.scalars(
            select(EnterpriseRow).where(EnterpriseRow.role == "sme").order_by(EnterpriseRow.id)
        ).all()
        sme = next(e for e in smes if e.park_id == park.id)
        other = next(e for e in smes if e.id != sme.id)
        assert leader is not None
        facts = {
            "park": park.name,
            "leader": leader.name,
            "leader_uscc": leader.uscc,
            "sme": sme.name,
            "sme_id": sme.id,
            "sme_person": sme.contact.get("person", ""),
            "other_sme_id": other.id,
            "sme_product": sme.products[0]["name"],
        }
    specs = {
        "platform": (AccountRole.PLATFORM_ADMIN, None, ()),
        "park": (AccountRole.PARK_ADMIN, None, (facts["park"],)),
        "organizer": (AccountRole.ORGANIZER, None, (facts["park"],)),  # organizers serve parks
        "leader": (AccountRole.LEADING_USER, leader.uscc, ()),
        "sme": (AccountRole.SME_USER, sme.uscc, ()),
    }
    for persona, (role, uscc, parks) in specs.items():
        accounts.create_account(
            store, username=f"e2e_{persona}", role=role, password=PASSWORD, enterprise=uscc, parks=parks
        )
    store.dispose()
    return facts


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"matcher serve 已退出（{process.returncode}）")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"matcher serve 在 {timeout:.0f} 秒内未就绪")


def shoot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, site: Site, persona: str) -> None:
    sign_in(page, site.url, site.users[persona], PASSWORD)


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never downloaded), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
