"""The progress sources behind the jobs: the import reports rows checked and records written (and writes
the same in chunks as in one go), CP-SAT reports time, objective and bound, and the wording of each."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.events.solver import SolveProgress, solve_schedule
from matcher.events.synthetic import synthetic_event
from matcher.io import import_file, importer
from matcher.io.exporter import load_records, render
from matcher.jobs import progress as steps
from matcher.store import Store

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


def snapshot(store: Store) -> bytes:
    return b"".join(render({k: load_records(store, k)}, "jsonl") for k in ("parks", "enterprises", "demands"))  # type: ignore[dict-item]


def test_the_import_reports_every_row_checked_then_the_records_written(store: Store) -> None:
    calls: list[tuple[str, int, int]] = []
    report = import_file(store, TEMPLATES / "import_template.xlsx", on_progress=lambda *a: calls.append(a))
    checks = [c for c in calls if c[0] == "check"]
    writes = [c for c in calls if c[0] == "write"]
    assert calls == checks + writes  # all validation first, then writing
    assert [c[1] for c in checks] == [1, 2, 3, 4, 5] and {c[2] for c in checks} == {
        5
    }  # 1 park, 2 firms, 2 demands
    assert writes[-1] == ("write", 5, 5) and [c[1] for c in writes] == sorted(c[1] for c in writes)
    assert {k: tuple(c) for k, c in report.counts.items()} == {
        "parks": (1, 0),
        "enterprises": (2, 0),
        "demands": (2, 0),
    }


def test_writing_in_chunks_stores_the_same_as_one_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, chunked = Store(f"sqlite:///{tmp_path / 'a.db'}"), Store(f"sqlite:///{tmp_path / 'b.db'}")
    expected = import_file(whole, TEMPLATES / "import_template.xlsx").counts
    monkeypatch.setattr(importer, "MIN_WRITE_CHUNK", 1)
    monkeypatch.setattr(importer, "WRITE_CHUNKS", 1000)  # one record per chunk
    writes: list[int] = []
    report = import_file(
        chunked,
        TEMPLATES / "import_template.xlsx",
        on_progress=lambda stage, done, total: writes.append(done) if stage == "write" else None,
    )
    assert writes == [1, 2, 3, 4, 5]
    assert report.counts == expected and snapshot(chunked) == snapshot(whole)
    again = import_file(chunked, TEMPLATES / "import_template.xlsx", on_progress=lambda *a: None)
    assert {k: tuple(c) for k, c in again.counts.items()} == {
        "parks": (0, 1),
        "enterprises": (0, 2),
        "demands": (0, 2),
    }


def test_a_refused_file_reports_its_rows_checked_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    text = (TEMPLATES / "parks.csv").read_text(encoding="utf-8-sig") + ",江苏省,,,\n"
    (tmp_path / "parks.csv").write_text(text, encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    with pytest.raises(importer.ImportRefusedError) as info:
        import_file(store, tmp_path / "parks.csv", on_progress=lambda *a: calls.append(a))
    assert calls == [("check", 1, 2), ("check", 2, 2)]
    assert info.value.problems[0].startswith("第 3 行：")
    assert load_records(store, "parks") == []


def test_cp_sat_reports_time_objective_and_bound() -> None:
    event = synthetic_event(8, 30, 6, 6, seed=3)
    seen: list[SolveProgress] = []
    schedule = solve_schedule(event, time_limit=5, workers=1, on_progress=seen.append, report_every=0.05)
    assert seen, "at least the closing report"
    assert all(p.time_limit == 5 and 0 <= p.elapsed <= 5 for p in seen)
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
    last = seen[-1]
    assert (last.objective, last.bound) == (schedule.stats.objective, schedule.stats.bound)
    assert solve_schedule(event, time_limit=5, workers=1).stats.objective == schedule.stats.objective


def test_import_steps_fill_their_spans_in_order() -> None:
    assert steps.import_step("check", 0, 200) == (0.0, "校验数据：第 0/200 行")
    assert steps.import_step("check", 200, 200)[0] == pytest.approx(0.5)
    assert steps.import_step("write", 100, 400) == (pytest.approx(0.6), "写入数据库：100/400 条")
    assert steps.import_step("index", 256, 256) == (pytest.approx(1.0), "同步检索索引：编码文本 256/256 条")
    assert steps.import_step("write", 0, 0)[0] == pytest.approx(0.9)  # nothing to write: the span is done


def test_schedule_steps_say_time_objective_bound_and_gap() -> None:
    fraction, message = steps.schedule_step(SolveProgress(5.0, 20.0, 950, 1000))
    assert fraction == pytest.approx(0.1 + 0.85 * 0.25)
    assert message == "求解中：已用 5.0/20 秒，当前最优目标值 950，上界 1000（差距 5.0%）"
    assert steps.schedule_step(SolveProgress(0.5, 20.0, None, None))[1] == "求解中：已用 0.5/20 秒"
    assert steps.schedule_step(SolveProgress(30.0, 20.0, 1, 1))[0] == pytest.approx(0.95)
