"""The load-test harness end to end on a small pool: ``matcher serve`` started, driven open-loop, stopped.

Bounded: 300 enterprises, the fake encoder, one worker, 20 req/s for 5 s (about 15 s in all). It proves the
harness sends what it schedules, that the server answers every request, and that a wrong key is counted
as errors, so ``--check`` can fail.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_load.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module
    spec.loader.exec_module(module)
    return module


ARGS = ["--n", "300", "--vocabulary", "sample", "--encoder", "fake", "--workers", "1", "--rate", "20", "--duration", "5"]


@pytest.mark.slow
def test_the_load_harness_meets_a_modest_rate_without_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench()
    monkeypatch.setenv("MATCHER_POOL_SNAPSHOT_FROM", "0")  # the restarts resume as at 20,000 and more
    argv = [*ARGS, "--dir", str(tmp_path), "--profile", "3", "--baseline", "3", "--check", "--restart"]
    code = bench.main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "| all | 100 | 20.0 | 0 |" in out, out
    assert "达标" in out and "未达标" not in out
    assert "worker 1 memory after the load: resident" in out, out
    assert "s resuming from the snapshot;" in out, out


@pytest.mark.slow
def test_a_refused_key_is_counted_as_errors_and_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench()
    monkeypatch.setattr(bench, "api_key", lambda store: "mk_" + "x" * 40)
    with pytest.raises(SystemExit, match="HTTP 401"):  # the warm-up refuses to go on
        bench.main([*ARGS, "--dir", str(tmp_path), "--profile", "0", "--baseline", "0", "--check"])
