"""The background-jobs service: start an import, an index rebuild or a schedule as a job, and
read jobs back, scoped to the caller.

>>> job = engine.jobs.start_index_job(principal=who)          # state "queued", returns at once
>>> engine.jobs.job(job.id, principal=who).progress           # 0..1, with a Chinese ``message``

A job is visible to the account that started it and to platform admins; to anyone else it does not exist
(NotFoundError, like an invisible demand). Starting a schedule job needs the right to manage the event
(``policy.can_manage_event``), rebuilding the index an admin role.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

from matcher.auth import policy
from matcher.auth.principal import Principal
from matcher.engine.events import Events
from matcher.engine.registry import Registry
from matcher.engine.search import Search
from matcher.errors import ConflictError, MatcherError, NotFoundError
from matcher.io.columns import KIND_LABELS, Kind
from matcher.jobs import Job, JobKind, JobState, Outcome, Progress, Runner, runner_for
from matcher.jobs import progress as steps
from matcher.jobs import repo as jobs_repo
from matcher.jobs.model import JobCancelled
from matcher.store import Store

MAX_TIME_LIMIT = 600.0  # seconds a background schedule may search


class Jobs:
    """Background jobs (imports, index rebuilds, event schedules) started for a caller and read back."""

    def __init__(self, store: Store, registry: Registry, events: Events, search: Search) -> None:
        self.store = store
        self.registry = registry
        self.events = events
        self.search = search

    def job_runner(self) -> Runner:
        """This process's runner for the engine's store (one thread pool per process)."""
        return runner_for(self.store)

    # -- starting --------------------------------------------------------------------------------------

    def start_import_job(
        self,
        path: Path,
        *,
        filename: str | None = None,
        kind: Kind | None = None,
        encoding: str = "utf-8",
        dry_run: bool = False,
        principal: Principal | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> Job:
        """Import ``path`` in the background: the checks and the single transaction of ``import_file``
        (a refused file writes nothing and the job fails with the row-numbered problems); ``cleanup`` runs
        when the job ends (e.g. deleting an uploaded temp file). ``dry_run``: check only, and answer which
        column each header was read as, so the user confirms the mapping before writing."""
        if kind is not None and kind not in KIND_LABELS:
            raise MatcherError(f"数据类型应为 {'/'.join(KIND_LABELS)}，实为“{kind}”")
        name = filename or path.name

        def work(progress: Progress) -> Outcome:
            progress(0.0, f"读取文件 {name}")

            def step(stage: str, done: int, total: int) -> None:
                try:
                    progress(*steps.import_step(stage, done, total))
                except JobCancelled:
                    if stage != "index":
                        raise  # before the commit: the transaction is rolled back, nothing written
                    # "index" follows the commit: the data is in, so the import finishes as done

            report = self.registry.import_file(
                path, kind=kind, encoding=encoding, dry_run=dry_run, on_progress=step
            )
            return steps.import_outcome(report, name)

        params = {"filename": name, "kind": kind, "encoding": encoding, "dry_run": dry_run}
        return self._start(JobKind.IMPORT, work, params, principal, cleanup)

    def start_index_job(self, *, principal: Principal | None = None) -> Job:
        """Rebuild the search index in the background (into a fresh instance: searches keep using the
        committed index until the new one is saved; a failure leaves the old one in place)."""
        if principal is not None:
            allowed = principal.role in policy.ADMINS
            policy.ensure(allowed, f"{principal.role.label}无权重建检索索引（仅平台与园区管理员）")
        return self._start(JobKind.INDEX, self._rebuild_index, {}, principal, None)

    def _rebuild_index(self, progress: Progress) -> Outcome:
        from matcher.search.texts import KINDS

        progress(0.0, "读取登记库文本")
        index = self.search.fresh_index()
        applied = index.rebuild(self.store, on_progress=lambda d, t: progress(*steps.index_step(d, t)))
        return steps.index_outcome(applied, {k: index.held(k) for k in KINDS})

    def start_schedule_job(
        self,
        code: str,
        *,
        time_limit: float = 20.0,
        min_meetings: int | None = None,
        principal: Principal | None = None,
    ) -> Job:
        """Schedule event ``code`` with CP-SAT in the background and store the next version
        (``schedule_event``); progress is the time used of ``time_limit`` with objective and bound."""
        stored = self.events.event(code)
        if principal is not None:
            allowed = policy.can_manage_event(principal, stored.id, stored.park_id)
            policy.ensure(allowed, f"无权管理对接会“{code}”")
        if not 0 < time_limit <= MAX_TIME_LIMIT:
            raise MatcherError(f"求解时限应在 0 到 {MAX_TIME_LIMIT:g} 秒之间，实为 {time_limit:g}")
        self.events.check_min_meetings(code, min_meetings)

        def work(progress: Progress) -> Outcome:
            progress(0.0, "准备排程：读取对接会与候选组合")
            saved = self.events.schedule_event(
                code,
                time_limit=time_limit,
                min_meetings=min_meetings,
                on_progress=lambda p: progress(*steps.schedule_step(p)),
            )
            return steps.schedule_outcome(saved)

        params = {"event": code, "time_limit": time_limit, "min_meetings": min_meetings}
        return self._start(JobKind.SCHEDULE, work, params, principal, None)

    def _start(
        self,
        kind: JobKind,
        work: Callable[[Progress], Outcome],
        params: Mapping[str, object],
        principal: Principal | None,
        cleanup: Callable[[], None] | None,
    ) -> Job:
        owner = None if principal is None else principal.account_id
        return self.job_runner().start(kind.value, work, params=dict(params), owner_id=owner, cleanup=cleanup)

    # -- reading ---------------------------------------------------------------------------------------

    def job(self, id: int, *, principal: Principal | None = None) -> Job:
        """One job with its newest progress; NotFoundError also when ``principal`` may not see it."""
        runner = self.job_runner()
        runner.recover(force=False)
        with self.store.session() as s:
            found = jobs_repo.get_job(s, id=id)
        if principal is not None and not policy.can_see_job(principal, found.owner_id):
            raise NotFoundError(f"后台任务不存在（编号 {id}）")
        return _with_live(found, runner)

    def jobs(
        self, *, principal: Principal | None = None, kind: str | None = None, limit: int = 50
    ) -> list[Job]:
        """Newest first: the caller's own jobs (every job for platform admins and trusted callers)."""
        runner = self.job_runner()
        runner.recover(force=False)
        owner = None if principal is None or principal.is_platform_admin else principal.account_id
        with self.store.session() as s:
            found = jobs_repo.list_jobs(s, owner_id=owner, kind=kind, limit=limit)
        return [_with_live(j, runner) for j in found]

    def cancel_job(self, id: int, *, principal: Principal | None = None) -> Job:
        """Cancel a queued or running job (its owner, or a platform admin); nothing it was writing is
        kept. ConflictError when it has already ended."""
        found = self.job(id, principal=principal)
        if not found.state.active:
            raise ConflictError(f"任务已{found.state.label}，无法取消")
        self.job_runner().cancel(id)
        return self.job(id, principal=principal)

    def recover_jobs(self) -> int:
        """Fail the jobs a dead process left queued or running (call at server start)."""
        return self.job_runner().recover()

    def stop_jobs(self) -> int:
        """Fail the jobs still waiting in this process's queue (call at server stop)."""
        return self.job_runner().stop()


def _with_live(job: Job, runner: Runner) -> Job:
    if job.state is not JobState.RUNNING:
        return job
    live = runner.live(job.id)
    if live is None:
        return job
    return dataclasses.replace(job, progress=live[0], message=live[1] or job.message)
