"""The ``matcher`` command through its installed entry point, as a user runs it."""

from __future__ import annotations

import os
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
    for expected in ("园区", "龙头企业", "中小企业", "小巨人", "开放需求"):
        assert expected in out
    assert (tmp_path / "demo" / "matcher.db").exists()
