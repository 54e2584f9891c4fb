"""Synthetic events for demos, tests and benchmarks: clustered scores, partial availability, preferences.

Each firm belongs to an industry cluster; a leading firm scores the SMEs of its own cluster high (it likes
roughly 10-30 of them strongly), neighbouring clusters middling, the rest low. Deterministic per seed.
"""

from __future__ import annotations

import datetime as dt
import random

from matcher.domain.models import Role
from matcher.events.model import Candidate, Event, Level, Participant, Preference, Session, Table
from matcher.events.shortlists import build_shortlists, shortlist_candidates

CLUSTERS = [
    "汽车零部件",
    "新能源电池",
    "电子信息",
    "智能装备",
    "新材料",
    "生物医药",
    "食品加工",
    "纺织服装",
    "化工",
    "光伏",
    "机器人",
    "集成电路",
]


def synthetic_event(
    n_buyers: int,
    n_smes: int,
    n_slots: int,
    n_tables: int,
    *,
    seed: int = 0,
    k: int = 1,
    per_buyer: int = 30,
    per_sme: int = 3,
    partial_share: float = 0.15,
    pref_share: float = 0.1,
    windows: bool = False,
) -> Event:
    """An event of the given size with shortlisted candidates; two sessions on one day.

    Partly available firms attend the morning or the afternoon, or with ``windows`` any run of at least
    three consecutive slots (late arrivals, early departures), which splits the slots into many blocks.
    """
    rng = random.Random(seed)
    n_clusters = max(1, min(len(CLUSTERS), n_smes // 25 or 1))
    people = [
        _firm(rng, f"B{i:03d}", Role.LEADING, n_clusters, n_slots, partial_share, 8, windows)
        for i in range(n_buyers)
    ]
    people += [
        _firm(rng, f"S{i:03d}", Role.SME, n_clusters, n_slots, partial_share, 4, windows)
        for i in range(n_smes)
    ]
    morning = (n_slots + 1) // 2
    sessions = [Session(day=dt.date(2025, 6, 18), start=dt.time(9, 0), slot_count=morning, label="上午场")]
    if n_slots > morning:
        sessions.append(
            Session(
                day=dt.date(2025, 6, 18), start=dt.time(14, 0), slot_count=n_slots - morning, label="下午场"
            )
        )
    tables = [Table(id=str(i + 1)) for i in range(n_tables)]
    event = Event(
        id=f"syn-{seed}",
        name="产业链供需对接会（模拟）",
        venue="园区会展中心",
        sessions=sessions,
        tables=tables,
        participants=[p for p, _ in people],
        min_meetings_per_sme=k,
    )
    cluster = {p.id: c for p, c in people}
    scored = _scores(rng, event, cluster, n_clusters)
    prefs = _preferences(rng, scored, pref_share)
    event = event.model_copy(update={"preferences": prefs})
    lists = build_shortlists(event, scored, per_buyer=per_buyer, per_sme=per_sme)
    return event.model_copy(update={"candidates": shortlist_candidates(scored, lists)})


def _firm(
    rng: random.Random,
    pid: str,
    role: Role,
    n_clusters: int,
    n_slots: int,
    partial: float,
    cap: int,
    windows: bool,
) -> tuple[Participant, int]:
    c = rng.randrange(n_clusters)
    slots = None
    if rng.random() < partial and windows and n_slots > 3:
        first = rng.randrange(n_slots - 2)
        slots = list(range(first, rng.randrange(first + 3, n_slots + 1)))
    elif rng.random() < partial:  # attends only the morning or only the afternoon
        half = (n_slots + 1) // 2
        slots = list(range(half)) if rng.random() < 0.5 else list(range(half, n_slots))
        slots = slots or None
    kind = "龙头" if role == Role.LEADING else "配套"
    name = f"{CLUSTERS[c]}{kind}企业{pid}"
    return Participant(
        id=pid,
        name=name,
        role=role,
        available_slots=slots,
        max_meetings=cap,
        demands=[f"{CLUSTERS[c]}采购需求"] if role == Role.LEADING else [],
    ), c


def _scores(rng: random.Random, event: Event, cluster: dict[str, int], n_clusters: int) -> list[Candidate]:
    out = []
    for b in event.of_role(Role.LEADING):
        taste = rng.uniform(0.3, 0.9)  # share of its own cluster the buyer really likes
        for s in event.of_role(Role.SME):
            dist = min(
                (cluster[b.id] - cluster[s.id]) % n_clusters, (cluster[s.id] - cluster[b.id]) % n_clusters
            )
            if dist == 0 and rng.random() < taste:
                score, why = rng.uniform(0.6, 0.98), f"同属{CLUSTERS[cluster[b.id]]}产业链，产品契合需求"
            elif dist == 1:
                score, why = rng.uniform(0.2, 0.6), "相邻产业链，存在配套可能"
            else:
                score, why = rng.uniform(0.0, 0.3), "产业关联较弱"
            out.append(Candidate(buyer_id=b.id, sme_id=s.id, score=round(score, 4), reasons=[why]))
    return out


def _preferences(rng: random.Random, scored: list[Candidate], share: float) -> list[Preference]:
    prefs = []
    for c in scored:
        if c.score > 0.6 and rng.random() < share:
            level = Level.MUST if rng.random() < 0.15 else Level.WANT
            who, other = (c.buyer_id, c.sme_id) if rng.random() < 0.5 else (c.sme_id, c.buyer_id)
            prefs.append(Preference(participant_id=who, target_id=other, level=level))
        elif c.score < 0.1 and rng.random() < share / 5:
            prefs.append(Preference(participant_id=c.sme_id, target_id=c.buyer_id, level=Level.NO))
    return prefs
