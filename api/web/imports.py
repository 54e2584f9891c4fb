"""数据导入导出 (platform admin): upload a CSV / Excel file and watch the background import, rebuild the
search index as a job, download exports, and see the recent jobs.

The page only renders; the work goes through the API from ``static/imports.js``: ``POST /api/jobs/imports``
and ``POST /api/jobs/index`` start jobs, ``matcher.follow`` polls ``GET /api/jobs/{id}`` to move the bar,
and the downloads are ``GET /api/exports/{kind}.{fmt}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import EngineDep
from api.routes.registry import MAX_UPLOAD
from api.web.pages import page, render
from matcher import clock
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import Principal
from matcher.engine import Engine
from matcher.io.columns import KIND_LABELS
from matcher.jobs import Job

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, page(Resource.IMPORT, Action.CREATE)]
RECENT = 15
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel"}


class JobLine(NamedTuple):
    id: int
    kind: str
    state: str
    state_label: str
    percent: int
    text: str
    created: str
    finished: str


def local_time(value: dt.datetime | None) -> str:
    return clock.shown(value)


def job_line(job: Job) -> JobLine:
    name = job.params.get("filename") or job.params.get("event") or ""
    kind = f"{job.kind_label}（{name}）" if name else job.kind_label
    return JobLine(
        job.id,
        kind,
        job.state.value,
        job.state.label,
        round(job.progress * 100),
        job.error or job.message,
        local_time(job.created_at),
        local_time(job.finished_at),
    )


def imports_context(engine: Engine, who: Principal) -> dict[str, Any]:
    exports = [
        (label, [(FORMAT_LABELS[f], f"/api/exports/{kind}.{f}") for f in FORMAT_LABELS])
        for kind, label in KIND_LABELS.items()
    ]
    return {
        "jobs": [job_line(j) for j in engine.jobs.jobs(principal=who, limit=RECENT)],
        "kinds": list(KIND_LABELS.items()),
        "exports": exports,
        "max_mb": MAX_UPLOAD // 1024 // 1024,
    }


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, engine: EngineDep, who: Admin) -> Response:
    return render(request, "imports.html", {"who": who, **imports_context(engine, who)})
