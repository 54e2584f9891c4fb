"""A participant's agenda as an iCalendar (.ics) file: one VEVENT per meeting, Asia/Shanghai time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from matcher.events.agenda import agenda_rows
from matcher.events.model import Event
from matcher.events.schedule import Schedule


def agenda_ics(
    event: Event, schedule: Schedule, participant_id: str, *, stamp: dt.datetime | None = None
) -> bytes:
    """The .ics bytes of the participant's meetings; summaries and descriptions in Chinese.

    UIDs are stable per (event, participant, slot), so re-importing an updated agenda replaces old entries.
    """
    tz = ZoneInfo(event.timezone)
    stamp = stamp or dt.datetime.now(dt.UTC)
    person = event.by_id[participant_id]
    cal = icalendar.Calendar()
    cal.add("prodid", "-//matcher//供需对接会//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{event.name} · {person.name}")
    for row in agenda_rows(event, schedule, participant_id):
        item = icalendar.Event()
        item.add("uid", f"{event.id}-{participant_id}-{row.slot}@matcher")
        item.add("dtstamp", stamp)
        item.add("dtstart", row.start.replace(tzinfo=tz))
        item.add("dtend", row.end.replace(tzinfo=tz))
        item.add("summary", f"洽谈：{row.counterpart}（{row.table}）")
        item.add("location", f"{event.venue} {row.table}".strip())
        details = [f"对象：{row.counterpart}（{row.counterpart_role}）", f"桌号：{row.table}"]
        if row.reasons:
            details.append(f"匹配理由：{row.reasons}")
        if row.must:
            details.append("双方或一方标记为“必须见”")
        item.add("description", "\n".join(details))
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def write_agenda_ics(
    event: Event,
    schedule: Schedule,
    participant_id: str,
    path: str | Path,
    *,
    stamp: dt.datetime | None = None,
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(agenda_ics(event, schedule, participant_id, stamp=stamp))
    return path
