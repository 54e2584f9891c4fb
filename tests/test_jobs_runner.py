"""The job runner: progress reaches the database (throttled, never losing the final state), failures are
stored in Chinese, queued jobs are failed at shutdown, and jobs of dead processes are recovered."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, update

from matcher.errors import ImportRefusedError, MatcherError
from matcher.jobs import INTERRUPTED, Job, JobState, Outcome, Progress, Runner
from matcher.jobs import repo as jobs_repo
from matcher.jobs.model import NOT_STARTED
from matcher.jobs.runner import BOOT
from matcher.store import Store
from matcher.store.tables import JobRow


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'jobs.db'}")
    yield store
    store.dispose()


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    executor = ThreadPoolExecutor(max_workers=1)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


def read(store: Store, job_id: int) -> Job:
    with store.session() as s:
        return jobs_repo.get_job(s, id=job_id)


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def finished(store: Store, job_id: int) -> Job:
    wait_for(lambda: not read(store, job_id).state.active)
    return read(store, job_id)


def test_progress_is_recorded_while_running_and_the_result_at_the_end(
    db: Store, pool: ThreadPoolExecutor
) -> None:
    runner = Runner(db, executor=pool, throttle=0.05)
    release = threading.Event()

    def work(progress: Progress) -> Outcome:
        progress(0.5, "处理到一半")
        release.wait(10)
        return Outcome("全部完成", {"rows": 3})

    job = runner.start("import", work, params={"filename": "a.csv"}, owner_id=None)
    assert job.state is JobState.QUEUED and job.params == {"filename": "a.csv"}
    wait_for(lambda: read(db, job.id).progress == 0.5)
    running = read(db, job.id)
    assert (running.state, running.message) == (JobState.RUNNING, "处理到一半")
    assert running.started_at is not None and running.finished_at is None
    assert runner.live(job.id) == (0.5, "处理到一半")
    release.set()
    done = finished(db, job.id)
    assert (done.state, done.progress, done.message, done.result) == (
        JobState.DONE,
        1.0,
        "全部完成",
        {"rows": 3},
    )
    assert done.finished_at is not None and done.finished_at >= done.created_at
    assert runner.live(job.id) is None and not runner.holds(job.id)


def test_a_refused_import_is_stored_with_its_problems(db: Store, pool: ThreadPoolExecutor) -> None:
    runner = Runner(db, executor=pool, throttle=0.05)
    cleaned: list[int] = []

    def work(progress: Progress) -> Outcome:
        progress(0.3, "校验数据")
        raise ImportRefusedError(["第 3 行：统一社会信用代码校验位错误", "第 5 行：企业名称为必填项"])

    job = finished(db, runner.start("import", work, cleanup=lambda: cleaned.append(1)).id)
    assert job.state is JobState.FAILED
    assert job.error == "数据校验未通过（2 个问题），未写入任何数据" == job.message
    assert job.problems == ["第 3 行：统一社会信用代码校验位错误", "第 5 行：企业名称为必填项"]
    assert job.progress == pytest.approx(0.3)
    wait_for(lambda: cleaned == [1])


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (MatcherError("对接会“X”不存在"), "对接会“X”不存在"),
        (ZeroDivisionError("division by zero"), "任务执行出错（ZeroDivisionError）：division by zero"),
    ],
)
def test_other_failures_keep_a_chinese_reason(
    db: Store, pool: ThreadPoolExecutor, error: Exception, expected: str
) -> None:
    def work(progress: Progress) -> Outcome:
        raise error

    job = finished(db, Runner(db, executor=pool).start("schedule", work).id)
    assert (job.state, job.error, job.problems) == (JobState.FAILED, expected, [])


def test_throttling_writes_little_and_never_loses_the_final_state(
    db: Store, pool: ThreadPoolExecutor
) -> None:
    writes: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE JOBS SET PROGRESS"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    runner = Runner(db, executor=pool, throttle=0.2)

    def work(progress: Progress) -> Outcome:
        calls, end = 0, time.monotonic() + 0.7
        while time.monotonic() < end:
            calls += 1
            progress(min(0.99, calls / 100_000), f"第 {calls} 步")
        return Outcome(f"完成 {calls} 步", {"calls": calls})

    job = finished(db, runner.start("index", work).id)
    calls = job.result["calls"]  # type: ignore[index]
    assert calls > 1000
    assert 1 <= len(writes) <= 6, len(writes)  # about 0.7 s / 0.2 s, not one per call
    assert (job.state, job.progress, job.message) == (JobState.DONE, 1.0, f"完成 {calls} 步")


def test_queued_jobs_get_heartbeats_and_are_failed_at_shutdown(db: Store, pool: ThreadPoolExecutor) -> None:
    runner = Runner(db, executor=pool, throttle=0.05, heartbeat=0.1)
    release, cleaned = threading.Event(), []

    def blocking(progress: Progress) -> Outcome:
        release.wait(10)
        return Outcome("完成", {})

    first = runner.start("index", blocking)
    second = runner.start("index", blocking, cleanup=lambda: cleaned.append(2))
    created = read(db, second.id)
    with db.session() as s:
        born = {j.id: j.heartbeat_at for j in jobs_repo.active_jobs(s)}[second.id]
    wait_for(lambda: _heartbeat(db, second.id) > born)  # queued, yet alive
    assert created.state is JobState.QUEUED
    assert runner.stop() == 1
    release.set()
    assert finished(db, first.id).state is JobState.DONE
    stopped = read(db, second.id)
    assert (stopped.state, stopped.error) == (JobState.FAILED, NOT_STARTED)
    assert cleaned == [2]


def _heartbeat(store: Store, job_id: int) -> dt.datetime:
    with store.session() as s:
        return next(j.heartbeat_at for j in jobs_repo.active_jobs(s) if j.id == job_id)


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_jobs_of_dead_processes_are_failed_and_live_ones_kept(db: Store, pool: ThreadPoolExecutor) -> None:
    host, old = socket.gethostname(), dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    workers = {
        "silent elsewhere": "other-host:12",
        "dead pid here": f"{host}:{_dead_pid()}",
        "earlier process with my pid": f"{host}:{os.getpid()}",
        "alive elsewhere": "other-host:13",
    }
    ids = {}
    with db.session() as s:
        for name, worker in workers.items():
            ids[name] = jobs_repo.create_job(
                s, kind="import", params={}, owner_id=None, worker=worker, message=""
            )
    with db.session() as s:
        s.execute(update(JobRow).where(JobRow.id == ids["silent elsewhere"].id).values(heartbeat_at=old))
        earlier = BOOT - dt.timedelta(seconds=1)
        s.execute(
            update(JobRow)
            .where(JobRow.id == ids["earlier process with my pid"].id)
            .values(created_at=earlier)
        )
    runner = Runner(db, executor=pool, throttle=0.05)
    release = threading.Event()

    def work(progress: Progress) -> Outcome:
        release.wait(10)
        return Outcome("完成", {})

    mine = runner.start("index", work)
    wait_for(lambda: read(db, mine.id).state is JobState.RUNNING)
    assert runner.recover() == 3
    states = {name: read(db, job.id) for name, job in ids.items()}
    for name in ("silent elsewhere", "dead pid here", "earlier process with my pid"):
        assert (states[name].state, states[name].error) == (JobState.FAILED, INTERRUPTED), name
        assert states[name].finished_at is not None
    assert states["alive elsewhere"].state is JobState.QUEUED
    assert read(db, mine.id).state is JobState.RUNNING  # held here: never recovered
    release.set()
    assert finished(db, mine.id).state is JobState.DONE
    assert Runner(db, executor=pool).recover() == 0  # nothing left to recover
