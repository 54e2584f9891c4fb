"""Run jobs on a process-wide thread pool and keep their state in the database.

>>> runner = runner_for(store)
>>> job = runner.start("index", work, owner_id=1)       # returns at once, state queued
>>> runner.live(job.id)                                  # (fraction, message) while it runs here

A job function gets ``progress(fraction, message)``, which only updates memory; a flusher thread writes
the newest value at most every ``throttle`` seconds (so a chatty job costs nothing, and a job holding a
long SQLite write transaction is never blocked by its own progress), and the final state is always written
when the job ends. The same thread touches ``heartbeat_at`` of every job this process holds; a queued or
running job whose process died is failed by :meth:`Runner.recover` (at server start and on reads).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from matcher.errors import MatcherError, ValidationError
from matcher.jobs import repo
from matcher.jobs.model import CANCELLED, INTERRUPTED, NOT_STARTED, Job, JobCancelled, JobState, Outcome, Work
from matcher.store import Store

log = logging.getLogger("matcher.jobs")
WORKERS = 2  # jobs run at once per process; more wait in the queue
THROTTLE = 0.3  # seconds between progress writes of one job
HEARTBEAT = 5.0  # seconds between the heartbeats of held jobs
STALE_AFTER = 60.0  # a queued or running job silent this long belongs to a dead process
RECOVER_EVERY = 10.0  # reads check for dead jobs at most this often
MAX_PROBLEMS = 1000  # itemised problems kept with a failed job
BOOT = dt.datetime.now(dt.UTC)  # jobs of this host and pid created before this belong to a dead process

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def shared_pool() -> ThreadPoolExecutor:
    """The process-wide pool every runner submits to (made on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="matcher-job")
        return _pool


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Live:
    """A running job's newest progress, in memory; ``dirty`` until the flusher has written it.

    Once the job's owner cancelled it (``cancelled``, set by the flusher), the next progress report
    raises JobCancelled: jobs report between stages and every few rows, so that is where they stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fraction, self.message, self.dirty = 0.0, "", False
        self.cancelled = False

    def __call__(self, fraction: float, message: str) -> None:
        value = float(fraction)
        value = 0.0 if value != value else min(1.0, max(0.0, value))  # NaN -> 0
        with self._lock:
            self.fraction, self.message, self.dirty = value, str(message), True
        if self.cancelled:
            raise JobCancelled(CANCELLED)

    def peek(self) -> tuple[float, str]:
        with self._lock:
            return self.fraction, self.message

    def take(self) -> tuple[float, str] | None:
        with self._lock:
            if not self.dirty:
                return None
            self.dirty = False
            return self.fraction, self.message


@dataclass
class _Held:
    cleanup: Callable[[], None] | None
    future: Future[None] | None = None
    live: _Live | None = None  # set once the job runs


class Runner:
    """The jobs of one store in this process: start, follow, finish, recover."""

    def __init__(
        self,
        store: Store,
        *,
        executor: Executor | None = None,
        throttle: float = THROTTLE,
        heartbeat: float = HEARTBEAT,
        stale_after: float = STALE_AFTER,
    ) -> None:
        self.store = store
        self.executor = executor
        self.throttle, self.heartbeat, self.stale_after = throttle, heartbeat, stale_after
        self.worker = this_worker()
        self._lock = threading.Lock()
        self._held: dict[int, _Held] = {}
        self._flusher: threading.Thread | None = None
        self._last_recover = 0.0

    # -- starting --------------------------------------------------------------------------------------

    def start(
        self,
        kind: str,
        work: Work,
        *,
        params: dict[str, object] | None = None,
        owner_id: int | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> Job:
        """Store a queued job and hand ``work`` to the pool; ``cleanup`` runs once whatever happens."""
        try:
            with self.store.session() as s:
                job = repo.create_job(
                    s,
                    kind=kind,
                    params=dict(params or {}),
                    owner_id=owner_id,
                    worker=self.worker,
                    message="排队等待执行",
                )
        except BaseException:
            if cleanup is not None:
                cleanup()
            raise
        held = _Held(cleanup)
        with self._lock:
            self._held[job.id] = held
            self._ensure_flusher()
        try:
            held.future = (self.executor or shared_pool()).submit(self._run, job.id, work)
        except RuntimeError:  # the pool is shut down: the process is stopping
            self._abandon([job.id], NOT_STARTED)
            with self.store.session() as s:
                return repo.get_job(s, id=job.id)
        return job

    def _ensure_flusher(self) -> None:
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._flush_loop, name="matcher-job-flush", daemon=True)
            self._flusher.start()

    # -- running ---------------------------------------------------------------------------------------

    def _run(self, job_id: int, work: Work) -> None:
        try:
            with self.store.session() as s:
                if not repo.start_job(s, id=job_id, worker=self.worker, message="开始执行"):
                    return  # failed meanwhile (e.g. by a shutdown)
            live = _Live()
            with self._lock:
                if job_id in self._held:
                    self._held[job_id].live = live
            self._finish(job_id, live, *self._execute(work, live))
        except Exception:  # the database itself failed; the heartbeat stops and recovery fails the job
            log.exception("后台任务 %s 无法记录状态", job_id)
        finally:
            self._release(job_id)

    @staticmethod
    def _execute(work: Work, live: _Live) -> tuple[Outcome | None, str | None, list[str]]:
        """(outcome, error, problems) of running ``work``; errors become Chinese messages."""
        try:
            return work(live), None, []
        except JobCancelled:
            return None, CANCELLED, []
        except ValidationError as exc:
            problems = exc.problems[:MAX_PROBLEMS]
            if len(exc.problems) > MAX_PROBLEMS:
                problems.append(f"……另有 {len(exc.problems) - MAX_PROBLEMS} 个问题未列出")
            return None, f"数据校验未通过（{len(exc.problems)} 个问题），未写入任何数据", problems
        except MatcherError as exc:
            return None, str(exc) or exc.__class__.__name__, []
        except Exception as exc:
            log.exception("后台任务执行出错")
            return None, f"任务执行出错（{exc.__class__.__name__}）：{exc}", []

    def _finish(
        self, job_id: int, live: _Live, outcome: Outcome | None, error: str | None, problems: list[str]
    ) -> None:
        result: dict[str, object] | None
        if outcome is not None:
            state, progress, message, result = JobState.DONE, 1.0, outcome.message, outcome.result
        else:
            state = JobState.CANCELLED if error == CANCELLED else JobState.FAILED
            progress, message = live.peek()[0], error or ""
            result = {"problems": problems} if problems else None
        for attempt in range(5):  # SQLite may be busy with another writer for a moment
            try:
                with self.store.session() as s:
                    repo.finish_job(
                        s,
                        id=job_id,
                        state=state,
                        progress=progress,
                        message=message,
                        result=result,
                        error=error,
                    )
                return
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _release(self, job_id: int) -> None:
        with self._lock:
            held = self._held.pop(job_id, None)
        if held is not None and held.cleanup is not None:
            try:
                held.cleanup()
            except Exception:
                log.exception("后台任务 %s 的清理失败", job_id)

    # -- progress and heartbeat ------------------------------------------------------------------------

    def _flush_loop(self) -> None:
        last_beat = time.monotonic()
        while True:
            time.sleep(self.throttle)
            with self._lock:
                if not self._held:
                    self._flusher = None
                    return
                ids = list(self._held)
                dirty = [(i, h.live.take()) for i, h in self._held.items() if h.live is not None]
            beat = time.monotonic() - last_beat >= self.heartbeat
            try:
                with self.store.session() as s:
                    for job_id, value in dirty:
                        if value is not None:
                            repo.report_progress(s, id=job_id, progress=value[0], message=value[1])
                    if beat:
                        repo.touch(s, ids=ids)
                        last_beat = time.monotonic()
                    self._mark_cancelled(repo.cancel_requested(s, ids=ids))
            except Exception:  # SQLite locked by a long import transaction: the next round retries
                log.debug("后台任务进度暂未写入", exc_info=True)
                self._mark_dirty([i for i, v in dirty if v is not None])

    def _mark_cancelled(self, ids: set[int]) -> None:
        with self._lock:
            for job_id in ids:
                held = self._held.get(job_id)
                if held is not None and held.live is not None:
                    held.live.cancelled = True

    def cancel(self, job_id: int) -> None:
        """Ask job ``job_id`` to stop: a queued one never starts, a running one stops at its next step
        (in whichever process runs it; this one also stops waiting for the flusher)."""
        with self.store.session() as s:
            repo.request_cancel(s, id=job_id)
        with self._lock:
            held = self._held.get(job_id)
        if held is not None and held.future is not None and held.future.cancel():
            self._release(job_id)  # it was still in this process's queue: it never runs
        self._mark_cancelled({job_id})

    def _mark_dirty(self, ids: list[int]) -> None:
        with self._lock:
            for i in ids:
                held = self._held.get(i)
                if held is not None and held.live is not None:
                    held.live.dirty = True

    def live(self, job_id: int) -> tuple[float, str] | None:
        """The in-memory progress of a job running in this process (fresher than the database)."""
        with self._lock:
            held = self._held.get(job_id)
            live = None if held is None else held.live
        return None if live is None else live.peek()

    def holds(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._held

    # -- dead processes and shutdown -------------------------------------------------------------------

    def recover(self, *, force: bool = True) -> int:
        """Fail the queued and running jobs whose process is gone; returns how many.

        Dead means: created on this host by a process id that no longer runs (or by an earlier process
        with this very id), or silent (no heartbeat) for ``stale_after`` seconds on any host.
        """
        now = time.monotonic()
        if not force and now - self._last_recover < RECOVER_EVERY:
            return 0
        self._last_recover = now
        with self.store.session() as s:
            dead = [j.id for j in repo.active_jobs(s) if self._is_dead(j)]
            count = repo.fail_jobs(s, ids=dead, error=INTERRUPTED)
        if count:
            log.warning("已将 %d 个中断的后台任务标记为失败", count)
        return count

    def _is_dead(self, job: repo.ActiveJob) -> bool:
        if self.holds(job.id):
            return False
        if (repo.utcnow() - job.heartbeat_at).total_seconds() > self.stale_after:
            return True
        host, _, pid = job.worker.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False
        if int(pid) == os.getpid():
            return job.created_at < BOOT  # an earlier process that had this id
        return not _pid_alive(int(pid))

    def stop(self) -> int:
        """Fail the jobs still waiting in the queue (the server stops); running ones finish."""
        with self._lock:
            waiting = [i for i, h in self._held.items() if h.future is not None and h.future.cancel()]
        self._abandon(waiting, NOT_STARTED)
        return len(waiting)

    def _abandon(self, ids: list[int], reason: str) -> None:
        if ids:
            with self.store.session() as s:
                repo.fail_jobs(s, ids=ids, error=reason)
        for job_id in ids:
            self._release(job_id)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


_runners: dict[int, Runner] = {}
_runners_lock = threading.Lock()


def runner_for(store: Store) -> Runner:
    """The runner of ``store`` in this process (one per Store object, so the held jobs are known)."""
    with _runners_lock:
        runner = _runners.get(id(store))  # the runner keeps its store alive, so the id is not reused
        if runner is None:
            runner = _runners[id(store)] = Runner(store)
        return runner
