"""The facade every surface calls (CLI, REST API, notebooks, events): registry reads and writes, matching.

>>> engine = Engine.from_settings()
>>> engine.parks()

The engine owns the store and, lazily, the encoder and the search index; nothing above it touches SQL,
FAISS or a model directly. Writes that change what is searchable keep the index in step.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import yaml
from pydantic import ValidationError as PydanticValidationError

from matcher.auth import policy, scoping
from matcher.auth.principal import Principal
from matcher.domain import Park, Role, Tier
from matcher.errors import MatcherError, NotFoundError, ValidationError
from matcher.events import (
    Event,
    EventReport,
    Outcome,
    OutcomeKind,
    Participant,
    RankerLabel,
    Replan,
    Schedule,
    Shortlists,
    build_shortlists,
    event_report,
    export_agendas_xlsx,
    export_master_xlsx,
    export_shortlists_xlsx,
    render_agendas_html,
    render_table_cards_html,
    replan,
    score_pairs,
    shortlist_candidates,
    solve_schedule,
    write_agenda_ics,
    write_html,
)
from matcher.events.scoring import registry_scorer
from matcher.events.shortlists import ScorePair
from matcher.graph import (
    Candidate,
    ChainCoverage,
    Firm,
    IndustryCheck,
    Integration,
    LinkCoverage,
    Location,
    as_firm,
    chain_coverage,
    chain_graph,
    chain_map_html,
    chain_map_svg,
    kg_firms,
    leading_industry_check,
    load_kg,
    load_templates,
    recruitment_candidates,
    save_chain_map,
    supply_integration,
)
from matcher.io import ImportReport, import_file
from matcher.io.columns import Kind
from matcher.settings import DATA_DIR, Settings, get_settings
from matcher.store import Store, events_repo, tiers_repo
from matcher.store import repository as repo
from matcher.tiers import (
    Assessment,
    BatchAssessment,
    Criteria,
    PyramidYear,
    TierRecord,
    assess,
    assess_many,
    load_criteria,
    pyramid,
    pyramid_chart,
    write_park_report,
)


class Engine:
    """One store (and later one index) behind plain Python methods."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or get_settings()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Engine:
        settings = settings or get_settings()
        return cls(Store(settings.resolved_database_url), settings)

    # -- registry ------------------------------------------------------------------------------------

    def parks(self) -> list[tuple[Park, int]]:
        """Every park with its number of enterprises."""
        with self.store.session() as s:
            counts = dict(repo.count_enterprises_by(s, "park"))  # type: ignore[arg-type]
            return [(p, int(counts.get(p.name, 0))) for p in repo.list_parks(s)]

    # ``principal``: the caller, whose view ``matcher.auth.policy`` scopes; None = a trusted local caller
    # (CLI, notebooks) that sees everything. The API always passes one.

    def enterprises(
        self,
        *,
        park: str | None = None,
        role: str | None = None,
        limit: int = 50,
        offset: int = 0,
        principal: Principal | None = None,
    ) -> list[repo.StoredEnterprise]:
        with self.store.session() as s:
            rows = repo.list_enterprises(s, park=park, role=role, limit=limit, offset=offset)
            return rows if principal is None else scoping.mask_contacts(s, principal, rows)

    def enterprise(self, id: int, *, principal: Principal | None = None) -> repo.StoredEnterprise:
        with self.store.session() as s:
            found = repo.get_enterprise(s, id=id)
            return found if principal is None else scoping.mask_contacts(s, principal, [found])[0]

    def demands(
        self,
        *,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        principal: Principal | None = None,
    ) -> list[repo.StoredDemand]:
        with self.store.session() as s:
            return scoping.list_demands(s, principal, status=status, limit=limit, offset=offset)

    def demand(self, id: int, *, principal: Principal | None = None) -> repo.StoredDemand:
        """One demand; NotFoundError also when ``principal`` may not see it (existence does not leak)."""
        with self.store.session() as s:
            found = repo.get_demand(s, id=id)
            if principal is not None:
                visible = policy.can_see_demand(principal, scoping.demand_facts(s, found))
                policy.demand_or_not_found(visible, id)
            return found

    def import_file(self, path: Path, *, kind: Kind | None = None, encoding: str = "utf-8") -> ImportReport:
        """Validate and import a file in one transaction."""
        return import_file(self.store, path, kind=kind, encoding=encoding)

    # -- tiers ---------------------------------------------------------------------------------------
    # ``principal`` (None = a trusted local caller): a park's assessments are private to its park admins;
    # an enterprise's also to its own users (``policy.can_see_enterprise_private``).

    def tier_criteria(self, overrides: Overrides = None) -> tuple[Criteria, str]:
        """The criteria with a park's overrides (dict or YAML path) and the version label stored with runs."""
        crit = load_criteria(overrides=overrides)
        return crit, crit.version if overrides is None else f"{crit.version}+{crit.park or '园区覆盖'}"

    def _tier_park_access(self, park: str | None, principal: Principal | None) -> None:
        """NotFoundError for an unknown park; PermissionDenied unless ``principal`` serves it (all: platform)."""
        with self.store.session() as s:
            if park is not None:
                repo.get_park(s, name=park)  # NotFoundError: 园区“…”不存在
            if principal is not None:
                park_id = None if park is None else repo.park_ids(s)[park]
                where = f"园区“{park}”" if park else "全部园区"
                policy.ensure(
                    principal.serves_park(park_id), f"{principal.role.label}无权查看或评估{where}的梯度培育"
                )

    def _tier_enterprise_access(self, enterprise_id: int, principal: Principal | None) -> None:
        if principal is None:
            return
        with self.store.session() as s:
            park_id = scoping.enterprise_park(s, enterprise_id)
        allowed = policy.can_see_enterprise_private(principal, enterprise_id, park_id)
        policy.ensure(allowed, f"{principal.role.label}无权查看该企业的梯度培育评估")

    def _tier_batch(
        self, park: str | None, as_of: dt.date | None, overrides: Overrides
    ) -> tuple[list[repo.StoredEnterprise], BatchAssessment, str]:
        crit, version = self.tier_criteria(overrides)
        with self.store.session() as s:
            stored = repo.list_enterprises(s, park=park)
        return stored, assess_many([e.record for e in stored], crit, as_of or dt.date.today()), version

    def assess_tiers(
        self,
        *,
        park: str | None = None,
        as_of: dt.date | None = None,
        overrides: Overrides = None,
        save: bool = True,
        on_progress: ProgressFn | None = None,
        principal: Principal | None = None,
    ) -> TierRun:
        """Assess every enterprise of ``park`` (all when None) as of ``as_of`` (today) and keep the dated
        result unless ``save`` is False; ``on_progress(done, total)`` follows the per-enterprise details."""
        self._tier_park_access(park, principal)
        stored, batch, version = self._tier_batch(park, as_of, overrides)
        assessments = _explain_all(batch, on_progress)
        saved = None
        if save and assessments:
            with self.store.session() as s:
                saved = tiers_repo.save_assessments(s, assessments=assessments, criteria_version=version)
        ids, declared = [e.id for e in stored], [e.record.tier for e in stored]
        return TierRun(park, batch.as_of, version, ids, declared, assessments, saved)

    def tier_assessment(
        self,
        enterprise_id: int,
        *,
        as_of: dt.date | None = None,
        overrides: Overrides = None,
        principal: Principal | None = None,
    ) -> Assessment:
        """One enterprise assessed now (not saved): tier, points per indicator, gaps in Chinese."""
        found = self.enterprise(enterprise_id)
        self._tier_enterprise_access(enterprise_id, principal)
        return assess(found.record, self.tier_criteria(overrides)[0], as_of or dt.date.today())

    def tier_history(
        self, enterprise: int | str, *, principal: Principal | None = None
    ) -> list[tiers_repo.StoredTierAssessment]:
        """Stored assessments of an enterprise (by id or 统一社会信用代码), oldest first."""
        key = enterprise if isinstance(enterprise, int) else None
        with self.store.session() as s:
            found = repo.get_enterprise(s, id=key, uscc=None if key is not None else str(enterprise))
            rows = tiers_repo.history(s, enterprise_id=found.id)
        self._tier_enterprise_access(found.id, principal)
        return rows

    def tier_pyramid(self, park: str, *, principal: Principal | None = None) -> list[PyramidYear]:
        """The park's pyramid per year from stored assessments (empty before the first saved run)."""
        self._tier_park_access(park, principal)
        with self.store.session() as s:
            return pyramid(tiers_repo.park_records(s, park=park))

    def tier_report(
        self,
        park: str,
        path: str | Path,
        *,
        chart: str | Path | None = None,
        as_of: dt.date | None = None,
        overrides: Overrides = None,
        on_progress: ProgressFn | None = None,
        principal: Principal | None = None,
    ) -> TierReport:
        """Write the park's XLSX report (and chart): assessed now, pyramid from history plus this run."""
        run = self.assess_tiers(
            park=park,
            as_of=as_of,
            overrides=overrides,
            save=False,
            on_progress=on_progress,
            principal=principal,
        )
        with self.store.session() as s:
            records = tiers_repo.park_records(s, park=park)
        years = pyramid([*records, *run.records()])
        out = write_park_report(path, run.assessments, years, chart)
        return TierReport(out, None if chart is None else Path(chart), run, years)

    def tier_pyramid_chart(
        self, park: str, path: str | Path, *, as_of: dt.date | None = None, principal: Principal | None = None
    ) -> Path:
        """Draw the park's pyramid: the newest stored year, or an unsaved assessment when none is stored."""
        years = self.tier_pyramid(park, principal=principal)
        if years:
            return pyramid_chart(years[-1].counts, path, title=f"{park} {years[-1].year} 年梯度培育金字塔")
        _, batch, _ = self._tier_batch(park, as_of, None)
        return pyramid_chart(batch.counts(), path, title=f"{park} 梯度培育金字塔（{batch.as_of} 评估）")

    # -- events --------------------------------------------------------------------------------------
    # 供需对接会: definitions in, shortlists, CP-SAT schedules (each solve a stored version), re-plans,
    # outcomes (the ranker's labels), report and exports. The pair scorer is a seam: ``scorer`` replaces
    # the registry scorer of ``matcher.events.scoring`` (the matching engine plugs in here).

    def create_event(self, definition: EventDefinition, *, replace: bool = False) -> events_repo.StoredEvent:
        """Create a 对接会 from a YAML/JSON file or a mapping (format: ``docs/events.md``); participants
        given by 统一社会信用代码 take their name and role from the registry."""
        data, park = event_definition(definition)
        with self.store.session() as s:
            problems = events_repo.fill_participants(s, participants=data.get("participants", []))
            if problems:
                raise ValidationError(problems)
            return events_repo.save_event(s, event=_validated_event(data), park=park, replace=replace)

    def events(self) -> list[events_repo.StoredEvent]:
        with self.store.session() as s:
            return events_repo.list_events(s)

    def event(self, code: str) -> events_repo.StoredEvent:
        with self.store.session() as s:
            return events_repo.get_event(s, code=code)

    def event_scorer(self, event: Event) -> ScorePair:
        """The registry scorer over the event's participants (products overlap, bigram Jaccard)."""
        with self.store.session() as s:
            return registry_scorer(*events_repo.participant_profiles(s, event=event))

    def shortlist_event(
        self, code: str, *, per_buyer: int = 20, per_sme: int = 5, scorer: ScorePair | None = None
    ) -> Shortlists:
        """Score every buyer-SME pair, keep both sides' shortlists as the event's candidates, return them."""
        event = self.event(code).event
        scored = score_pairs(event, scorer or self.event_scorer(event))
        lists = build_shortlists(event, scored, per_buyer=per_buyer, per_sme=per_sme)
        with self.store.session() as s:
            pool = shortlist_candidates(scored, lists)
            events_repo.update_event(s, event=event.model_copy(update={"candidates": pool}))
        return lists

    def event_shortlists(self, code: str, *, per_buyer: int = 20, per_sme: int = 5) -> Shortlists:
        """The shortlists from the stored candidates (scoring first when the event has none)."""
        event = self.event(code).event
        if not event.candidates:
            return self.shortlist_event(code, per_buyer=per_buyer, per_sme=per_sme)
        return build_shortlists(event, event.candidates, per_buyer=per_buyer, per_sme=per_sme)

    def schedule_event(
        self,
        code: str,
        *,
        time_limit: float = 20.0,
        min_meetings: int | None = None,
        scorer: ScorePair | None = None,
    ) -> events_repo.StoredSchedule:
        """Solve with CP-SAT (shortlisting first if needed) and store the result as the next version;
        ``min_meetings`` sets the event's k (meetings every SME should get) before solving."""
        event = self.event(code).event
        if min_meetings is not None and min_meetings != event.min_meetings_per_sme:
            event = event.model_copy(update={"min_meetings_per_sme": min_meetings})
            with self.store.session() as s:
                events_repo.update_event(s, event=event)
        if scorer is not None or not event.candidates:
            self.shortlist_event(code, scorer=scorer)
            event = self.event(code).event
        schedule = solve_schedule(event, time_limit=time_limit)
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
        result = replan(
            event, current, from_slot=from_slot, no_shows=absent, arrivals=late, time_limit=time_limit
        )
        with self.store.session() as s:
            events_repo.update_event(s, event=result.event)
            return events_repo.add_schedule(s, code=code, schedule=result.schedule, kind="replan"), result

    def record_event_outcome(
        self, code: str, *, buyer: str, sme: str, kind: OutcomeKind, held: bool = True, note: str = ""
    ) -> Outcome:
        """Record (or correct) the outcome of a scheduled meeting; buyer and SME by id, code or name."""
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
            return events_repo.save_outcome(s, outcome=outcome)

    def event_outcomes(self, code: str) -> list[Outcome]:
        with self.store.session() as s:
            return events_repo.list_outcomes(s, code=code)

    def event_report(self, code: str) -> EventReport:
        """Planned, held, 意向, 试用, 签约 counts of the newest schedule and the recorded outcomes."""
        with self.store.session() as s:
            event = events_repo.get_event(s, code=code).event
            schedule = events_repo.get_schedule(s, code=code).schedule
            return event_report(event, schedule, events_repo.list_outcomes(s, code=code))

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
            return [export_shortlists_xlsx(event, self.event_shortlists(code), path)]
        schedule = self.event_schedule(code, version).schedule
        who = find_participant(event, participant).id if participant else None
        return _export(event, schedule, what, Path(path), who)

    def ranker_labels(self) -> list[RankerLabel]:
        """Graded (buyer 统一社会信用代码, SME 统一社会信用代码) labels from every event's recorded outcomes."""
        with self.store.session() as s:
            return events_repo.enterprise_labels(s)

    # -- chain ---------------------------------------------------------------------------------------
    # 产业链: each leading industry's template (``data/chains``) against the park's enterprises in the store;
    # firms of other parks (or of none), and the companies of a loaded ChainKnowledgeGraph, are outside
    # producers. ``principal`` (None = a trusted local caller): a park's chain analysis is for the platform
    # and those bound to the park (its admins, organizers and leading firms) behind ``Resource.CHAIN``.

    def chain_graph(self) -> nx.DiGraph:
        """The chain templates as one graph, loaded once per process (shared: never mutate it)."""
        return _chain_templates(str(CHAIN_DIR))

    def park_chains(
        self,
        park: str,
        *,
        industry: str | None = None,
        graph: str | Path | None = None,
        principal: Principal | None = None,
    ) -> ParkChains:
        """Coverage of each leading industry's chain (or of ``industry`` only) by the park's enterprises,
        upstream first: gaps, weak links and the leading firms exposed to each. ``graph``: a
        ChainKnowledgeGraph directory whose companies join the outside producers."""
        found = self._chain_park(park, principal)
        with self.store.session() as s:
            firms = [as_firm(e.record) for e in repo.list_enterprises(s)]
        G, outside = self.chain_graph(), _kg_outside(str(graph)) if graph else []
        wanted, untemplated = _chain_industries(G, found, industry)
        coverages = [chain_coverage(G, i, firms, park=park, outside=outside) for i in wanted]
        return ParkChains(found, coverages, untemplated, [f for f in firms if f.park == park])

    def chain_recruitment(
        self,
        park: str,
        *,
        industry: str | None = None,
        top: int = 10,
        graph: str | Path | None = None,
        principal: Principal | None = None,
    ) -> list[GapCandidates]:
        """链式招商: for each gap, up to ``top`` outside firms that make it, best first, with reasons."""
        chains = self.park_chains(park, industry=industry, graph=graph, principal=principal)
        where = Location(chains.park.province, chains.park.city)
        out = []
        for cov in chains.coverages:
            ranked = recruitment_candidates(cov, where=where, limit=top)
            out += [GapCandidates(cov.industry, lc, ranked[lc.node]) for lc in cov.gaps]
        return out

    def chain_integration(
        self, park: str, *, industry: str | None = None, principal: Principal | None = None
    ) -> list[ChainIntegration]:
        """融入供应链: per local leading firm and link just upstream of its own, the park's SMEs making it,
        each with its tier (the newest saved assessment, else the declared tier)."""
        chains = self.park_chains(park, industry=industry, principal=principal)
        with self.store.session() as s:
            latest = {r.uscc: r for r in tiers_repo.park_records(s, park=park)}  # by date: newest wins

        def tier_of(firm: Firm) -> str:
            r = latest.get(firm.id)
            return firm.tier_label if r is None else f"{r.tier.label}（{r.as_of} 评估）"

        G = self.chain_graph()
        return [
            ChainIntegration(c.industry, supply_integration(G, c, tier_of=tier_of)) for c in chains.coverages
        ]

    def chain_check(self, park: str, *, principal: Principal | None = None) -> ChainCheck:
        """The guideline's limit of 3 leading industries, and a warning when the park's enterprises
        concentrate outside them (under half on a leading chain)."""
        chains = self.park_chains(park, principal=principal)
        found = leading_industry_check(chains.park.leading_industries, chains.coverages, chains.local)
        return ChainCheck(chains.park, found, chains.untemplated)

    def chain_map(self, park: str, industry: str, *, principal: Principal | None = None) -> tuple[str, str]:
        """The chain map of one industry as (interactive HTML page, static SVG), links coloured by coverage."""
        cov = self.park_chains(park, industry=industry, principal=principal).coverage(industry)
        G = self.chain_graph()
        return chain_map_html(G, cov), chain_map_svg(G, cov)

    def save_chain_maps(
        self,
        park: str,
        directory: str | Path,
        *,
        industry: str | None = None,
        principal: Principal | None = None,
    ) -> list[tuple[Path, Path]]:
        """Write ``<industry>.html`` and ``<industry>.svg`` for ``industry`` (default: every leading one)."""
        chains = self.park_chains(park, industry=industry, principal=principal)
        return [save_chain_map(self.chain_graph(), cov, directory) for cov in chains.coverages]

    def _chain_park(self, park: str, principal: Principal | None) -> Park:
        """The park (NotFoundError: 园区“…”不存在); PermissionDenied unless ``principal`` is bound to it."""
        with self.store.session() as s:
            found = repo.get_park(s, name=park)
            park_id = repo.park_ids(s)[park]
        if principal is not None:
            allowed = principal.is_platform_admin or park_id in principal.park_ids
            policy.ensure(allowed, f"{principal.role.label}无权查看园区“{park}”的产业链分析")
        return found


# -- tiers: results of the facade ------------------------------------------------------------------------

Overrides = Mapping[str, Any] | str | Path | None
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TierRun:
    """One assessment run: the enterprises (ids, declared tiers), their assessments, what was saved."""

    park: str | None
    as_of: dt.date
    criteria_version: str
    enterprise_ids: list[int]
    declared: list[Tier]
    assessments: list[Assessment]
    saved: repo.UpsertCounts | None = None

    def counts(self) -> dict[Tier, int]:
        counts = {t: 0 for t in Tier}
        for a in self.assessments:
            counts[a.tier] += 1
        return counts

    def records(self) -> list[TierRecord]:
        return [TierRecord(a.uscc, a.as_of, a.tier, tiers_repo.points_of(a)[1]) for a in self.assessments]


@dataclass(frozen=True, slots=True)
class TierReport:
    path: Path
    chart: Path | None
    run: TierRun
    years: list[PyramidYear]


def _explain_all(
    batch: BatchAssessment, on_progress: ProgressFn | None, every: int = 100
) -> list[Assessment]:
    """Every row's detailed assessment (about 2.5 ms each), reporting progress every ``every`` rows."""
    total = len(batch.enterprises)
    out: list[Assessment] = []
    for i in range(total):
        out.append(batch.assessment(i))
        if on_progress is not None and ((i + 1) % every == 0 or i + 1 == total):
            on_progress(i + 1, total)
    return out


# -- events: definitions, participants, exports ------------------------------------------------------------

EventDefinition = Mapping[str, Any] | str | Path
EVENT_EXPORTS = ("master", "agendas", "shortlists", "ics", "html", "cards")
# 洽谈结果 as organizers say it -> the outcome kind; None: the meeting was not held
OUTCOME_RESULTS: dict[str, OutcomeKind | None] = {
    "意向": OutcomeKind.INTENTION,
    "试用": OutcomeKind.TRIAL,
    "签约": OutcomeKind.SIGNED,
    "无": OutcomeKind.NONE,
    "未举行": None,
}
_ROLE_LABELS = {r.label: r.value for r in Role} | {"龙头": "leading", "中小": "sme"}


def event_definition(source: EventDefinition) -> tuple[dict[str, Any], str | None]:
    """The definition as a dict for :class:`Event` and its park: reads a .yaml/.yml/.json file, expands
    ``tables: N`` into tables "1".."N" and accepts Chinese role labels (龙头企业 / 中小企业)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"对接会定义文件不存在：{path}")
        text = path.read_text(encoding="utf-8-sig")
        loaded = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        if not isinstance(loaded, dict):
            raise ValidationError(
                [f"{path.name}：顶层应为键值映射（id、name、sessions、tables、participants…）"]
            )
        source = loaded
    data = copy.deepcopy(dict(source))
    park = data.pop("park", None)
    if isinstance(data.get("tables"), int):
        data["tables"] = [{"id": str(i + 1)} for i in range(data["tables"])]
    for p in data.get("participants") or []:
        if isinstance(p, dict) and p.get("role") in _ROLE_LABELS:
            p["role"] = _ROLE_LABELS[p["role"]]
    return data, (str(park) if park else None)


def _validated_event(data: Mapping[str, Any]) -> Event:
    try:
        return Event.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(
            [f"{'.'.join(str(x) for x in e['loc']) or '对接会'}：{e['msg']}" for e in exc.errors()]
        ) from None


def find_participant(event: Event, key: str, role: Role | None = None) -> Participant:
    """A participant by event id, 统一社会信用代码 or exact name (of ``role`` when given)."""
    for p in event.participants:
        if key in (p.id, p.enterprise_id, p.name) and (role is None or p.role == role):
            return p
    kind = role.label if role else "参会企业"
    raise NotFoundError(f"对接会“{event.id}”中没有{kind}“{key}”（可用编号、统一社会信用代码或企业名称）")


def _export(event: Event, schedule: Schedule, what: str, path: Path, who: str | None) -> list[Path]:
    ids = [who] if who else None
    if what == "master":
        return [export_master_xlsx(event, schedule, path)]
    if what == "agendas":
        return [export_agendas_xlsx(event, schedule, path, ids)]
    if what == "html":
        return [write_html(render_agendas_html(event, schedule, ids), path)]
    if what == "cards":
        return [write_html(render_table_cards_html(event, schedule), path)]
    if who:
        return [write_agenda_ics(event, schedule, who, path)]
    people = [p for p in event.participants if p.role in (Role.LEADING, Role.SME)]
    return [write_agenda_ics(event, schedule, p.id, path / f"{p.id}.ics") for p in people]


# -- chain: templates, knowledge graphs and results of the facade --------------------------------------------

CHAIN_DIR = DATA_DIR / "chains"


@lru_cache(maxsize=4)
def _chain_templates(directory: str) -> nx.DiGraph:
    """Every template of ``directory`` as one graph, read once (validation errors list each problem)."""
    return chain_graph(load_templates(directory))


@lru_cache(maxsize=2)
def _kg_outside(directory: str) -> list[Firm]:
    """The companies of a ChainKnowledgeGraph directory as outside firms (the load takes seconds: cached)."""
    return kg_firms(load_kg(directory)[0])


def _chain_industries(G: nx.DiGraph, park: Park, industry: str | None) -> tuple[list[str], list[str]]:
    """(industries to analyse, leading industries without a template). One named ``industry`` must have a
    template (it need not be a leading one: a park may weigh a new industry)."""
    if industry is not None:
        if f"chain:{industry}" not in G:
            known = "、".join(d["name"] for n, d in G.nodes(data=True) if n.startswith("chain:"))
            raise NotFoundError(f"没有产业链“{industry}”的模板（已有：{known}）")
        return [industry], []
    have = [i for i in park.leading_industries if f"chain:{i}" in G]
    return have, [i for i in park.leading_industries if i not in have]


@dataclass(frozen=True, slots=True)
class ParkChains:
    """A park's chain coverage per leading industry (in the park's order) and its own enterprises."""

    park: Park
    coverages: list[ChainCoverage]
    untemplated: list[str]  # leading industries with no chain template: not analysed
    local: list[Firm]

    def coverage(self, industry: str) -> ChainCoverage:
        for cov in self.coverages:
            if cov.industry == industry:
                return cov
        raise NotFoundError(f"园区“{self.park.name}”没有产业链“{industry}”的分析")


@dataclass(frozen=True, slots=True)
class GapCandidates:
    """链式招商 for one gap: the link (with its exposed leading firms) and the ranked outside firms."""

    industry: str
    link: LinkCoverage
    candidates: list[Candidate]


@dataclass(frozen=True, slots=True)
class ChainIntegration:
    industry: str
    rows: list[Integration]


@dataclass(frozen=True, slots=True)
class ChainCheck:
    park: Park
    check: IndustryCheck
    untemplated: list[str]
