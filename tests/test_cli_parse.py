"""``matcher parse`` through its installed entry point: what the matcher reads in a demand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import run

PLAN = "序号\t物资名称\t规格\t数量\n1\t工业盐\tNaCl≥94%\t800吨\n2\t片碱\t99%\t120吨\n说明：贸易商勿扰"


def test_parse_prints_items_roles_and_requirements(tmp_path: Path) -> None:
    result = run(
        tmp_path, "parse", "本厂主营家用电饭煲，现采购不粘涂层内胆3万只，须符合GB 4806.9，拒绝中间商。"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "不粘涂层内胆" in out and "本厂主营家用电饭煲" in out
    assert "中间商" in out and "gb 4806.9" in out and "3万只" in out


def test_parse_reads_a_plan_from_stdin_as_json(tmp_path: Path) -> None:
    result = run_stdin(tmp_path, PLAN, "parse", "-", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert [li["name"] for li in data["line_items"]] == ["工业盐", "片碱"]
    assert data["exclusions"] == ["贸易商"]
    assert {"kind": "quantity", "text": "800吨"} in data["line_items"][0]["requirements"]


def test_parse_refuses_empty_and_overlong_text_in_chinese(tmp_path: Path) -> None:
    empty = run(tmp_path, "parse", "  ")
    assert empty.returncode == 2 and "需求文本为空" in empty.stderr
    long = run(tmp_path, "parse", "采购钢板" * 1200)
    assert long.returncode == 2 and "需求文本过长" in long.stderr


def run_stdin(home: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("matcher")
    if exe is None:
        pytest.skip("matcher 命令未安装（pip install -e .）")
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": ""}
    return subprocess.run([exe, *args], input=text, capture_output=True, text=True, env=env, timeout=120)
