"""The matchmaking-event service (供需对接会): definitions, shortlists, schedules, outcomes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from matcher import events as ev
from matcher.auth import policy
from matcher.auth.principal import AccountRole, Principal
from matcher.deals.signals import event_wishes
from matcher.domain import Role
from matcher.engine.registry import Registry
from matcher.errors import MatcherError, NotFoundError, ValidationError
from matcher.events.definition import (
    EVENT_EXPORTS,
    EventDefinition,
    event_definition,
    find_participant,
    validated_event,
    with_min_meetings,
)
from matcher.events.model import Event, Level
from matcher.events.outcomes import Outcome, OutcomeKind
from matcher.events.wishes import seed_wishes, set_wish
from matcher.store import Store, events_repo
from matcher.trials import Trials

if TYPE_CHECKING:
    from matcher.events import EventReport, RankerLabel, Replan, Schedule, Shortlists
    from matcher.events.shortlists import ScorePair
    from matcher.events.solver import SolveProgressFn

EventScorer = Callable[[Event], "ScorePair"]  # an event's pair scorer, made once per scoring


class Events:
    """供需对接会: definitions in, shortlists, CP-SAT schedules (each solve a stored version), re-plans,
    outcomes (the ranker's labels, and 先试首用 trials), report and exports.

    Pairs are scored by ``scorer`` (the matching service's ``pair_scorer``) unless a call passes its own.
    """

    def __init__(self, store: Store, registry: Registry, scorer: EventScorer, trials: Trials) -> None:
        self.store = store
        self.registry = registry
        self.scorer = scorer
        self.trials = trials

    def create_event(
        self, definition: EventDefinition, *, replace: bool = False, principal: Principal | None = None
    ) -> events_repo.StoredEvent:
        """Create a 对接会 from a YAML/JSON file or a mapping (format: ``docs/events.md``); participants
        given by 统一社会信用代码 take their name and role from the registry.

        With ``principal`` the record rule ``can_manage_event`` applies (a park admin creates events of
        its own park, replacing needs the right to manage the old one) and an organizer who creates an
        event is assigned to it, so it can go on managing it. One transaction: refused means nothing written.
        """
        data, park = event_definition(definition)
        with self.store.session() as s:
            problems = events_repo.fill_participants(s, participants=data.get("participants", []))
            if problems:
                raise ValidationError(problems)
            event = validated_event(data)
            if principal is not None and replace:
                _may_manage(principal, events_repo.find_event(s, code=event.id))
            saved = events_repo.save_event(s, event=event, park=park, replace=replace)
            if principal is not None:
                ok = policy.can_manage_event(principal, None, saved.park_id)
                policy.ensure(
                    ok, f"{principal.role.label}只能为所辖园区创建对接会（收到“{park or '未指定园区'}”）"
                )
                if principal.role is AccountRole.ORGANIZER:
                    events_repo.assign_organizer(s, account_id=principal.account_id, event_id=saved.id)
            return saved

    def events(self) -> list[events_repo.StoredEvent]:
        with self.store.session() as s:
            return events_repo.list_events(s)

    def managed_events(self, principal: Principal) -> list[events_repo.StoredEvent]:
        """The events ``principal`` may manage (``policy.can_manage_event``): an organizer's assigned
        events, a park admin's park's events, every event for a platform admin."""
        return [e for e in self.events() if policy.can_manage_event(principal, e.id, e.park_id)]

    def _uscc_of(self, principal: Principal) -> str | None:
        if principal.enterprise_id is None:
            return None
        return self.registry.enterprise(principal.enterprise_id).record.uscc

    def own_participant(
        self, stored: events_repo.StoredEvent, principal: Principal, *, uscc: str | None = None
    ) -> str | None:
        """The participant id of ``principal``'s enterprise in the event (None: it does not take part)."""
        uscc = uscc or self._uscc_of(principal)
        if uscc is None:
            return None
        return next((p.id for p in stored.event.participants if p.enterprise_id == uscc), None)

    def visible_events(self, principal: Principal) -> list[events_repo.StoredEvent]:
        """The events ``principal`` manages, and those its enterprise takes part in."""
        uscc = self._uscc_of(principal)  # looked up once, not once per event
        none = policy.EventAccess.NONE
        return [e for e in self.events() if self.event_access(e, principal, uscc=uscc) is not none]

    def event_access(
        self, stored: events_repo.StoredEvent, principal: Principal, *, uscc: str | None = None
    ) -> policy.EventAccess:
        """How much of an event ``principal`` may read (``policy.event_access``)."""
        manages = policy.can_manage_event(principal, stored.id, stored.park_id)
        if manages:  # no need to look the enterprise up
            return policy.EventAccess.FULL
        return policy.event_access(False, self.own_participant(stored, principal, uscc=uscc) is not None)

    def managed_event(self, code: str, principal: Principal | None) -> events_repo.StoredEvent:
        """The event when ``principal`` may run it (``policy.can_manage_event``); PermissionDenied otherwise."""
        stored = self.event(code)
        if principal is not None:
            policy.ensure(
                policy.can_manage_event(principal, stored.id, stored.park_id),
                f"无权管理对接会“{code}”：组织方只能管理分配给自己的对接会，园区管理员只能管理本园区的",
            )
        return stored

    def readable_event(
        self, code: str, principal: Principal | None, *, full: bool = True
    ) -> events_repo.StoredEvent:
        """The event when ``principal`` may read it (``full``: its wishes, shortlists, schedule and
        outcomes too); an event it has nothing to do with is reported as missing."""
        stored = self.event(code)
        if principal is None:
            return stored
        access = self.event_access(stored, principal)
        if access is policy.EventAccess.NONE:
            raise NotFoundError(f"对接会不存在：{code}")
        policy.ensure(
            access is policy.EventAccess.FULL or not full,
            f"对接会“{code}”的意愿、推荐名单、排程与结果仅组织方和园区管理员可查看；参会企业可下载本企业日程（ics）",
        )
        return stored

    def event_versions(self, code: str) -> list[tuple[int, str, str, int]]:
        """(version, kind, solver status, objective) of each stored schedule of the event, oldest first."""
        with self.store.session() as s:
            return events_repo.schedule_versions(s, code=code)

    def event(self, code: str) -> events_repo.StoredEvent:
        with self.store.session() as s:
            return events_repo.get_event(s, code=code)

    def shortlist_event(
        self, code: str, *, per_buyer: int = 20, per_sme: int = 5, scorer: ScorePair | None = None
    ) -> Shortlists:
        """Score every buyer-SME pair, keep both sides' shortlists as the event's candidates, return them."""
        event = self.event(code).event
        with self.store.session() as s:  # start from what the two sides said: 入围, responses, invitations
            usccs = {p.enterprise_id for p in event.participants if p.enterprise_id}
            event = seed_wishes(event, event_wishes(s, usccs))
        scored = ev.score_pairs(event, scorer or self.scorer(event))
        lists = ev.build_shortlists(
            event, scored, per_buyer=per_buyer, per_sme=per_sme, min_score=event.min_score
        )
        with self.store.session() as s:
            pool = ev.shortlist_candidates(scored, lists)
            events_repo.update_event(s, event=event.model_copy(update={"candidates": pool}))
        return lists

    def event_shortlists(self, code: str, *, per_buyer: int = 20, per_sme: int = 5) -> Shortlists:
        """The shortlists from the stored candidates (scoring first when the event has none)."""
        event = self.event(code).event
        if not event.candidates:
            return self.shortlist_event(code, per_buyer=per_buyer, per_sme=per_sme)
        return ev.build_shortlists(
            event, event.candidates, per_buyer=per_buyer, per_sme=per_sme, min_score=event.min_score
        )

    def set_event_wish(
        self,
        code: str,
        *,
        buyer: str,
        sme: str,
        level: Level | str | None,
        principal: Principal | None = None,
    ) -> Shortlists:
        """The organizer edits a shortlist on the buyer's behalf: 必须见/想见 (adds the pair when it was not
        listed, scored by the engine), 不见 (removes it), or None / "clear" (takes the wish back)."""
        stored = self.managed_event(code, principal)
        event = stored.event
        b, m = find_participant(event, buyer, Role.LEADING), find_participant(event, sme, Role.SME)
        try:
            chosen = None if level in (None, "clear") else Level(level)
        except ValueError as exc:
            raise ValidationError([f"意愿须为 must、want、no 或 clear（实为 {level!r}）"]) from exc
        event = set_wish(event, b.id, m.id, chosen)
        if chosen in (Level.MUST, Level.WANT) and not any(
            (c.buyer_id, c.sme_id) == (b.id, m.id) for c in event.candidates
        ):
            (added,) = ev.score_pairs(_pair_only(event, b.id, m.id), self.scorer(event))
            event = event.model_copy(update={"candidates": [*event.candidates, added]})
        with self.store.session() as s:
            events_repo.update_event(s, event=event)
        return self.event_shortlists(code)

    def set_event_min_score(self, code: str, value: float, *, principal: Principal | None = None) -> Event:
        """最低匹配分: pairs scoring below it get no meeting unless one side must meet the other; the
        shortlists and the next schedule follow it."""
        if not 0.0 <= value <= 100.0:
            raise ValidationError([f"最低匹配分须在 0 到 100 之间（实为 {value:g}）"])
        event = self.managed_event(code, principal).event.model_copy(update={"min_score": value})
        with self.store.session() as s:
            events_repo.update_event(s, event=event)
        return event

    def check_min_meetings(self, code: str, min_meetings: int | None) -> None:
        """Refuse (ValidationError, nothing saved) a k the event cannot hold, before a job is queued."""
        if min_meetings is not None:
            with_min_meetings(self.event(code).event, min_meetings)

    def schedule_event(
        self,
        code: str,
        *,
        time_limit: float = 20.0,
        min_meetings: int | None = None,
        scorer: ScorePair | None = None,
        on_progress: SolveProgressFn | None = None,
    ) -> events_repo.StoredSchedule:
        """Solve with CP-SAT (shortlisting first if needed) and store the result as the next version;
        ``min_meetings`` sets the event's k (meetings every SME should get) before solving;
        ``on_progress`` follows the search (``matcher.events.solver.SolveProgress``)."""
        event = self.event(code).event
        if min_meetings is not None and min_meetings != event.min_meetings_per_sme:
            event = with_min_meetings(event, min_meetings)
            with self.store.session() as s:
                events_repo.update_event(s, event=event)
        if scorer is not None or not event.candidates:
            self.shortlist_event(code, scorer=scorer)
            event = self.event(code).event
        schedule = ev.solve_schedule(event, time_limit=time_limit, on_progress=on_progress)
        with self.store.session() as s:
            return events_repo.add_schedule(s, code=code, schedule=schedule)

    def event_schedule(self, code: str, version: int | None = None) -> events_repo.StoredSchedule:
        """The newest stored schedule (or ``version``); NotFoundError before the first solve."""
        with self.store.session() as s:
            return events_repo.get_schedule(s, code=code, version=version)

    def replan_event(
        self,
        code: str,
        *,
        from_slot: int,
        no_shows: Collection[str] = (),
        arrivals: Mapping[str, int] | None = None,
        time_limit: float = 10.0,
    ) -> tuple[events_repo.StoredSchedule, Replan]:
        """Re-plan slots ``from_slot``.. after no-shows and late arrivals (participant ids, 统一社会信用代码 or
        names); stores the updated availability and the new schedule as the next version."""
        event, current = self.event(code).event, self.event_schedule(code).schedule
        if not 0 <= from_slot < event.slot_count:
            raise MatcherError(f"时段 {from_slot} 超出范围 0..{event.slot_count - 1}")
        absent = {find_participant(event, q).id for q in no_shows}
        late = {find_participant(event, q).id: t for q, t in (arrivals or {}).items()}
        result = ev.replan(
            event, current, from_slot=from_slot, no_shows=absent, arrivals=late, time_limit=time_limit
        )
        with self.store.session() as s:
            events_repo.update_event(s, event=result.event)
            return events_repo.add_schedule(s, code=code, schedule=result.schedule, kind="replan"), result

    def record_event_outcome(
        self, code: str, *, buyer: str, sme: str, kind: OutcomeKind, held: bool = True, note: str = ""
    ) -> Outcome:
        """Record (or correct) the outcome of a scheduled meeting; buyer and SME by id, code or name. A held
        试用 outcome also starts the pair's 先试首用 trial (once)."""
        event = self.event(code).event
        b, m = find_participant(event, buyer, Role.LEADING), find_participant(event, sme, Role.SME)
        meetings = self.event_schedule(code).schedule.meetings
        meeting = next((x for x in meetings if (x.buyer_id, x.sme_id) == (b.id, m.id)), None)
        if meeting is None:
            raise MatcherError(f"当前排程中 {b.name} 与 {m.name} 没有洽谈，无法记录结果")
        outcome = Outcome(
            event_id=code, buyer_id=b.id, sme_id=m.id, slot=meeting.slot, held=held, kind=kind, note=note
        )
        with self.store.session() as s:
            saved = events_repo.save_outcome(s, outcome=outcome)
        if kind is OutcomeKind.TRIAL and held:
            self.trials.from_event(code, b.enterprise_id, m.enterprise_id, note)
        return saved

    def event_outcomes(self, code: str) -> list[Outcome]:
        with self.store.session() as s:
            return events_repo.list_outcomes(s, code=code)

    def event_report(self, code: str) -> EventReport:
        """Planned, held, 意向, 试用, 签约 counts of the newest schedule and the recorded outcomes."""
        with self.store.session() as s:
            event = events_repo.get_event(s, code=code).event
            schedule = events_repo.get_schedule(s, code=code).schedule
            return ev.event_report(event, schedule, events_repo.list_outcomes(s, code=code))

    def export_event(
        self,
        code: str,
        what: str,
        path: str | Path,
        *,
        participant: str | None = None,
        version: int | None = None,
    ) -> list[Path]:
        """Write ``what`` (``EVENT_EXPORTS``) to ``path``; ``ics`` without ``participant`` writes one file per
        leading firm and SME into the directory ``path``."""
        if what not in EVENT_EXPORTS:
            raise MatcherError(f"导出内容应为 {'/'.join(EVENT_EXPORTS)}，实为“{what}”")
        event = self.event(code).event
        if what == "shortlists":
            return [ev.export_shortlists_xlsx(event, self.event_shortlists(code), path)]
        schedule = self.event_schedule(code, version).schedule
        who = find_participant(event, participant).id if participant else None
        return _export(event, schedule, what, Path(path), who)

    def ranker_labels(self) -> list[RankerLabel]:
        """Graded (buyer 统一社会信用代码, SME 统一社会信用代码) labels from every event's recorded outcomes."""
        with self.store.session() as s:
            return events_repo.enterprise_labels(s)


def _may_manage(principal: Principal, stored: events_repo.StoredEvent | None) -> None:
    if stored is not None:
        ok = policy.can_manage_event(principal, stored.id, stored.park_id)
        policy.ensure(ok, f"无权管理对接会“{stored.code}”，不能覆盖")


def _export(event: Event, schedule: Schedule, what: str, path: Path, who: str | None) -> list[Path]:
    ids = [who] if who else None
    if what == "master":
        return [ev.export_master_xlsx(event, schedule, path)]
    if what == "agendas":
        return [ev.export_agendas_xlsx(event, schedule, path, ids)]
    if what == "html":
        return [ev.write_html(ev.render_agendas_html(event, schedule, ids), path)]
    if what == "cards":
        return [ev.write_html(ev.render_table_cards_html(event, schedule), path)]
    if who:
        return [ev.write_agenda_ics(event, schedule, who, path)]
    people = [p for p in event.participants if p.role in (Role.LEADING, Role.SME)]
    return [ev.write_agenda_ics(event, schedule, p.id, path / f"{p.id}.ics") for p in people]


def _pair_only(event: Event, buyer_id: str, sme_id: str) -> Event:
    """The event reduced to one buyer and one SME (to score a pair the organizer adds)."""
    keep = [p for p in event.participants if p.id in (buyer_id, sme_id)]
    return event.model_copy(update={"participants": keep, "preferences": [], "candidates": []})
