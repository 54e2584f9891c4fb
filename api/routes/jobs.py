"""Background jobs over HTTP: start an import, an index rebuild or a schedule (202 + ``status_url``), then
poll ``GET /api/jobs/{id}`` for state and progress.

Access: starting an import is the import right (platform admin); rebuilding the index the job right and,
in the engine, an admin role; scheduling the event right and ``can_manage_event``. A job is visible to the
account that started it and to platform admins (anyone else gets 404).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Query, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import MAX_ID, EngineDep, get_engine
from api.routes.registry import MAX_UPLOAD
from api.schemas import Page
from matcher.auth import Action, Principal, Resource
from matcher.errors import ImportRefusedError, MatcherError
from matcher.events.model import MAX_SLOTS
from matcher.io.columns import KIND_LABELS
from matcher.io.readers import FORMATS, text_encoding_problem
from matcher.jobs import Job

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, fail the jobs a dead server process left behind; at stop, the ones still queued here."""
    engine = app.dependency_overrides.get(get_engine, get_engine)()
    try:
        engine.jobs.recover_jobs()
    except Exception:  # a database problem shows on the first request; do not block the start
        log.warning("无法检查中断的后台任务", exc_info=True)
    yield
    try:
        engine.jobs.stop_jobs()
    except Exception:
        log.warning("无法标记未执行的后台任务", exc_info=True)


router = APIRouter(prefix="/jobs", tags=["后台任务"], lifespan=lifespan)
Reader = Annotated[Principal, require(Resource.JOB, Action.READ)]
Importer = Annotated[Principal, require(Resource.IMPORT, Action.CREATE)]
Starter = Annotated[Principal, require(Resource.JOB, Action.CREATE)]
Scheduler = Annotated[Principal, require(Resource.EVENT, Action.UPDATE)]
JobId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="任务编号")]


class JobPublic(BaseModel):
    id: int
    kind: str = Field(description="import（数据导入）/ index（重建检索索引）/ schedule（对接会排程）")
    kind_label: str
    state: str = Field(description="queued / running / done / failed / cancelled")
    state_label: str
    progress: float = Field(ge=0, le=1, description="进度 0..1")
    message: str = Field(description="当前进展或结果（中文）")
    params: dict[str, Any] = Field(description="提交时的参数（如文件名、对接会编号）")
    result: dict[str, Any] | None = Field(description="完成后的结果（如各类数据的新增与更新条数）")
    error: str | None = Field(description="失败原因（中文）")
    problems: list[str] = Field(description="逐条问题（如导入文件的行号与原因）")
    owner_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    status_url: str

    @classmethod
    def of(cls, job: Job) -> JobPublic:
        result = None if job.problems else job.result
        return cls(
            id=job.id,
            kind=job.kind,
            kind_label=job.kind_label,
            state=job.state.value,
            state_label=job.state.label,
            progress=job.progress,
            message=job.message,
            params=job.params,
            result=result,
            error=job.error,
            problems=job.problems,
            owner_id=job.owner_id,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            status_url=f"/api/jobs/{job.id}",
        )


class ScheduleJobRequest(BaseModel):
    event: str = Field(min_length=1, max_length=64, description="对接会编号")
    time_limit: float = Field(default=20.0, ge=1.0, le=600.0, description="CP-SAT 求解时限（秒）")
    min_meetings: int | None = Field(
        default=None, ge=0, le=MAX_SLOTS, description="每家中小企业至少洽谈次数 k"
    )


def _accepted(response: Response, job: Job) -> JobPublic:
    body = JobPublic.of(job)
    response.headers["Location"] = body.status_url
    return body


def _upload_name(filename: str | None, suffix: str) -> str:
    """The uploaded file's own name (sheet and messages use it), or a plain one when it is unusable."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name if name and not name.startswith(".") and len(name) <= 120 else f"upload{suffix}"


@router.post("/imports", summary="后台导入文件（CSV / XLSX / JSON Lines），返回任务", status_code=202)
def start_import(
    engine: EngineDep,
    who: Importer,
    response: Response,
    file: UploadFile,
    kind: Annotated[
        str | None, Form(max_length=20, description="parks / enterprises / demands；空为自动判断")
    ] = None,
    encoding: Annotated[str, Form(max_length=40, description="CSV/JSONL 文件编码，如 gb18030")] = "utf-8",
    dry_run: Annotated[bool, Form(description="只预检（列对应与全部问题），不写入")] = False,
) -> JobPublic:
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise ImportRefusedError(
            [f"不支持的文件类型“{suffix or file.filename}”：请使用 CSV、XLSX 或 JSON Lines"]
        )
    chosen = (kind or "").strip() or None
    if chosen is not None and chosen not in KIND_LABELS:
        raise MatcherError(f"数据类型应为 {'/'.join(KIND_LABELS)} 或留空自动判断，实为“{chosen}”")
    problem = text_encoding_problem(encoding)
    if problem:
        raise MatcherError(problem)
    data = file.file.read(MAX_UPLOAD + 1)  # a sync route: FastAPI runs it in a worker thread
    if len(data) > MAX_UPLOAD:
        raise ImportRefusedError([f"文件超过 {MAX_UPLOAD // 1024 // 1024} MB 上限"])
    folder = Path(tempfile.mkdtemp(prefix="matcher-upload-"))
    path = folder / _upload_name(file.filename, suffix)
    path.write_bytes(data)
    job = engine.jobs.start_import_job(
        path,
        kind=chosen,  # type: ignore[arg-type]
        encoding=encoding,
        dry_run=dry_run,
        principal=who,
        cleanup=lambda: shutil.rmtree(folder, ignore_errors=True),
    )
    return _accepted(response, job)


@router.post("/index", summary="后台重建检索索引（平台与园区管理员），返回任务", status_code=202)
def start_index(engine: EngineDep, who: Starter, response: Response) -> JobPublic:
    return _accepted(response, engine.jobs.start_index_job(principal=who))


@router.post("/schedule", summary="后台为对接会排程（CP-SAT），返回任务", status_code=202)
def start_schedule(
    engine: EngineDep, who: Scheduler, response: Response, body: ScheduleJobRequest
) -> JobPublic:
    job = engine.jobs.start_schedule_job(
        body.event, time_limit=body.time_limit, min_meetings=body.min_meetings, principal=who
    )
    return _accepted(response, job)


@router.get("", summary="后台任务列表（本人提交的；平台管理员为全部）")
def list_jobs(
    engine: EngineDep,
    who: Reader,
    limit: Annotated[int, Query(ge=1, le=200, description="条数")] = 50,
    kind: Annotated[str | None, Query(max_length=20, description="按类型筛选")] = None,
) -> Page[JobPublic]:
    rows = [JobPublic.of(j) for j in engine.jobs.jobs(principal=who, kind=kind, limit=limit)]
    return Page(data=rows, count=len(rows))


@router.post("/{job_id}/cancel", summary="取消排队中或进行中的后台任务（提交人或平台管理员）")
def cancel_job(engine: EngineDep, who: Reader, job_id: JobId) -> JobPublic:
    """A queued job never starts; a running one stops at its next step and writes nothing (state
    ``cancelled`` once it has stopped)."""
    return JobPublic.of(engine.jobs.cancel_job(job_id, principal=who))


@router.get("/{job_id}", summary="后台任务状态与进度")
def get_job(engine: EngineDep, who: Reader, job_id: JobId) -> JobPublic:
    return JobPublic.of(engine.jobs.job(job_id, principal=who))
