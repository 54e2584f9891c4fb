"""Event model, JSON round trip, pair values, objective and shortlists: tiny events, values worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from matcher.domain.models import Role
from matcher.events import (
    Candidate,
    Event,
    Level,
    Participant,
    Preference,
    Session,
    Table,
    build_shortlists,
    candidate_pairs,
    event_from_json,
    event_to_json,
    objective,
    score_pairs,
    shortlist_candidates,
)


def _event(**extra: object) -> Event:
    people = [Participant(id="B1", name="甲汽车集团", role=Role.LEADING, demands=["电机采购"]),
              Participant(id="S1", name="乙电机", role=Role.SME),
              Participant(id="S2", name="丙材料", role=Role.SME, available_slots=[1]),
              Participant(id="O1", name="丁投资", role=Role.OTHER)]
    base: dict[str, object] = dict(
        id="e1", name="汽车产业链对接会", sessions=[Session(day=dt.date(2025, 6, 18), start=dt.time(9, 0),
                                                            slot_count=2, label="上午场")],
        tables=[Table(id="1")], participants=people, slot_minutes=20, gap_minutes=5,
        candidates=[Candidate(buyer_id="B1", sme_id="S1", score=0.8, reasons=["电机契合"]),
                    Candidate(buyer_id="B1", sme_id="S2", score=0.5)])
    base.update(extra)
    return Event.model_validate(base)


def test_slots_follow_sessions_with_gaps() -> None:
    slots = _event().slots()
    assert [(s.start.time(), s.end.time()) for s in slots] == [
        (dt.time(9, 0), dt.time(9, 20)), (dt.time(9, 25), dt.time(9, 45))]
    assert slots[1].label == "06月18日 09:25-09:45"


def test_json_round_trip_keeps_everything() -> None:
    event = _event(preferences=[Preference(participant_id="S1", target_id="B1", level=Level.MUST)])
    text = event_to_json(event)
    assert "甲汽车集团" in text
    assert event_from_json(text) == event


def test_bad_event_is_refused_with_chinese_message() -> None:
    with pytest.raises(ValidationError, match="超出范围"):
        _event(participants=[Participant(id="S9", name="某企业", role=Role.SME, available_slots=[5])])
    with pytest.raises(ValidationError, match="不存在的企业"):
        _event(preferences=[Preference(participant_id="B1", target_id="X", level=Level.NO)])


def test_pair_values_and_preferences() -> None:
    event = _event(preferences=[Preference(participant_id="B1", target_id="S1", level=Level.WANT),
                                Preference(participant_id="S1", target_id="B1", level=Level.MUST)])
    pairs = {(p.buyer_id, p.sme_id): p for p in candidate_pairs(event).pairs}
    assert pairs[("B1", "S1")].value == 800 + 300 + 300 and pairs[("B1", "S1")].must
    assert pairs[("B1", "S2")].value == 500 and pairs[("B1", "S2")].slots == (1,)


def test_no_from_either_side_removes_pair_and_reports_a_must() -> None:
    event = _event(preferences=[Preference(participant_id="B1", target_id="S1", level=Level.MUST),
                                Preference(participant_id="S1", target_id="B1", level=Level.NO)])
    result = candidate_pairs(event)
    assert [(p.buyer_id, p.sme_id) for p in result.pairs] == [("B1", "S2")]
    assert result.impossible_musts[0].reason == "一方标记了“不见”"


def test_objective_counts_value_musts_and_fairness() -> None:
    event = _event(min_meetings_per_sme=1,
                   preferences=[Preference(participant_id="B1", target_id="S2", level=Level.MUST)])
    obj = objective(event, [("B1", "S1"), ("B1", "S2")])
    assert obj.value == 800 + 500 + 300
    assert obj.musts_met == 1 and obj.fairness_units == 2
    assert obj.total == 1600 + 100_000 + 2 * 10_000


def test_shortlists_rank_by_value_keep_musts_and_drop_no() -> None:
    event = _event(participants=[*_event().participants,
                                 Participant(id="S3", name="戊电子", role=Role.SME)],
                   preferences=[Preference(participant_id="S2", target_id="B1", level=Level.MUST),
                                Preference(participant_id="B1", target_id="S3", level=Level.NO)])
    table = {("B1", "S1"): 0.9, ("B1", "S2"): 0.1, ("B1", "S3"): 0.95}
    scored = score_pairs(event, lambda b, s: (table[(b, s)], [f"{b}-{s}"]))
    lists = build_shortlists(event, scored, per_buyer=1, per_sme=1)
    # S2 is a must, so it comes first and is kept even beyond per_buyer=1; S3 said no
    assert [(e.counterpart_id, e.rank) for e in lists.by_buyer["B1"]] == [("S2", 1), ("S1", 2)]
    assert "S3" not in lists.by_sme
    assert lists.by_sme["S1"][0].reasons == ["B1-S1"]
    assert {(c.buyer_id, c.sme_id) for c in shortlist_candidates(scored, lists)} == {("B1", "S1"), ("B1", "S2")}
