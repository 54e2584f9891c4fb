"""The Engine: one facade composed of one part per concept, each in its own module."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from matcher.auth.principal import Principal
from matcher.deals import Deals
from matcher.domain import Enterprise
from matcher.engine.chain import ChainMixin
from matcher.engine.events import EventsMixin
from matcher.engine.exports import ExportsMixin
from matcher.engine.jobs import JobsMixin
from matcher.engine.matching import MatchingMixin, candidate_features
from matcher.engine.publishing import PublishingMixin
from matcher.engine.search import SearchMixin
from matcher.engine.tiers import TiersMixin
from matcher.errors import MatcherError
from matcher.events import Outcome, OutcomeKind
from matcher.learning import store_labels
from matcher.notify import Notifier
from matcher.settings import Settings, get_settings
from matcher.store import Store
from matcher.store import repository as repo
from matcher.tiers import SupportPlan, support_plan
from matcher.trials import TrialDashboard, Trials, tally

if TYPE_CHECKING:
    from matcher.learning.train import TrainReport


class Engine(
    JobsMixin, ExportsMixin, PublishingMixin, MatchingMixin, ChainMixin, EventsMixin, TiersMixin, SearchMixin
):
    """Registry, tiers, events and chain analysis behind plain Python methods.

    >>> engine = Engine.from_settings()
    >>> [park.name for park, count in engine.parks()]

    Newer concepts are services the engine holds rather than parts it inherits: ``notifications``
    (in-platform messages), ``deals`` (responses and invitations between the two sides), ``trials``
    (先试首用).
    """

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        super().__init__(store, settings)
        self.notifications = Notifier(store)
        self.deals = Deals(store, self.notifications)
        self.trials = Trials(store, self.notifications)

    def record_event_outcome(
        self, code: str, *, buyer: str, sme: str, kind: OutcomeKind, held: bool = True, note: str = ""
    ) -> Outcome:
        """Record a meeting's outcome; a 试用 outcome also starts the pair's 先试首用 trial (once)."""
        outcome = super().record_event_outcome(code, buyer=buyer, sme=sme, kind=kind, held=held, note=note)
        if kind is OutcomeKind.TRIAL and held:
            people = self.event(code).event.by_id
            b, m = people[outcome.buyer_id], people[outcome.sme_id]
            self.trials.from_event(code, b.enterprise_id, m.enterprise_id, note)
        return outcome

    def tier_support(
        self,
        enterprise_id: int,
        *,
        as_of: dt.date | None = None,
        demands: int = 3,
        principal: Principal | None = None,
    ) -> SupportPlan:
        """梯度培育 targeted support: the cheapest gap to the next tier, then open demands of leading firms
        the enterprise could answer (from the matching engine) as concrete next steps."""
        assessment = self.tier_assessment(enterprise_id, as_of=as_of, principal=principal)

        def answerable(_: Enterprise) -> list[str]:
            found = self.buyers_for(enterprise_id=enterprise_id, k=demands, principal=principal).demands
            return [f"{d.code}「{d.title}」（{d.publisher}，匹配度 {d.score:g}）" for d in found]

        record = self.enterprise(enterprise_id).record
        return support_plan(assessment, record, answerable, limit=demands)

    def train_ranker(self, *, save: bool = True, shown: int = 20) -> TrainReport:
        """Learn from the labels in the store (decisions, responses, invitations, trials) over the
        features of the ``shown`` candidates of each labelled demand; time-split evaluation decides whether
        the engine uses the result (see ``matcher.learning``). The model file is written either way."""
        with self.store.session() as s:
            labels, counts = store_labels(s)

        def candidates(demand_id: int) -> dict[int, dict[str, float]]:
            try:
                found = self.suppliers_for(demand_id=demand_id, k=shown).matches
            except MatcherError:
                return {}
            return {m.enterprise_id: candidate_features(m) for m in found}

        from matcher.learning.train import train_ranker  # scikit-learn: loaded only to train

        report = train_ranker(labels, candidates, counts)
        if save:
            report.model.save(self.settings.ranker_path)
        return report

    def trial_dashboard(self, park: str, *, principal: Principal | None = None) -> TrialDashboard:
        """先试首用 in a park: trials started and adoptions per leading industry (the leading firms on its
        chain) and per leading firm, the figures the guideline asks parks to report."""
        found = self._chain_park(park, principal)
        chains = self.park_chains(park)
        with self.store.session() as s:
            ids = repo.enterprise_ids(s)
            park_id = repo.park_ids(s)[park]
            leaders = repo.list_enterprises(s, park=park, role="leading")
        trials = self.trials.park_trials(park_id)
        industries = {
            c.industry: {ids[p.firm.id] for lc in c.links for p in lc.local if p.firm.id in ids}
            for c in chains.coverages
        }
        firms = {e.record.name: {e.id} for e in leaders}
        return TrialDashboard(found.name, tally(trials, industries), tally(trials, firms), trials)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Engine:
        settings = settings or get_settings()
        return cls(Store(settings.resolved_database_url), settings)
