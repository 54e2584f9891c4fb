"""One participant's agenda as plain rows, shared by the XLSX, HTML and .ics exports."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from matcher.events.model import Event
from matcher.events.schedule import Schedule


class AgendaRow(NamedTuple):
    slot: int
    start: dt.datetime
    end: dt.datetime
    time: str
    table: str
    counterpart: str
    counterpart_role: str
    reasons: str
    must: bool


def agenda_rows(event: Event, schedule: Schedule, participant_id: str) -> list[AgendaRow]:
    """The participant's meetings in time order, with the counterpart's name and the match reasons."""
    slots = event.slots()
    reasons = {(c.buyer_id, c.sme_id): "；".join(c.reasons) for c in event.candidates}
    rows = []
    for m in schedule.of(participant_id):
        other = event.by_id[m.sme_id if m.buyer_id == participant_id else m.buyer_id]
        s = slots[m.slot]
        rows.append(
            AgendaRow(
                m.slot,
                s.start,
                s.end,
                f"{s.start:%H:%M}-{s.end:%H:%M}",
                event.table_name(m.table_id),
                other.name,
                other.role.label,
                reasons.get((m.buyer_id, m.sme_id), ""),
                m.must,
            )
        )
    return rows


def meeting_label(event: Event, buyer_id: str, sme_id: str) -> str:
    """ "龙头 × 中小企业" as shown in the master grid."""
    return f"{event.by_id[buyer_id].name} × {event.by_id[sme_id].name}"
