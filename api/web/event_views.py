"""What the 对接会 pages show, as plain rows built from the engine's event objects (no HTTP, no SQL).

The templates only loop and print: names are looked up, wishes grouped, the schedule laid out as a grid of
slots x tables and the solver's report put in words here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from matcher.domain import Role
from matcher.events import Event, Schedule, ShortlistEntry, Shortlists
from matcher.events.model import Level
from matcher.events.schedule import STATUS_LABELS
from matcher.ranking.relevance import points
from matcher.store.events_repo import StoredEvent, StoredSchedule

EXPORTS = (  # (what, label) of the download routes in api/routes/events.py
    ("master", "排程总表（XLSX）"),
    ("agendas", "各企业日程（XLSX）"),
    ("shortlists", "推荐名单（XLSX）"),
    ("html", "日程（可打印 HTML）"),
    ("cards", "桌卡（可打印 HTML）"),
)


@dataclass(frozen=True, slots=True)
class EventLine:
    code: str
    name: str
    park: str
    days: str
    leading: int
    smes: int
    has_shortlists: bool
    version: int | None
    status: str


@dataclass(frozen=True, slots=True)
class ParticipantLine:
    id: str
    name: str
    role: str
    uscc: str
    limit: str
    availability: str
    wishes: dict[str, list[str]]  # 必须见 / 想见 / 不见 -> counterpart names
    meetings: int | None


@dataclass(frozen=True, slots=True)
class ShortRow:
    rank: int
    id: str
    name: str
    score: str
    wish: str
    reasons: str


@dataclass(frozen=True, slots=True)
class BuyerList:
    id: str
    name: str
    musts: int
    rows: list[ShortRow]


@dataclass(frozen=True, slots=True)
class Cell:
    buyer: str
    sme: str
    must: bool
    title: str  # the full names, shown on hover


SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份", "集团")


def short_name(name: str) -> str:
    """A firm's name without its legal-form suffixes, for the narrow grid cells: 苏州旭光半导体科技."""
    for _ in range(3):
        for suffix in SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name = name.removesuffix(suffix)
    return name


@dataclass(frozen=True, slots=True)
class GridRow:
    label: str
    session: str
    cells: list[Cell | None]


def event_line(stored: StoredEvent, versions: list[tuple[int, str, str, int]]) -> EventLine:
    ev = stored.event
    last = versions[-1] if versions else None
    return EventLine(
        code=stored.code,
        name=ev.name,
        park=stored.park or "—",
        days="、".join(sorted({f"{s.day:%Y-%m-%d}" for s in ev.sessions})),
        leading=len(ev.of_role(Role.LEADING)),
        smes=len(ev.of_role(Role.SME)),
        has_shortlists=bool(ev.candidates),
        version=last[0] if last else None,
        status=STATUS_LABELS.get(last[2], last[2]) if last else "",
    )


def _availability(event: Event, slots: list[int] | None) -> str:
    """ "全程", or runs of consecutive slots as time spans: "07月16日 09:00-11:25"."""
    if slots is None:
        return "全程"
    every, runs = event.slots(), list[list[int]]()
    for n in sorted(set(slots)):
        if runs and runs[-1][-1] == n - 1 and every[n].session == every[n - 1].session:
            runs[-1].append(n)
        else:
            runs.append([n])
    spans = [f"{every[r[0]].start:%m月%d日 %H:%M}-{every[r[-1]].end:%H:%M}" for r in runs]
    return "、".join(spans) or "无"


def participants(event: Event, schedule: Schedule | None) -> list[ParticipantLine]:
    names = {p.id: p.name for p in event.participants}
    wishes: dict[str, dict[str, list[str]]] = {}
    for w in event.preferences:
        mine = wishes.setdefault(w.participant_id, {})
        mine.setdefault(w.level.label, []).append(names.get(w.target_id, w.target_id))
    return [
        ParticipantLine(
            id=p.id,
            name=p.name,
            role=p.role.label,
            uscc=p.enterprise_id or "—",
            limit=str(p.max_meetings) if p.max_meetings is not None else "—",
            availability=_availability(event, p.available_slots),
            wishes=wishes.get(p.id, {}),
            meetings=len(schedule.of(p.id)) if schedule else None,
        )
        for p in event.participants
    ]


def _wish(e: ShortlistEntry) -> str:
    sides = [("采购方", e.buyer_level), ("供应方", e.sme_level)]
    return "；".join(f"{who}{level.label}" for who, level in sides if isinstance(level, Level))


def shortlists(event: Event, lists: Shortlists) -> list[BuyerList]:
    """Each leading firm's recommended SMEs in rank order, with score, wishes and reasons."""
    names = {p.id: p.name for p in event.participants}
    out = []
    for buyer in event.of_role(Role.LEADING):
        entries = lists.by_buyer.get(buyer.id, [])
        rows = [
            ShortRow(
                e.rank,
                e.counterpart_id,
                names[e.counterpart_id],
                f"{points(e.score):g}",
                _wish(e),
                "；".join(e.reasons),
            )
            for e in entries
        ]
        out.append(BuyerList(buyer.id, buyer.name, sum(e.must for e in entries), rows))
    return out


def grid(event: Event, schedule: Schedule) -> tuple[list[str], list[GridRow]]:
    """Table names and one row per slot: who meets whom at each table."""
    tables = [t.id for t in event.tables]
    at = {(m.slot, m.table_id): m for m in schedule.meetings}
    names = {p.id: p.name for p in event.participants}
    rows = []
    for slot in event.slots():
        cells: list[Cell | None] = []
        for t in tables:
            m = at.get((slot.number, t))
            if m is None:
                cells.append(None)
                continue
            buyer, sme = names[m.buyer_id], names[m.sme_id]
            cells.append(Cell(short_name(buyer), short_name(sme), m.must, f"{buyer} × {sme}"))
        rows.append(GridRow(slot.label, event.sessions[slot.session].label, cells))
    return [t.display for t in event.tables], rows


def solver_report(stored: StoredSchedule, event: Event) -> dict[str, Any]:
    st, sch = stored.schedule.stats, stored.schedule
    names = {p.id: p.name for p in event.participants}
    return {
        "version": stored.version,
        "kind": "重新排程" if stored.kind == "replan" else "排程",
        "created": f"{stored.created_at:%Y-%m-%d %H:%M}" if stored.created_at else "",
        "status": STATUS_LABELS.get(st.status, st.status),
        "solver": st.solver,
        "objective": st.objective,
        "bound": st.bound if st.bound is not None else "—",
        "gap": f"{st.gap * 100:.2f}%" if st.gap is not None else "—",
        "seconds": f"{st.seconds:.1f}",
        "meetings": len(sch.meetings),
        "musts_met": st.musts_met,
        "pairs": st.pairs_considered,
        "unmet": [
            (names.get(u.buyer_id, u.buyer_id), names.get(u.sme_id, u.sme_id), u.reason)
            for u in sch.unmet_musts
        ],
        "shortfall": [(names.get(s, s), n) for s, n in sorted(sch.sme_shortfall.items())],
    }


def export_links(
    code: str, version: int | None, *, has_schedule: bool, has_shortlists: bool
) -> list[tuple[str, str]]:
    """(label, href) of the downloads available now: the shortlists once made, the rest once scheduled."""
    query = f"?{urlencode({'version': version})}" if version is not None else ""
    base = f"/api/events/{quote(code, safe='')}/exports"
    return [
        (label, f"{base}/{what}{'' if what == 'shortlists' else query}")
        for what, label in EXPORTS
        if (has_shortlists if what == "shortlists" else has_schedule)
    ]
