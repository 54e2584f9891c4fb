"""The ``matcher`` command through its installed entry point, as a user runs it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": ""}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)


def test_init_import_export(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    assert (tmp_path / "matcher.db").exists()
    result = run(tmp_path, "import", str(TEMPLATES / "import_template.xlsx"))
    assert result.returncode == 0, result.stderr
    assert "已导入企业：新增 2，更新 0" in result.stdout
    out = tmp_path / "out.csv"
    result = run(tmp_path, "export", "--format", "csv", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("统一社会信用代码,企业名称")


def test_refused_import_exits_non_zero_with_row_messages(tmp_path: Path) -> None:
    run(tmp_path, "import", str(TEMPLATES / "parks.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        (TEMPLATES / "enterprises.csv").read_text(encoding="utf-8-sig").replace("0E,", "0F,"),
        encoding="utf-8",
    )
    result = run(tmp_path, "import", str(bad))
    assert result.returncode == 2
    assert "第 3 行：统一社会信用代码校验位错误" in result.stderr
    assert "未写入任何数据" in result.stderr


def test_bad_option_values_are_refused(tmp_path: Path) -> None:
    result = run(tmp_path, "export", "--output", str(tmp_path / "x.txt"))
    assert result.returncode != 0 and "--format" in result.stderr
    result = run(tmp_path, "import", str(tmp_path / "missing.csv"))
    assert result.returncode == 2 and "文件不存在" in result.stderr


def test_demo_prints_parks_roles_tiers_and_open_demands(tmp_path: Path) -> None:
    result = run(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("园区", "龙头企业", "中小企业", "小巨人", "开放需求", "的候选供应商"):
        assert expected in out
    assert (tmp_path / "matcher.db").exists() and not (tmp_path / "demo").exists()  # the default store


def test_after_the_demo_the_next_commands_work_on_its_data(tmp_path: Path) -> None:
    """The commands the demo prints run as printed, on the demo data, with nothing set by hand."""
    demo = run(tmp_path, "demo", "--no-matches")
    assert demo.returncode == 0, demo.stderr
    steps = demo.stdout[demo.stdout.index("接下来") :].splitlines()[1:]
    commands = [shlex.split(line.split("   ")[0].strip())[1:] for line in steps if line.strip()]
    ran = set()
    for args in commands:
        if args[0] == "serve":
            continue  # a server: walked in tests/e2e/test_journey_newcomer.py
        result = run(tmp_path, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "还没有" not in result.stdout and "不存在" not in result.stdout, (args, result.stdout)
        ran.add(args[0])
    assert ran == {"match", "recommend", "chain", "tiers", "event"}
    refused = run(tmp_path, "match", "数控机床", "--cert", "无人持有的资质")
    assert refused.returncode == 0
    said = "".join(refused.stdout.split())
    assert "无人持有的资质" in said and "--relax" in said, refused.stdout  # names the condition, how to relax


def test_the_demo_never_mixes_the_sample_into_a_users_own_registry(tmp_path: Path) -> None:
    assert run(tmp_path, "import", str(TEMPLATES / "import_template.xlsx")).returncode == 0
    demo = run(tmp_path, "demo", "--no-matches")
    assert demo.returncode == 0, demo.stderr
    separate = tmp_path / "demo" / "matcher.db"
    assert f"export MATCHER_DATABASE_URL=sqlite:///{separate}" in demo.stdout.replace("\n", "")
    listed = run(
        tmp_path, "export", "--format", "csv", "--kind", "enterprises", "-o", str(tmp_path / "e.csv")
    )
    assert listed.returncode == 0, listed.stderr
    assert len((tmp_path / "e.csv").read_text(encoding="utf-8-sig").splitlines()) == 3  # header + own 2


def test_dry_run_shows_how_the_headers_were_read_and_writes_nothing(tmp_path: Path) -> None:
    assert run(tmp_path, "import", str(TEMPLATES / "parks.csv")).returncode == 0
    text = (TEMPLATES / "enterprises.csv").read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    header = header.replace("统一社会信用代码", "信用代码").replace("企业名称", "单位名称")
    (tmp_path / "e.csv").write_text(f"{header}\n{rest}", encoding="utf-8")
    result = run(tmp_path, "import", str(tmp_path / "e.csv"), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "信用代码 → 统一社会信用代码" in result.stdout and "单位名称 → 企业名称" in result.stdout
    assert "企业 2 行（未写入" in result.stdout
    out = tmp_path / "out.csv"
    assert run(tmp_path, "export", "--format", "csv", "--kind", "enterprises", "-o", str(out)).returncode == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1  # the header only: nothing written
