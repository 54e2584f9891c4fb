"""Events in the store on SQLite and PostgreSQL: round-trip, schedule versions, outcomes, ranker labels;
the registry scorer on hand-worked pairs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from matcher.domain import Enterprise, Park, Role
from matcher.engine import Engine
from matcher.errors import MatcherError, NotFoundError, ValidationError
from matcher.events import Outcome, OutcomeKind, Schedule, SolveStats
from matcher.events.schedule import Meeting
from matcher.store import Store, events_repo
from matcher.store import repository as repo
from tests.conftest import store_at_revision


def _definition(leader: Enterprise, sme: Enterprise) -> dict[str, object]:
    return {
        "id": "T-1",
        "name": "测试对接会",
        "park": leader.park,
        "sessions": [{"day": "2025-07-16", "start": "09:00", "slot_count": 2}],
        "tables": 2,
        "participants": [
            {"id": "B1", "enterprise_id": leader.uscc},
            {"id": "S1", "enterprise_id": sme.uscc, "role": "中小企业"},
            {"id": "S2", "name": "外来配套企业", "role": "sme"},
        ],
        "preferences": [{"participant_id": "B1", "target_id": "S1", "level": "must"}],
    }


@pytest.fixture
def engine(store: Store, park: Park, leader: Enterprise, sme: Enterprise) -> Engine:
    with store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=[leader, sme])
    return Engine(store)


def _schedule(objective: int, meetings: list[Meeting]) -> Schedule:
    return Schedule(
        event_id="T-1",
        meetings=meetings,
        stats=SolveStats(solver="cp-sat", status="OPTIMAL", objective=objective, bound=objective, gap=0.0),
    )


def test_event_round_trip_fills_registry_names(engine: Engine, leader: Enterprise, sme: Enterprise) -> None:
    created = engine.events.create_event(_definition(leader, sme))
    assert created.park == leader.park and created.park_id is not None
    back = engine.events.event("T-1").event
    assert back == created.event
    b1 = back.by_id["B1"]
    assert (b1.name, b1.role, b1.enterprise_id) == (leader.name, Role.LEADING, leader.uscc)
    assert [t.id for t in back.tables] == ["1", "2"] and back.by_id["S1"].role == Role.SME
    with pytest.raises(MatcherError, match="已存在"):
        engine.events.create_event(_definition(leader, sme))
    renamed = {**_definition(leader, sme), "name": "改名后的对接会"}
    assert engine.events.create_event(renamed, replace=True).event.name == "改名后的对接会"
    assert [e.code for e in engine.events.events()] == ["T-1"]


def test_unknown_codes_and_bad_definitions_are_refused(engine: Engine, leader: Enterprise) -> None:
    bad = _definition(leader, leader)
    bad["participants"] = [{"id": "X", "enterprise_id": "91320506000000099X"}]
    with pytest.raises(ValidationError, match="未登记"):
        engine.events.create_event(bad)
    with pytest.raises(ValidationError, match="slot_count"):
        engine.events.create_event(
            {**_definition(leader, leader), "sessions": [{"day": "2025-07-16", "start": "09:00"}]}
        )
    with pytest.raises(NotFoundError, match="不存在"):
        engine.events.event("nope")


def test_schedule_versions_count_up_and_read_back(
    engine: Engine, store: Store, leader: Enterprise, sme: Enterprise
) -> None:
    engine.events.create_event(_definition(leader, sme))
    with pytest.raises(NotFoundError, match="尚无排程"):
        engine.events.event_schedule("T-1")
    first = _schedule(10, [Meeting(buyer_id="B1", sme_id="S1", slot=0, table_id="1")])
    with store.session() as s:
        assert events_repo.add_schedule(s, code="T-1", schedule=first).version == 1
        events_repo.add_schedule(s, code="T-1", schedule=_schedule(20, []), kind="replan")
        assert events_repo.schedule_versions(s, code="T-1") == [
            (1, "schedule", "OPTIMAL", 10),
            (2, "replan", "OPTIMAL", 20),
        ]
    assert engine.events.event_schedule("T-1").version == 2
    assert engine.events.event_schedule("T-1", 1).schedule == first


def test_outcomes_are_one_per_pair_and_become_ranker_labels(
    engine: Engine, store: Store, leader: Enterprise, sme: Enterprise
) -> None:
    engine.events.create_event(_definition(leader, sme))
    meetings = [
        Meeting(buyer_id="B1", sme_id="S1", slot=0, table_id="1"),
        Meeting(buyer_id="B1", sme_id="S2", slot=1, table_id="1"),
    ]
    with store.session() as s:
        events_repo.add_schedule(s, code="T-1", schedule=_schedule(5, meetings))
    engine.events.record_event_outcome("T-1", buyer="B1", sme=sme.name, kind=OutcomeKind.INTENTION)
    engine.events.record_event_outcome(
        "T-1", buyer=leader.uscc, sme="S1", kind=OutcomeKind.SIGNED, note="已签框架协议"
    )
    engine.events.record_event_outcome("T-1", buyer="B1", sme="S2", kind=OutcomeKind.TRIAL)
    outcomes = engine.events.event_outcomes("T-1")
    assert [(o.sme_id, o.kind, o.note) for o in outcomes] == [
        ("S1", OutcomeKind.SIGNED, "已签框架协议"),
        ("S2", OutcomeKind.TRIAL, ""),
    ]
    labels = engine.events.ranker_labels()  # S2 is not in the registry: no label
    assert [(x.buyer_id, x.sme_id, x.grade) for x in labels] == [(leader.uscc, sme.uscc, 3)]
    report = engine.events.event_report("T-1")
    assert (report.planned, report.held, report.signed, report.trials) == (2, 2, 1, 1)
    with pytest.raises(NotFoundError):
        engine.events.record_event_outcome("T-1", buyer="S1", sme="S2", kind=OutcomeKind.NONE)


def test_not_held_meetings_give_no_label(
    engine: Engine, store: Store, leader: Enterprise, sme: Enterprise
) -> None:
    engine.events.create_event(_definition(leader, sme))
    with store.session() as s:
        events_repo.add_schedule(
            s, code="T-1", schedule=_schedule(5, [Meeting(buyer_id="B1", sme_id="S1", slot=0, table_id="1")])
        )
        events_repo.save_outcome(
            s,
            outcome=Outcome(
                event_id="T-1",
                buyer_id="B1",
                sme_id="S1",
                slot=0,
                held=False,
                kind=OutcomeKind.NONE,
                recorded_at=dt.datetime(2025, 7, 16, 10, tzinfo=dt.UTC),
            ),
        )
    assert engine.events.ranker_labels() == []
    assert engine.events.event_report("T-1").not_held == 1


def test_schedule_event_solves_and_stores_a_version(
    engine: Engine, leader: Enterprise, sme: Enterprise
) -> None:
    engine.events.create_event(_definition(leader, sme))
    stored = engine.events.schedule_event("T-1", time_limit=5, scorer=lambda b, s: (0.5, ["测试"]))
    assert stored.version == 1 and stored.schedule.stats.status == "OPTIMAL"
    assert {(m.buyer_id, m.sme_id) for m in stored.schedule.meetings} == {("B1", "S1"), ("B1", "S2")}
    assert stored.schedule.stats.musts_met == 1


def test_a_trial_outcome_starts_the_pairs_trial_once(
    engine: Engine, store: Store, leader: Enterprise, sme: Enterprise
) -> None:
    """An event's 试用 outcome is recorded into the same 先试首用 trials (试用中), once per event and pair;
    other outcomes and pairs outside the registry start none."""
    from sqlalchemy import select

    from matcher.store.tables import TrialRow

    engine.events.create_event(_definition(leader, sme))
    meetings = [
        Meeting(buyer_id="B1", sme_id="S1", slot=0, table_id="1"),
        Meeting(buyer_id="B1", sme_id="S2", slot=1, table_id="1"),
    ]
    with store.session() as s:
        events_repo.add_schedule(s, code="T-1", schedule=_schedule(5, meetings))
    engine.events.record_event_outcome("T-1", buyer="B1", sme="S2", kind=OutcomeKind.TRIAL)  # S2: not registered
    engine.events.record_event_outcome("T-1", buyer="B1", sme="S1", kind=OutcomeKind.INTENTION)
    with store.session() as s:
        assert s.scalars(select(TrialRow)).all() == []
    for _ in range(2):
        engine.events.record_event_outcome("T-1", buyer="B1", sme="S1", kind=OutcomeKind.TRIAL, note="试用 100 件")
    with store.session() as s:
        rows = s.scalars(select(TrialRow)).all()
        ids = repo.enterprise_ids(s)
    assert [(r.buyer_id, r.supplier_id, r.state, r.initiator, r.scope) for r in rows] == [
        (ids[leader.uscc], ids[sme.uscc], "trialling", "event", "试用 100 件")
    ]


def test_a_stored_minimum_score_moves_to_the_0_100_scale_on_upgrade(tmp_path: Path) -> None:
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with store_at_revision(url, "0007") as conn:
        for code, data in (("E-OLD", '{"min_score": 0.6}'), ("E-NONE", "{}")):
            conn.execute(
                text(
                    "INSERT INTO events (code, name, data, created_at, updated_at)"
                    " VALUES (:c, 'n', :d, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"c": code, "d": data},
            )
    store = Store(url)
    with store.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT code, data FROM events")).all())
    store.dispose()
    assert json.loads(rows["E-OLD"]) == {"min_score": 60.0} and json.loads(rows["E-NONE"]) == {}
