"""What the two sides already said, as event wishes; and the organizer's edits of a pair's wish.

Before the event, a leading firm has shortlisted or rejected candidates of its demands, SMEs have
responded to them, invitations were accepted. ``seed_wishes`` turns those into 必须见/想见/不见 of the
event's participants without overriding a wish already set (by the definition or by the organizer).
Pure functions over an ``Event``; the engine gathers the signals from the store.

Example::

    wishes = {("9132…A", "9132…B"): (Level.WANT, None)}   # buyer 统一社会信用代码, SME's, (buyer, SME) level
    event = seed_wishes(event, wishes)
"""

from __future__ import annotations

from collections.abc import Mapping

from matcher.domain.models import Role
from matcher.events.model import Event, Level, Preference

# per (buyer USCC, SME USCC): the buyer's and the SME's level (None: that side said nothing)
Wishes = Mapping[tuple[str, str], tuple[Level | None, Level | None]]


def seed_wishes(event: Event, wishes: Wishes) -> Event:
    """The event with a preference added for each side's wish on a participant pair, unless that side
    already has one for the pair (wishes set in the definition or by the organizer win)."""
    by_uscc = {p.enterprise_id: p for p in event.participants if p.enterprise_id}
    have = {(p.participant_id, p.target_id) for p in event.preferences}
    added = []
    for (buyer_uscc, sme_uscc), levels in sorted(wishes.items()):
        b, s = by_uscc.get(buyer_uscc), by_uscc.get(sme_uscc)
        if b is None or s is None or b.role is not Role.LEADING or s.role is not Role.SME:
            continue
        for (who, target), level in zip(((b.id, s.id), (s.id, b.id)), levels, strict=True):
            if level is not None and (who, target) not in have:
                added.append(Preference(participant_id=who, target_id=target, level=level))
    return event if not added else event.model_copy(update={"preferences": [*event.preferences, *added]})


def set_wish(event: Event, buyer_id: str, sme_id: str, level: Level | None) -> Event:
    """The organizer's edit of a pair, on the buyer's behalf: 必须见/想见 adds or lifts it, 不见 removes it
    from the shortlists, None takes the buyer's wish back."""
    kept = [p for p in event.preferences if (p.participant_id, p.target_id) != (buyer_id, sme_id)]
    if level is not None:
        kept.append(Preference(participant_id=buyer_id, target_id=sme_id, level=level))
    return event.model_copy(update={"preferences": kept})


def strongest(levels: list[Level]) -> Level | None:
    """One side's wish from several signals: any 必须见 wins, then 想见; 不见 only when nothing positive."""
    for level in (Level.MUST, Level.WANT, Level.NO):
        if level in levels:
            return level
    return None
