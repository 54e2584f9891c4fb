"""What each kind of job reports: its sources' callbacks turned into (fraction, Chinese message), and the
closing message and result. Pure functions, so the wording and the arithmetic are tested without threads.

* import: rows validated (0-50%), records written (50-90%), texts encoded for the search index (90-100%);
* index rebuild: texts encoded (0-95%), then the save;
* scheduling: shortlisting (0-10%), CP-SAT time used of the limit (10-95%) with the best objective found
  and the bound proven so far, then the stored version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.io.columns import KIND_LABELS
from matcher.jobs.model import Outcome

if TYPE_CHECKING:
    from matcher.events.solver import SolveProgress
    from matcher.io import ImportReport
    from matcher.search import Applied
    from matcher.store.events_repo import StoredSchedule

IMPORT_SPANS = {"check": (0.0, 0.5), "write": (0.5, 0.9), "index": (0.9, 1.0)}
INDEX_SPAN = (0.0, 0.95)
SCHEDULE_SPAN = (0.1, 0.95)


def _within(span: tuple[float, float], done: float, total: float) -> float:
    lo, hi = span
    return lo + (hi - lo) * min(1.0, max(0.0, done / total)) if total > 0 else hi


def import_step(stage: str, done: int, total: int) -> tuple[float, str]:
    """``matcher.io.import_file``'s ``on_progress(stage, done, total)`` as a fraction and a message."""
    messages = {
        "check": f"校验数据：第 {done}/{total} 行",
        "write": f"写入数据库：{done}/{total} 条",
        "index": f"同步检索索引：编码文本 {done}/{total} 条",
    }
    return _within(IMPORT_SPANS[stage], done, total), messages[stage]


def import_outcome(report: ImportReport, filename: str) -> Outcome:
    """The job's answer: counts written, or (a check only) the valid rows; and the columns as read."""
    counts = {k: c._asdict() for k, c in report.counts.items()}
    result = {
        "filename": filename,
        "rows": report.rows,
        "counts": counts,
        "dry_run": report.dry_run,
        "checked": report.checked,
        "mappings": report.mappings,
    }
    if report.dry_run:
        parts = [f"{KIND_LABELS[k]} {n} 行" for k, n in report.checked.items()]
        return Outcome(f"预检通过，未写入任何数据：{'；'.join(parts)}。确认列对应无误后再导入", result)
    parts = [f"{KIND_LABELS[k]}新增 {c.created}、更新 {c.updated}" for k, c in report.counts.items()]
    return Outcome(f"导入完成：{'；'.join(parts)}", result)


def index_step(done: int, total: int) -> tuple[float, str]:
    return _within(INDEX_SPAN, done, total), f"编码文本 {done}/{total} 条"


def index_outcome(applied: Applied, vectors: dict[str, int]) -> Outcome:
    result = {"texts": applied.texts, "added": applied.added, "removed": applied.removed, "vectors": vectors}
    held = "，".join(f"{_INDEX_LABELS.get(k, k)} {n} 个" for k, n in vectors.items())
    return Outcome(f"检索索引已重建：编码文本 {applied.texts} 条；向量 {held}", result)


_INDEX_LABELS = {"products": "企业产品", "demands": "需求"}


def schedule_step(p: SolveProgress) -> tuple[float, str]:
    """A running CP-SAT solve: time used of the limit, the best schedule's objective and the bound."""
    message = f"求解中：已用 {p.elapsed:.1f}/{p.time_limit:g} 秒"
    if p.objective is not None:
        message += f"，当前最优目标值 {p.objective}"
    if p.bound is not None:
        message += f"，上界 {p.bound}"
        if p.objective is not None:
            message += f"（差距 {max(0, p.bound - p.objective) / max(1, abs(p.bound)):.1%}）"
    return _within(SCHEDULE_SPAN, p.elapsed, p.time_limit), message


def schedule_outcome(stored: StoredSchedule) -> Outcome:
    sch = stored.schedule
    stats = sch.stats
    result = {
        "event": stored.event_code,
        "version": stored.version,
        "status": stats.status,
        "objective": stats.objective,
        "bound": stats.bound,
        "gap": stats.gap,
        "seconds": stats.seconds,
        "meetings": len(sch.meetings),
    }
    gap = "" if stats.gap is None else f"，差距 {stats.gap:.1%}"
    message = f"排程完成：第 {stored.version} 版，洽谈 {len(sch.meetings)} 场（{stats.status_label}{gap}）"
    return Outcome(message, result)
