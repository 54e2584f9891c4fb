"""Re-planning after late arrivals and no-shows; outcomes, the event report and ranker labels."""

from __future__ import annotations

from matcher.events import (
    Event,
    Outcome,
    OutcomeKind,
    Schedule,
    check_schedule,
    event_from_json,
    event_report,
    event_to_json,
    ranker_labels,
    record_outcome,
    replan,
    schedule_from_json,
    schedule_to_json,
    solve_schedule,
    synthetic_event,
)


def _planned() -> tuple[Event, Schedule]:
    event = synthetic_event(6, 24, 6, 5, seed=3, per_buyer=10, per_sme=2)
    return event, solve_schedule(event, time_limit=10, workers=1)


def test_replan_keeps_held_meetings_and_respects_no_shows_and_late_arrivals() -> None:
    event, plan = _planned()
    assert check_schedule(event, plan) == []
    gone = plan.meetings[-1].sme_id  # someone meeting late in the day does not come at all
    late = next(m.buyer_id for m in plan.meetings if m.slot == 0 and m.sme_id != gone)
    result = replan(event, plan, from_slot=2, no_shows={gone}, arrivals={late: 4}, time_limit=10)
    new = result.schedule
    assert check_schedule(result.event, new) == []
    before = {(m.buyer_id, m.sme_id, m.slot, m.table_id) for m in plan.meetings if m.slot < 2}
    after = {(m.buyer_id, m.sme_id, m.slot, m.table_id) for m in new.meetings if m.slot < 2}
    held = {(m.buyer_id, m.sme_id, m.slot, m.table_id) for m in result.held}
    assert after == held and held <= before
    assert all(gone not in (m.buyer_id, m.sme_id) for m in new.meetings)
    assert all(m.slot >= 4 for m in new.meetings if m.buyer_id == late)
    assert any(late == m.buyer_id for m in result.dropped)  # its slot-0 meeting was not held
    assert new.stats.status == "OPTIMAL"


def test_replan_without_changes_keeps_the_plan() -> None:
    event, plan = _planned()
    new = replan(event, plan, from_slot=3, time_limit=10).schedule
    assert {(m.buyer_id, m.sme_id, m.slot) for m in new.meetings} == {
        (m.buyer_id, m.sme_id, m.slot) for m in plan.meetings}


def test_event_and_schedule_survive_json() -> None:
    event, plan = _planned()
    assert event_from_json(event_to_json(event)) == event
    assert schedule_from_json(schedule_to_json(plan)) == plan


def test_outcomes_report_and_ranker_labels() -> None:
    event, plan = _planned()
    a, b, c = plan.meetings[:3]
    outcomes: list[Outcome] = []
    for m, kind in ((a, OutcomeKind.INTENTION), (b, OutcomeKind.TRIAL), (c, OutcomeKind.NONE)):
        outcomes = record_outcome(outcomes, Outcome(event_id=event.id, buyer_id=m.buyer_id, sme_id=m.sme_id,
                                                    slot=m.slot, kind=kind))
    # a later record of the same meeting replaces the earlier one
    outcomes = record_outcome(outcomes, Outcome(event_id=event.id, buyer_id=a.buyer_id, sme_id=a.sme_id,
                                                slot=a.slot, kind=OutcomeKind.SIGNED))
    report = event_report(event, plan, outcomes)
    assert (report.planned, report.held, report.not_held) == (len(plan.meetings), 3, len(plan.meetings) - 3)
    assert (report.intentions, report.trials, report.signed) == (0, 1, 1)
    assert "签约 1 项" in report.lines()[1]
    labels = {(x.buyer_id, x.sme_id): x.grade for x in ranker_labels(outcomes)}
    assert labels == {(a.buyer_id, a.sme_id): 3, (b.buyer_id, b.sme_id): 2, (c.buyer_id, c.sme_id): 0}
