"""What a background job is: its kind, its state, what it reports while running and what it leaves behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from matcher.errors import MatcherError


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def active(self) -> bool:
        return self in (JobState.QUEUED, JobState.RUNNING)


_STATE_LABELS = {
    JobState.QUEUED: "排队中",
    JobState.RUNNING: "进行中",
    JobState.DONE: "已完成",
    JobState.FAILED: "失败",
    JobState.CANCELLED: "已取消",
}


class JobKind(StrEnum):
    IMPORT = "import"
    INDEX = "index"
    SCHEDULE = "schedule"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS: dict[str, str] = {
    JobKind.IMPORT: "数据导入",
    JobKind.INDEX: "重建检索索引",
    JobKind.SCHEDULE: "对接会排程",
}

Progress = Callable[[float, str], None]
"""What a job function is handed: ``progress(fraction 0..1, Chinese message)``; cheap, call it freely."""


class Outcome(NamedTuple):
    """What a job function returns: the closing message and a JSON-able result."""

    message: str
    result: dict[str, Any]


Work = Callable[[Progress], Outcome]

INTERRUPTED = "服务重启，任务中断，请重新提交"
CANCELLED = "已按提交人的要求取消，未写入任何数据"


class JobCancelled(MatcherError):
    """Raised by ``progress`` once a job's owner cancelled it: the job stops at its next step."""
NOT_STARTED = "服务停止，任务未开始执行，请重新提交"


@dataclass(frozen=True, slots=True)
class Job:
    """One job as stored; ``problems`` are the itemised reasons of a failure (e.g. rows of an import)."""

    id: int
    kind: str
    state: JobState
    progress: float
    message: str
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    owner_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)
