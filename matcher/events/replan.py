"""Re-planning during the event: late arrivals and no-shows re-plan the remaining slots.

Meetings in slots before ``from_slot`` that both sides attended were held and never move. Meetings a
no-show or a late arrival missed are dropped (the pair may be scheduled again later); the remaining slots are
solved anew with held meetings fixed, and planned meetings that can stay in their slot earn a bonus, so
agendas change only where it helps.

Example::

    result = replan(event, schedule, from_slot=4, no_shows={"S017"}, arrivals={"B003": 6})
    result.schedule, result.dropped, result.event   # the event with updated availability
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

from matcher.events.model import Event, Participant
from matcher.events.schedule import Meeting, Schedule
from matcher.events.solver import solve_schedule


class Replan(NamedTuple):
    event: Event
    schedule: Schedule
    held: list[Meeting]
    dropped: list[Meeting]


def updated_event(event: Event, *, no_shows: Collection[str] = (), arrivals: Mapping[str, int] = {}) -> Event:
    """The event with no-shows unavailable and late arrivals available only from their arrival slot."""
    people = [_arrive(event, p, no_shows, arrivals) for p in event.participants]
    return event.model_copy(update={"participants": people})


def _arrive(
    event: Event, p: Participant, no_shows: Collection[str], arrivals: Mapping[str, int]
) -> Participant:
    if p.id in no_shows:
        return p.model_copy(update={"available_slots": []})
    if p.id in arrivals:
        slots = sorted(t for t in event.available(p) if t >= arrivals[p.id])
        return p.model_copy(update={"available_slots": slots})
    return p


def replan(
    event: Event,
    schedule: Schedule,
    *,
    from_slot: int,
    no_shows: Collection[str] = (),
    arrivals: Mapping[str, int] = {},
    time_limit: float = 10.0,
    keep_bonus: int = 50,
) -> Replan:
    """Re-solve slots ``from_slot``.. with held meetings fixed; see the module doc."""
    new_event = updated_event(event, no_shows=no_shows, arrivals=arrivals)

    people = new_event.by_id

    def attended(m: Meeting) -> bool:
        return all(m.slot in new_event.available(people[q]) for q in (m.buyer_id, m.sme_id))

    past = [m for m in schedule.meetings if m.slot < from_slot]
    held = [m for m in past if attended(m)]
    future = [m for m in schedule.meetings if m.slot >= from_slot]
    new = solve_schedule(
        new_event,
        time_limit=time_limit,
        fixed=held,
        open_slots=range(from_slot, new_event.slot_count),
        keep=future,
        keep_bonus=keep_bonus,
    )
    kept = {(m.buyer_id, m.sme_id) for m in new.meetings}
    dropped = [m for m in past if not attended(m)] + [m for m in future if (m.buyer_id, m.sme_id) not in kept]
    return Replan(new_event, new, held, dropped)
