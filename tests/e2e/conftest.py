"""End-to-end fixtures: the server and the browser of ``harness``, started once per test session."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from e2e.harness import (
    CHROMIUM,
    REPO,
    DemoSite,
    Site,
    chromium,
    free_port,
    load_sample,
    matcher_command,
    stop,
    wait_until_ready,
)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_sample(tmp_path_factory, "e2e", {})


def serve_sample(
    tmp_path_factory: pytest.TempPathFactory, name: str, extra_env: dict[str, str]
) -> Iterator[Site]:
    """``matcher serve`` on the sample in a fresh store, with one account per role; ``extra_env`` on top of
    the tests' environment (which names the fake encoder)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"需要 Debian 的 chromium（{CHROMIUM} 不存在）：apt-get install -y chromium fonts-noto-cjk"
        )
    home = tmp_path_factory.mktemp(name)
    db_url = f"sqlite:///{home / 'matcher.db'}"
    facts = load_sample(db_url)
    port = free_port()
    env = {
        **os.environ,
        "MATCHER_HOME": str(home),
        "MATCHER_DATABASE_URL": db_url,
        "PYTHONPATH": str(REPO),
        "OMP_NUM_THREADS": "1",
        **extra_env,
    }
    command = [
        sys.executable,
        "-m",
        "matcher.cli.main",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=REPO, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        yield Site(url, {p: f"e2e_{p}" for p in ("platform", "park", "organizer", "leader", "sme")}, facts)
    finally:
        stop(process)


# Module scope: a running sync Playwright holds an asyncio loop, which would break other tests that start
# their own Playwright later in the session.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"需要 Debian 的 chromium（{CHROMIUM} 不存在）：apt-get install -y chromium fonts-noto-cjk"
        )
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """``matcher demo`` on a fresh home, then ``matcher serve --demo`` on it: the accounts it printed."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"需要 Debian 的 chromium（{CHROMIUM} 不存在）：apt-get install -y chromium fonts-noto-cjk"
        )
    home = tmp_path_factory.mktemp("newcomer")
    command, env = matcher_command(home, "demo", "--no-matches")
    demo = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, cwd=REPO)
    assert demo.returncode == 0, demo.stderr
    port = free_port()
    command, env = matcher_command(home, "serve", "--demo", "--port", str(port), "--log-level", "warning")
    printed = home / "serve.out"
    with printed.open("w") as out:
        process = subprocess.Popen(command, env={**env, "COLUMNS": "120"}, stdout=out, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        deadline = time.monotonic() + 30
        while "用上面任一账号登录" not in printed.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        found = re.findall(r"│\s*(\S+)\s*│\s*(demo_\w+)\s*│\s*(\S+)\s*│", printed.read_text())
        yield DemoSite(url, {label: (user, password) for label, user, password in found}, demo.stdout)
    finally:
        stop(process)


def _fresh_page(browser: Any) -> Iterator[Any]:
    """A page in its own browser context (its own cookies: one signed-in person)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _fresh_page(browser)


@pytest.fixture
def other_page(browser: Any) -> Iterator[Any]:
    """A second person's page beside ``page`` (e.g. the SME while ``page`` is the leading firm)."""
    yield from _fresh_page(browser)
