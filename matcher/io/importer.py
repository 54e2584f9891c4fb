"""Import a file into the store: all rows valid and consistent, then one transaction; else nothing.

>>> report = import_file(store, Path("data/templates/enterprises.csv"))
>>> report.counts["enterprises"]
UpsertCounts(created=3, updated=0)

Cross-checks beyond one row: a key repeated within the file; an enterprise's park that is neither stored
nor in the same file; a demand whose publisher is not a registered leading firm.

``on_progress(stage, done, total)`` (optional) follows the work: stage ``"check"`` per validated row,
then ``"write"`` per chunk of records written (still one transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.domain import Demand, Enterprise, Park, Role
from matcher.errors import ImportRefusedError
from matcher.io.columns import KIND_LABELS, KINDS, Kind, detect_kind
from matcher.io.readers import Table, read_tables
from matcher.io.validate import Checked, check_table
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import EnterpriseRow

_SHEET_KINDS: dict[str, Kind] = {"园区": "parks", "企业": "enterprises", "需求": "demands"}
_KEYS: dict[Kind, tuple[str, str]] = {
    "parks": ("name", "园区名称"),
    "enterprises": ("uscc", "统一社会信用代码"),
    "demands": ("code", "需求编号"),
}
ImportProgressFn = Callable[[str, int, int], None]  # (stage "check" | "write", done, total)
WRITE_CHUNKS, MIN_WRITE_CHUNK = 20, 500  # with a progress callback: about 20 chunks of 500 records or more


@dataclass
class ImportReport:
    path: Path
    counts: dict[Kind, repo.UpsertCounts] = field(default_factory=dict)
    dry_run: bool = False
    checked: dict[Kind, int] = field(default_factory=dict)  # valid rows per kind (what would be written)
    mappings: dict[Kind, dict[str, str]] = field(default_factory=dict)  # header -> column, per kind

    @property
    def renamed(self) -> dict[Kind, list[tuple[str, str]]]:
        """The headers read as a column of another name (单位名称 -> 企业名称), per kind: what to confirm."""
        out = {k: [(h, c) for h, c in m.items() if h != c] for k, m in self.mappings.items()}
        return {k: pairs for k, pairs in out.items() if pairs}

    @property
    def rows(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())


def table_kind(table: Table, forced: Kind | None) -> Kind:
    if forced:
        return forced
    for label, kind in _SHEET_KINDS.items():
        if label in table.name or kind in table.name.lower():
            return kind
    detected = detect_kind(table.headers)
    if detected is None:
        raise ImportRefusedError(
            [f"{table.name}：无法判断数据类型（园区/企业/需求），请检查必填列或用 --kind 指定"]
        )
    return detected


def _duplicates(checked: Checked) -> list[str]:
    attr, label = _KEYS[checked.kind]
    first: dict[str, int] = {}
    problems = []
    for number, record in checked.records:
        key = getattr(record, attr)
        if key in first:
            problems.append(f"第 {number} 行：{label} {key} 与第 {first[key]} 行重复")
        else:
            first[key] = number
    return problems


def _reference_problems(store: Store, batches: dict[Kind, Checked]) -> list[str]:
    parks_in_file = {cast(Park, r).name for _, r in batches.get("parks", Checked("parks")).records}
    leaders_in_file = {
        cast(Enterprise, r).uscc: cast(Enterprise, r).role
        for _, r in batches.get("enterprises", Checked("enterprises")).records
    }
    with store.session() as session:
        stored_parks = set(repo.park_ids(session))
        stored_roles = {u: r for u, r in session.execute(select(EnterpriseRow.uscc, EnterpriseRow.role))}
    roles: dict[str, Any] = {**stored_roles, **leaders_in_file}
    problems = []
    for number, e in batches.get("enterprises", Checked("enterprises")).records:
        ent = cast(Enterprise, e)
        if ent.park and ent.park not in parks_in_file | stored_parks:
            problems.append(f"第 {number} 行：所属园区“{ent.park}”不存在，请先导入园区")
    for number, d in batches.get("demands", Checked("demands")).records:
        dem = cast(Demand, d)
        role = roles.get(dem.publisher_uscc)
        if role is None:
            problems.append(f"第 {number} 行：发布企业 {dem.publisher_uscc} 未登记，请先导入企业")
        elif Role(role) is not Role.LEADING:
            problems.append(
                f"第 {number} 行：发布企业 {dem.publisher_uscc} 不是龙头企业，只有龙头企业可发布需求"
            )
    return problems


def _rows_checked(
    on_progress: ImportProgressFn | None, offset: int, total: int
) -> Callable[[int], None] | None:
    """``check_table``'s ``on_row`` for a table whose rows follow ``offset`` rows of earlier tables."""
    if on_progress is None:
        return None
    return lambda done: on_progress("check", offset + done, total)


def check_file(
    store: Store,
    path: Path,
    *,
    kind: Kind | None = None,
    encoding: str = "utf-8",
    on_progress: ImportProgressFn | None = None,
) -> dict[Kind, Checked]:
    """Read and validate a whole file; raise ImportRefusedError listing every problem."""
    batches: dict[Kind, Checked] = {}
    problems: list[str] = []
    tables = read_tables(path, encoding=encoding)
    total, offset = sum(len(t.rows) for t in tables), 0
    for table in tables:
        table_type = table_kind(table, kind)
        offset += len(table.rows)
        if table_type in batches:
            problems.append(f"{table.name}：文件中有多张{KIND_LABELS[table_type]}表")
            continue
        on_row = _rows_checked(on_progress, offset - len(table.rows), total)
        checked = check_table(table_type, table, on_row=on_row)
        checked.problems += _duplicates(checked)
        problems += checked.problems
        batches[table_type] = checked
    if not any(c.records for c in batches.values()) and not problems:
        problems.append(f"文件 {path.name} 没有数据行")
    problems += _reference_problems(store, batches)  # with the others: every problem in one answer
    if problems:
        raise ImportRefusedError(problems)
    return batches


Writer = Callable[..., repo.UpsertCounts]
_WRITERS: dict[Kind, tuple[Writer, str]] = {
    "parks": (repo.upsert_parks, "parks"),
    "enterprises": (repo.upsert_enterprises, "enterprises"),
    "demands": (repo.upsert_demands, "demands"),
}


def import_file(
    store: Store,
    path: Path,
    *,
    kind: Kind | None = None,
    encoding: str = "utf-8",
    dry_run: bool = False,
    on_progress: ImportProgressFn | None = None,
) -> ImportReport:
    """Validate ``path`` whole, then upsert it in one transaction (parks, then enterprises, then demands)."""
    batches = check_file(store, path, kind=kind, encoding=encoding, on_progress=on_progress)
    report = ImportReport(path, dry_run=dry_run)
    report.checked = {k: len(c.records) for k, c in batches.items()}
    report.mappings = {k: c.mapping for k, c in batches.items()}
    if dry_run:
        return report
    total = sum(len(c.records) for c in batches.values())
    chunk = max(MIN_WRITE_CHUNK, -(-total // WRITE_CHUNKS)) if on_progress else max(1, total)
    written = [0]

    def wrote(n: int) -> None:
        written[0] += n
        if on_progress is not None:
            on_progress("write", written[0], total)

    with store.session() as session:
        for table_kind_ in KINDS:
            if table_kind_ in batches:
                records = [r for _, r in batches[table_kind_].records]
                report.counts[table_kind_] = _write(session, table_kind_, records, chunk, wrote)
    return report


def _write(
    session: Session, kind: Kind, records: list[Any], chunk: int, wrote: Callable[[int], None]
) -> repo.UpsertCounts:
    """Upsert ``records`` of one kind ``chunk`` at a time (one chunk without a progress callback)."""
    write, arg = _WRITERS[kind]
    created = updated = 0
    for start in range(0, len(records), chunk):
        part = records[start : start + chunk]
        counts = write(session, **{arg: part})
        created, updated = created + counts.created, updated + counts.updated
        wrote(len(part))
    return repo.UpsertCounts(created, updated)


def import_records(
    store: Store,
    *,
    parks: Sequence[Park] = (),
    enterprises: Sequence[Enterprise] = (),
    demands: Sequence[Demand] = (),
) -> dict[Kind, repo.UpsertCounts]:
    """Upsert already-validated records in one transaction (used by the sample loader and the API)."""
    with store.session() as session:
        return {
            "parks": repo.upsert_parks(session, parks=parks),
            "enterprises": repo.upsert_enterprises(session, enterprises=enterprises),
            "demands": repo.upsert_demands(session, demands=demands),
        }
