"""One time zone for everything people read: Asia/Shanghai (UTC+8, no daylight saving).

Timestamps are stored in UTC; dates a user sees or is judged by ("today" for an assessment, a deadline that
must not be past, a time on a page or in an export) are Shanghai's, whatever the server's own zone is.

>>> import datetime as dt
>>> shown(dt.datetime(2026, 12, 6, 17, 30, tzinfo=dt.UTC))
'2026-12-07 01:30:00'
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(LOCAL)


def today() -> dt.date:
    """Today's date in Shanghai (a server on UTC is still on yesterday until 08:00 there)."""
    return now().date()


def shown(value: dt.datetime | None) -> str:
    """A stored timestamp as people read it: Shanghai time, to the second ("" for none).
    A naive value is taken as UTC (how the store writes them)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")
