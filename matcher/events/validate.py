"""An independent check of a schedule against its event: one Chinese message per broken rule.

Written from the event alone (it shares no code with the schedulers), so tests can trust it as a referee.
Fairness and must-meets are goals, not rules, and are not checked here.
"""

from __future__ import annotations

from collections import Counter

from matcher.domain.models import Role
from matcher.events.model import Event, Level
from matcher.events.schedule import Schedule


def check_schedule(event: Event, schedule: Schedule) -> list[str]:
    """Every violation of the event's hard rules by ``schedule``; an empty list means it is valid."""
    problems = _identity(event, schedule)
    if problems:
        return problems
    return _availability(event, schedule) + _clashes(event, schedule) + _caps_and_pairs(event, schedule)


def _identity(event: Event, schedule: Schedule) -> list[str]:
    people = {p.id: p for p in event.participants}
    tables = {t.id for t in event.tables}
    out = []
    for m in schedule.meetings:
        buyer, sme = people.get(m.buyer_id), people.get(m.sme_id)
        if buyer is None or buyer.role != Role.LEADING:
            out.append(f"洽谈 {m.buyer_id}×{m.sme_id}：{m.buyer_id} 不是参会的龙头企业")
        if sme is None or sme.role != Role.SME:
            out.append(f"洽谈 {m.buyer_id}×{m.sme_id}：{m.sme_id} 不是参会的中小企业")
        if not 0 <= m.slot < sum(s.slot_count for s in event.sessions):
            out.append(f"洽谈 {m.buyer_id}×{m.sme_id}：时段 {m.slot} 不存在")
        if m.table_id not in tables:
            out.append(f"洽谈 {m.buyer_id}×{m.sme_id}：桌号 {m.table_id} 不存在")
    return out


def _availability(event: Event, schedule: Schedule) -> list[str]:
    people = {p.id: p for p in event.participants}
    out = []
    for m in schedule.meetings:
        for pid in (m.buyer_id, m.sme_id):
            slots = people[pid].available_slots
            if slots is not None and m.slot not in slots:
                out.append(f"{people[pid].name} 在时段 {m.slot + 1} 不可参会，却被安排了洽谈")
    return out


def _clashes(event: Event, schedule: Schedule) -> list[str]:
    out = []
    who = Counter((pid, m.slot) for m in schedule.meetings for pid in (m.buyer_id, m.sme_id))
    out += [f"{pid} 在时段 {slot + 1} 有 {n} 场洽谈" for (pid, slot), n in who.items() if n > 1]
    tables = Counter((m.table_id, m.slot) for m in schedule.meetings)
    out += [f"{tab} 号桌在时段 {slot + 1} 有 {n} 场洽谈" for (tab, slot), n in tables.items() if n > 1]
    per_slot = Counter(m.slot for m in schedule.meetings)
    out += [
        f"时段 {slot + 1} 有 {n} 场洽谈，超过 {len(event.tables)} 张桌"
        for slot, n in per_slot.items()
        if n > len(event.tables)
    ]
    return out


def _caps_and_pairs(event: Event, schedule: Schedule) -> list[str]:
    out = []
    count = Counter(pid for m in schedule.meetings for pid in (m.buyer_id, m.sme_id))
    for p in event.participants:
        if p.max_meetings is not None and count[p.id] > p.max_meetings:
            out.append(f"{p.name} 安排了 {count[p.id]} 场，超过上限 {p.max_meetings}")
    pairs = Counter((m.buyer_id, m.sme_id) for m in schedule.meetings)
    out += [f"{b}×{s} 洽谈了 {n} 次" for (b, s), n in pairs.items() if n > 1]
    refused = {frozenset((p.participant_id, p.target_id)) for p in event.preferences if p.level == Level.NO}
    out += [f"{b}×{s} 有一方标记“不见”，却被安排了洽谈" for b, s in pairs if frozenset((b, s)) in refused]
    return out
