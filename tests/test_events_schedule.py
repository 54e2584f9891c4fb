"""Scheduler: hand-worked cases, brute-force optimality on tiny events, property tests with the validator."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.domain.models import Role
from matcher.events import (
    Candidate,
    Event,
    Level,
    Meeting,
    Participant,
    Preference,
    Schedule,
    Session,
    SolveStats,
    Table,
    check_schedule,
    greedy_schedule,
    objective,
    solve_schedule,
)


def _event(n_slots: int, n_tables: int, scores: dict[tuple[str, str], float], k: int = 0,
           prefs: list[Preference] | None = None, people: list[Participant] | None = None) -> Event:
    ids = sorted({b for b, _ in scores}), sorted({s for _, s in scores})
    people = people or ([Participant(id=b, name=f"龙头{b}", role=Role.LEADING) for b in ids[0]]
                        + [Participant(id=s, name=f"中小{s}", role=Role.SME) for s in ids[1]])
    return Event(id="t", name="测试对接会",
                 sessions=[Session(day=dt.date(2025, 6, 18), start=dt.time(9), slot_count=n_slots)],
                 tables=[Table(id=str(i + 1)) for i in range(n_tables)], participants=people,
                 candidates=[Candidate(buyer_id=b, sme_id=s, score=v) for (b, s), v in scores.items()],
                 preferences=prefs or [], min_meetings_per_sme=k)


def brute_force(event: Event) -> int:
    """Best objective over every assignment of each candidate pair to a slot or to no meeting."""
    n, tables = event.slot_count, len(event.tables)
    no = {frozenset((p.participant_id, p.target_id)) for p in event.preferences if p.level == Level.NO}
    pairs = [(c.buyer_id, c.sme_id) for c in event.candidates if frozenset((c.buyer_id, c.sme_id)) not in no]
    best = objective(event, []).total
    for choice in itertools.product(range(-1, n), repeat=len(pairs)):
        meet = [(b, s, t) for (b, s), t in zip(pairs, choice, strict=True) if t >= 0]
        if _feasible(event, meet, tables):
            best = max(best, objective(event, [(b, s) for b, s, _ in meet]).total)
    return best


def _feasible(event: Event, meet: list[tuple[str, str, int]], tables: int) -> bool:
    if any(c > tables for c in Counter(t for _, _, t in meet).values()):
        return False
    if any(c > 1 for c in Counter((q, t) for b, s, t in meet for q in (b, s)).values()):
        return False
    count = Counter(q for b, s, _ in meet for q in (b, s))
    for p in event.participants:
        if p.max_meetings is not None and count[p.id] > p.max_meetings:
            return False
    return all(t in event.available(event.by_id[q]) for b, s, t in meet for q in (b, s))


def test_solver_beats_greedy_on_a_crossing() -> None:
    # greedy takes B1-S1 (900) and is stuck; the optimum is B1-S2 + B2-S1 = 800 + 800
    event = _event(1, 2, {("B1", "S1"): 0.9, ("B1", "S2"): 0.8, ("B2", "S1"): 0.8})
    assert greedy_schedule(event, fair=False).stats.objective == 900
    best = solve_schedule(event, time_limit=5)
    assert best.stats.status == "OPTIMAL" and best.stats.objective == best.stats.bound == 1600
    assert {(m.buyer_id, m.sme_id) for m in best.meetings} == {("B1", "S2"), ("B2", "S1")}


def test_fairness_gives_every_sme_a_meeting_when_possible() -> None:
    # two slots, one table: by value alone S1 meets both buyers (1850); with k=1 S2 gets one meeting,
    # and B2-S1 (950) beats B1-S1 (900) as the other one
    scores = {("B1", "S1"): 0.9, ("B2", "S1"): 0.95, ("B1", "S2"): 0.1}
    unfair = solve_schedule(_event(2, 1, scores, k=0), time_limit=5)
    assert sorted(m.sme_id for m in unfair.meetings) == ["S1", "S1"] and unfair.sme_shortfall == {}
    fair = solve_schedule(_event(2, 1, scores, k=1), time_limit=5)
    assert sorted((m.buyer_id, m.sme_id) for m in fair.meetings) == [("B1", "S2"), ("B2", "S1")]
    assert fair.sme_shortfall == {}
    assert fair.stats.objective == 1050 + 2 * 10_000


def test_must_meet_is_honoured_and_impossible_ones_are_reported() -> None:
    prefs = [Preference(participant_id="B1", target_id="S2", level=Level.MUST),
             Preference(participant_id="S3", target_id="B1", level=Level.MUST),
             Preference(participant_id="B1", target_id="S3", level=Level.NO)]
    event = _event(1, 1, {("B1", "S1"): 0.9, ("B1", "S2"): 0.1, ("B1", "S3"): 0.9}, prefs=prefs)
    result = solve_schedule(event, time_limit=5)
    assert [(m.sme_id, m.must) for m in result.meetings] == [("S2", True)]
    assert [(u.sme_id, u.reason) for u in result.unmet_musts] == [("S3", "一方标记了“不见”")]


def test_buyers_keep_their_table_all_day() -> None:
    scores = {(b, s): 0.5 for b in ("B1", "B2") for s in ("S1", "S2", "S3")}
    result = solve_schedule(_event(3, 2, scores), time_limit=5)
    for b in ("B1", "B2"):
        assert len({m.table_id for m in result.meetings if m.buyer_id == b}) == 1


def test_validator_catches_each_kind_of_violation() -> None:
    people = [Participant(id="B1", name="龙头", role=Role.LEADING, max_meetings=1),
              Participant(id="S1", name="中小一", role=Role.SME, available_slots=[0]),
              Participant(id="S2", name="中小二", role=Role.SME)]
    event = _event(2, 1, {("B1", "S1"): 0.5, ("B1", "S2"): 0.5}, people=people,
                   prefs=[Preference(participant_id="S2", target_id="B1", level=Level.NO)])
    bad = [Meeting(buyer_id="B1", sme_id="S1", slot=1, table_id="1"),
           Meeting(buyer_id="B1", sme_id="S2", slot=1, table_id="1"),
           Meeting(buyer_id="B1", sme_id="S2", slot=0, table_id="1")]
    problems = check_schedule(event, Schedule(event_id="t", meetings=bad, stats=SolveStats(
        solver="x", status="x", objective=0)))
    text = "\n".join(problems)
    for needle in ("不可参会", "有 2 场洽谈", "号桌在时段", "超过 1 张桌", "超过上限", "洽谈了 2 次", "不见"):
        assert needle in text
    wrong = [Meeting(buyer_id="S1", sme_id="B1", slot=5, table_id="9")]
    assert len(check_schedule(event, Schedule(event_id="t", meetings=wrong, stats=SolveStats(
        solver="x", status="x", objective=0)))) == 4


@st.composite
def tiny_events(draw: st.DrawFn, max_buyers: int = 2, max_smes: int = 3, max_slots: int = 2) -> Event:
    buyers = [f"B{i}" for i in range(draw(st.integers(1, max_buyers)))]
    smes = [f"S{i}" for i in range(draw(st.integers(1, max_smes)))]
    n_slots = draw(st.integers(1, max_slots))
    some_slots = st.lists(st.integers(0, n_slots - 1), unique=True, min_size=1, max_size=n_slots)
    slot_sets = st.one_of(st.none(), st.none(), some_slots)
    caps = st.sampled_from([None, None, 0, 1, 2])
    people = [Participant(id=q, name=q, role=Role.LEADING if q[0] == "B" else Role.SME,
                          available_slots=draw(slot_sets), max_meetings=draw(caps)) for q in buyers + smes]
    pairs = [(b, s) for b in buyers for s in smes]
    scores = {p: draw(st.sampled_from([0.0, 0.1, 0.35, 0.5, 0.8, 1.0])) for p in pairs}
    levels = st.sampled_from([None, None, None, None, Level.WANT, Level.MUST, Level.NO])
    prefs = []
    for who, whom in [*pairs, *((s, b) for b, s in pairs)]:
        level = draw(levels)
        if level is not None:
            prefs.append(Preference(participant_id=who, target_id=whom, level=level))
    return _event(n_slots, draw(st.integers(1, 2)), scores, k=draw(st.integers(0, 2)), prefs=prefs,
                  people=people)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_events(max_slots=3))
def test_solver_is_optimal_against_brute_force(event: Event) -> None:
    result = solve_schedule(event, time_limit=10, workers=1)
    assert result.stats.status == "OPTIMAL"
    assert result.stats.objective == result.stats.bound == brute_force(event)
    assert check_schedule(event, result) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_events(max_buyers=4, max_smes=6, max_slots=4))
def test_schedules_never_break_a_rule(event: Event) -> None:
    for result in (solve_schedule(event, time_limit=5, workers=1), greedy_schedule(event, fair=True),
                   greedy_schedule(event, fair=False)):
        assert check_schedule(event, result) == []
        assert result.stats.objective == objective(event, [(m.buyer_id, m.sme_id) for m in result.meetings]).total
    best = solve_schedule(event, time_limit=5, workers=1)
    assert best.stats.objective >= greedy_schedule(event).stats.objective
