"""Shortlists before the event: for each leading firm the SMEs it should meet, for each SME its buyers.

Pure functions over scored pairs and preferences. The matching engine plugs in as a callable
``score_pair(buyer_id, sme_id) -> (score, reasons)``; its scores decide the order, 想见 / 必须见 lift a pair,
不见 removes it, and must-meets are always listed. The union of both shortlists is the scheduler's pool.

Example::

    scored = score_pairs(event, engine_score_pair)
    lists = build_shortlists(event, scored, per_buyer=20, per_sme=5)
    event = event.model_copy(update={"candidates": shortlist_candidates(scored, lists)})
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import NamedTuple

from matcher.domain.models import Role
from matcher.events.model import Candidate, Event, Level
from matcher.events.pairs import Weights, pair_levels, pair_value
from matcher.ranking.relevance import points

ScorePair = Callable[[str, str], tuple[float, list[str]]]


class ShortlistEntry(NamedTuple):
    counterpart_id: str
    rank: int
    score: float
    value: int
    reasons: list[str]
    buyer_level: Level | None
    sme_level: Level | None

    @property
    def must(self) -> bool:
        return Level.MUST in (self.buyer_level, self.sme_level)


class Shortlists(NamedTuple):
    by_buyer: dict[str, list[ShortlistEntry]]
    by_sme: dict[str, list[ShortlistEntry]]


def score_pairs(event: Event, score_pair: ScorePair) -> list[Candidate]:
    """Score every leading-firm x SME pair of the event with the engine's callable."""
    out = []
    for b in event.of_role(Role.LEADING):
        for s in event.of_role(Role.SME):
            score, reasons = score_pair(b.id, s.id)
            out.append(
                Candidate(buyer_id=b.id, sme_id=s.id, score=min(1.0, max(0.0, score)), reasons=list(reasons))
            )
    return out


def build_shortlists(
    event: Event,
    scored: Sequence[Candidate],
    *,
    per_buyer: int = 20,
    per_sme: int = 5,
    min_score: float = 0.0,
    weights: Weights | None = None,
) -> Shortlists:
    """Ranked shortlists on both sides: all musts first, then the ``per_*`` best by value; no 不见 pairs."""
    weights = weights or Weights()
    levels = pair_levels(event)
    by_buyer: dict[str, list[ShortlistEntry]] = defaultdict(list)
    by_sme: dict[str, list[ShortlistEntry]] = defaultdict(list)
    for c in scored:
        lv = levels.get((c.buyer_id, c.sme_id), (None, None))
        if Level.NO in lv or (points(c.score) < min_score and Level.MUST not in lv):
            continue
        value = pair_value(c.score, lv, weights)
        by_buyer[c.buyer_id].append(ShortlistEntry(c.sme_id, 0, c.score, value, c.reasons, *lv))
        by_sme[c.sme_id].append(ShortlistEntry(c.buyer_id, 0, c.score, value, c.reasons, *lv))
    return Shortlists(_cut(by_buyer, per_buyer), _cut(by_sme, per_sme))


def _cut(lists: dict[str, list[ShortlistEntry]], top: int) -> dict[str, list[ShortlistEntry]]:
    out = {}
    for owner, entries in lists.items():
        entries.sort(key=lambda e: (not e.must, -e.value, -e.score, e.counterpart_id))
        musts = [e for e in entries if e.must]  # listed always, on top of the ``top`` others
        kept = musts + [e for e in entries if not e.must][:top]
        out[owner] = [e._replace(rank=i + 1) for i, e in enumerate(kept)]
    return out


def shortlist_candidates(scored: Sequence[Candidate], lists: Shortlists) -> list[Candidate]:
    """The scored pairs that appear on either side's shortlist: the scheduler's candidate pool."""
    keep = {(b, e.counterpart_id) for b, es in lists.by_buyer.items() for e in es}
    keep |= {(e.counterpart_id, s) for s, es in lists.by_sme.items() for e in es}
    return [c for c in scored if (c.buyer_id, c.sme_id) in keep]
