"""Which buyer-SME pairs may meet, what each is worth, and the objective every scheduler maximizes.

The value of a pair is the engine score scaled to integers plus a bonus for each side that wants (or must)
meet; a 不见 from either side removes the pair. The objective adds large rewards for met must-meets and for
each SME meeting up to the organizer's minimum k, so must-meets come first, fairness second, value third.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from matcher.domain.models import Role
from matcher.events.model import Event, Level


@dataclass(frozen=True)
class Weights:
    """Integer weights of the objective (CP-SAT needs integers)."""

    score_scale: int = 1000
    want_bonus: int = 300
    must_reward: int = 100_000
    fairness_reward: int = 10_000


class Pair(NamedTuple):
    buyer_id: str
    sme_id: str
    value: int
    must: bool
    slots: tuple[int, ...]


class UnmetMust(NamedTuple):
    buyer_id: str
    sme_id: str
    reason: str


class PairSet(NamedTuple):
    pairs: list[Pair]
    impossible_musts: list[UnmetMust]


class Objective(NamedTuple):
    value: int
    musts_met: int
    fairness_units: int
    total: int


PairKey = tuple[str, str]


def pair_levels(event: Event) -> dict[PairKey, tuple[Level | None, Level | None]]:
    """(buyer's level toward the SME, SME's level toward the buyer) for every pair someone marked."""
    out: dict[PairKey, tuple[Level | None, Level | None]] = {}
    people = event.by_id
    for pref in event.preferences:
        me, other = people[pref.participant_id], people[pref.target_id]
        if me.role == Role.LEADING and other.role == Role.SME:
            key = (me.id, other.id)
            out[key] = (pref.level, out.get(key, (None, None))[1])
        elif me.role == Role.SME and other.role == Role.LEADING:
            key = (other.id, me.id)
            out[key] = (out.get(key, (None, None))[0], pref.level)
    return out


def pair_value(score: float, levels: tuple[Level | None, Level | None], weights: Weights) -> int:
    """Scaled engine score plus a bonus per side that marked 想见 or 必须见."""
    wanted = sum(1 for lv in levels if lv in (Level.WANT, Level.MUST))
    return round(score * weights.score_scale) + wanted * weights.want_bonus


def is_must(levels: tuple[Level | None, Level | None]) -> bool:
    return Level.MUST in levels and Level.NO not in levels


def candidate_pairs(event: Event, weights: Weights | None = None) -> PairSet:
    """Pairs the schedulers may use: candidates and marked pairs, minus 不见 and pairs with no common slot."""
    weights = weights or Weights()
    levels = pair_levels(event)
    scores = {(c.buyer_id, c.sme_id): c.score for c in event.candidates}
    keys = list(dict.fromkeys([*scores, *levels]))
    pairs: list[Pair] = []
    impossible: list[UnmetMust] = []
    people = event.by_id
    for b, s in keys:
        buyer, sme = people.get(b), people.get(s)
        if buyer is None or sme is None or buyer.role != Role.LEADING or sme.role != Role.SME:
            continue
        lv = levels.get((b, s), (None, None))
        if Level.NO in lv:
            if Level.MUST in lv:
                impossible.append(UnmetMust(b, s, "一方标记了“不见”"))
            continue
        common = tuple(sorted(event.available(buyer) & event.available(sme)))
        if not common:
            if Level.MUST in lv:
                impossible.append(UnmetMust(b, s, "双方没有共同的可参会时段"))
            continue
        pairs.append(Pair(b, s, pair_value(scores.get((b, s), 0.0), lv, weights), is_must(lv), common))
    return PairSet(pairs, impossible)


def objective(event: Event, meetings: Iterable[tuple[str, str]], weights: Weights | None = None) -> Objective:
    """The objective of a set of (buyer_id, sme_id) meetings, as every scheduler here counts it."""
    weights = weights or Weights()
    levels = pair_levels(event)
    scores = {(c.buyer_id, c.sme_id): c.score for c in event.candidates}
    met = list(meetings)
    value = sum(pair_value(scores.get(k, 0.0), levels.get(k, (None, None)), weights) for k in met)
    musts = sum(1 for k in set(met) if is_must(levels.get(k, (None, None))))
    per_sme = Counter(s for _, s in met)
    k = event.min_meetings_per_sme
    units = sum(min(k, per_sme[p.id]) for p in event.of_role(Role.SME))
    total = value + weights.must_reward * musts + weights.fairness_reward * units
    return Objective(value, musts, units, total)
