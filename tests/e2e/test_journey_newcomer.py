"""The newcomer's path in real headless Chromium: ``matcher demo`` on a fresh home, then ``matcher serve --demo``
on the same home; each account it prints signs in and lands on its role's home. Screenshots:
artifacts/screenshots/newcomer_*.png."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import CHROMIUM, REPO, chromium, free_port, shoot, sign_in, stop, wait_until_ready

ROLE_HOMES = {  # printed role label -> what its home shows
    "平台管理员": "数据导入导出",
    "园区管理员": "产业链图谱",
    "活动组织方": "对接会",
    "龙头企业用户": "需求发布",
    "中小企业用户": "推荐采购方",
}


def matcher(home: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """The ``matcher`` command line and environment for ``home`` (no store named: the default one)."""
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": "", "PYTHONPATH": str(REPO)}
    return [sys.executable, "-m", "matcher.cli.main", *args], env


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, tuple[str, str]]]]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"需要 Debian 的 chromium（{CHROMIUM} 不存在）：apt-get install -y chromium fonts-noto-cjk"
        )
    home = tmp_path_factory.mktemp("newcomer")
    command, env = matcher(home, "demo", "--no-matches")
    demo = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, cwd=REPO)
    assert demo.returncode == 0, demo.stderr
    assert "matcher serve --demo" in demo.stdout
    port = free_port()
    command, env = matcher(home, "serve", "--demo", "--port", str(port), "--log-level", "warning")
    printed = home / "serve.out"
    with printed.open("w") as out:
        process = subprocess.Popen(command, env={**env, "COLUMNS": "120"}, stdout=out, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        deadline = time.monotonic() + 30
        while "用上面任一账号登录" not in printed.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        text = printed.read_text()
        found = re.findall(r"│\s*(\S+)\s*│\s*(demo_\w+)\s*│\s*(\S+)\s*│", text)
        yield url, {label: (user, password) for label, user, password in found}
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:  # conftest's ``page`` opens its pages here: no sample server needed
    with chromium() as launched:
        yield launched


def test_serve_demo_prints_one_ready_account_per_role(demo_site: Any) -> None:
    _, printed = demo_site
    assert sorted(printed) == sorted(ROLE_HOMES)


@pytest.mark.parametrize("label", list(ROLE_HOMES))
def test_each_printed_account_signs_in_to_its_home(demo_site: Any, page: Any, label: str) -> None:
    url, printed = demo_site
    username, password = printed[label]
    sign_in(page, url, username, password)
    assert label in page.get_by_test_id("who").inner_text()
    assert ROLE_HOMES[label] in page.locator("main").inner_text()
    shoot(page, f"newcomer_home_{username}")


def test_the_leading_firms_demands_show_candidates_or_say_why_none(demo_site: Any, page: Any) -> None:
    url, printed = demo_site
    sign_in(page, url, *printed["龙头企业用户"])
    page.goto(f"{url}/candidates")
    sections = page.get_by_test_id("overview")
    assert sections.count() > 0
    for i in range(sections.count()):
        section = sections.nth(i)
        shown = section.locator("li").count()
        why = section.get_by_test_id("why-none")
        assert shown > 0 or "没有同时满足全部硬性条件" in why.inner_text(), section.inner_text()
    shoot(page, "newcomer_candidates")
