"""供需对接会 (matchmaking events): event model, shortlists, CP-SAT scheduler, greedy baseline, re-planning,
outcomes and exports. Free of SQL and HTTP: the store and the surfaces persist and serve these objects.

Example::

    scored = score_pairs(event, engine_score_pair)            # (buyer_id, sme_id) -> (score, reasons)
    lists = build_shortlists(event, scored, per_buyer=20, per_sme=5)
    event = event.model_copy(update={"candidates": shortlist_candidates(scored, lists)})
    schedule = solve_schedule(event, time_limit=25)           # stats: status, objective, bound, gap
    assert check_schedule(event, schedule) == []
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names resolve on first use (PEP 562): importing ``matcher.events.model`` does not pull in OR-Tools,
# openpyxl or icalendar, so the CLI and the engine start fast.
_WHERE = {
    "AgendaRow": "matcher.events.agenda",
    "Candidate": "matcher.events.model",
    "Event": "matcher.events.model",
    "EventReport": "matcher.events.outcomes",
    "Level": "matcher.events.model",
    "Meeting": "matcher.events.schedule",
    "MissedMust": "matcher.events.schedule",
    "Objective": "matcher.events.pairs",
    "Outcome": "matcher.events.outcomes",
    "OutcomeKind": "matcher.events.outcomes",
    "Participant": "matcher.events.model",
    "Preference": "matcher.events.model",
    "RankerLabel": "matcher.events.outcomes",
    "Replan": "matcher.events.replan",
    "Schedule": "matcher.events.schedule",
    "Session": "matcher.events.model",
    "ShortlistEntry": "matcher.events.shortlists",
    "Shortlists": "matcher.events.shortlists",
    "Slot": "matcher.events.model",
    "SolveStats": "matcher.events.schedule",
    "Table": "matcher.events.model",
    "Weights": "matcher.events.pairs",
    "agenda_ics": "matcher.events.export_ics",
    "agenda_rows": "matcher.events.agenda",
    "build_shortlists": "matcher.events.shortlists",
    "candidate_pairs": "matcher.events.pairs",
    "check_schedule": "matcher.events.validate",
    "event_from_json": "matcher.events.model",
    "event_report": "matcher.events.outcomes",
    "event_to_json": "matcher.events.model",
    "export_agendas_xlsx": "matcher.events.export_xlsx",
    "export_master_xlsx": "matcher.events.export_xlsx",
    "export_shortlists_xlsx": "matcher.events.export_xlsx",
    "greedy_schedule": "matcher.events.greedy",
    "html_to_pdf": "matcher.events.export_html",
    "objective": "matcher.events.pairs",
    "ranker_labels": "matcher.events.outcomes",
    "record_outcome": "matcher.events.outcomes",
    "render_agendas_html": "matcher.events.export_html",
    "render_table_cards_html": "matcher.events.export_html",
    "replan": "matcher.events.replan",
    "schedule_from_json": "matcher.events.schedule",
    "schedule_to_json": "matcher.events.schedule",
    "score_pairs": "matcher.events.shortlists",
    "shortlist_candidates": "matcher.events.shortlists",
    "solve_schedule": "matcher.events.solver",
    "synthetic_event": "matcher.events.synthetic",
    "updated_event": "matcher.events.replan",
    "write_agenda_ics": "matcher.events.export_ics",
    "write_html": "matcher.events.export_html",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matcher.events' has no attribute {name!r}")


if TYPE_CHECKING:
    from matcher.events.agenda import AgendaRow, agenda_rows
    from matcher.events.export_html import (
        html_to_pdf,
        render_agendas_html,
        render_table_cards_html,
        write_html,
    )
    from matcher.events.export_ics import agenda_ics, write_agenda_ics
    from matcher.events.export_xlsx import export_agendas_xlsx, export_master_xlsx, export_shortlists_xlsx
    from matcher.events.greedy import greedy_schedule
    from matcher.events.model import (
        Candidate,
        Event,
        Level,
        Participant,
        Preference,
        Session,
        Slot,
        Table,
        event_from_json,
        event_to_json,
    )
    from matcher.events.outcomes import (
        EventReport,
        Outcome,
        OutcomeKind,
        RankerLabel,
        event_report,
        ranker_labels,
        record_outcome,
    )
    from matcher.events.pairs import Objective, Weights, candidate_pairs, objective
    from matcher.events.replan import Replan, replan, updated_event
    from matcher.events.schedule import (
        Meeting,
        MissedMust,
        Schedule,
        SolveStats,
        schedule_from_json,
        schedule_to_json,
    )
    from matcher.events.shortlists import (
        ShortlistEntry,
        Shortlists,
        build_shortlists,
        score_pairs,
        shortlist_candidates,
    )
    from matcher.events.solver import solve_schedule
    from matcher.events.synthetic import synthetic_event
    from matcher.events.validate import check_schedule

__all__ = [
    "AgendaRow",
    "Candidate",
    "Event",
    "EventReport",
    "Level",
    "Meeting",
    "MissedMust",
    "Objective",
    "Outcome",
    "OutcomeKind",
    "Participant",
    "Preference",
    "RankerLabel",
    "Replan",
    "Schedule",
    "Session",
    "ShortlistEntry",
    "Shortlists",
    "Slot",
    "SolveStats",
    "Table",
    "Weights",
    "agenda_ics",
    "agenda_rows",
    "build_shortlists",
    "candidate_pairs",
    "check_schedule",
    "event_from_json",
    "event_report",
    "event_to_json",
    "export_agendas_xlsx",
    "export_master_xlsx",
    "export_shortlists_xlsx",
    "greedy_schedule",
    "html_to_pdf",
    "objective",
    "ranker_labels",
    "record_outcome",
    "render_agendas_html",
    "render_table_cards_html",
    "replan",
    "schedule_from_json",
    "schedule_to_json",
    "score_pairs",
    "shortlist_candidates",
    "solve_schedule",
    "synthetic_event",
    "updated_event",
    "write_agenda_ics",
    "write_html",
]
