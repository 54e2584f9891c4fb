"""The Engine: the services of the platform, each built once here and handed what it needs."""

from __future__ import annotations

from matcher.deals import Deals
from matcher.engine.chain import Chain
from matcher.engine.encoders import Encoders
from matcher.engine.events import Events
from matcher.engine.exports import Exports
from matcher.engine.jobs import Jobs
from matcher.engine.matching import Matching
from matcher.engine.publishing import Publishing
from matcher.engine.registry import Registry
from matcher.engine.search import Search
from matcher.engine.tiers import Tiers
from matcher.notify import Notifier
from matcher.settings import Settings, get_settings
from matcher.store import Store
from matcher.trials import Trials


class Engine:
    """Holds one instance of each service over one store; every surface (CLI, REST API, web pages,
    notebooks) calls the service it needs.

    >>> engine = Engine.from_settings()
    >>> [park.name for park, count in engine.registry.parks()]
    >>> engine.matching.suppliers_for(text="采购锂电池隔膜", k=5).matches

    Services and what each is given (the arrows are the only calls between them):

    ========================  ========================================================================
    ``registry``              parks, enterprises, demands (scoped reads) and imports -> ``search``
    ``search``                the persistent search index that follows the store
    ``matching``              suppliers, buyers and demands with reasons, event pair scores, the
                              learned ranker -> ``registry``
    ``publishing``            demands and profiles written, candidates decided -> ``registry``, ``matching``
    ``events``                供需对接会 shortlists, schedules, outcomes -> ``registry``, ``matching``'s
                              pair scorer, ``trials``
    ``tiers``                 梯度培育 assessments, reports, targeted support -> ``registry``, ``matching``
    ``chain``                 产业链 coverage, gaps, recruitment, maps, 先试首用 dashboard -> ``registry``,
                              ``trials``
    ``jobs``                  imports, index rebuilds and schedules in the background -> ``registry``,
                              ``events``, ``search``
    ``exports``               the registry as an import-format file
    ``notifications``         in-platform messages
    ``deals``                 responses and invitations between the two sides -> ``notifications``
    ``trials``                先试首用 trials -> ``notifications``
    ========================  ========================================================================
    """

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings = settings or get_settings()
        self.encoders = Encoders(settings)
        self.search = Search(store, settings, self.encoders)
        self.registry = Registry(store, self.search)
        self.matching = Matching(store, settings, self.registry, self.encoders)
        self.publishing = Publishing(store, self.registry, self.matching)
        self.notifications = Notifier(store)
        self.deals = Deals(store, self.notifications)
        self.trials = Trials(store, self.notifications)
        self.events = Events(store, self.registry, self.matching.pair_scorer, self.trials)
        self.tiers = Tiers(store, self.registry, self.matching)
        self.chain = Chain(store, self.registry, self.trials)
        self.jobs = Jobs(store, self.registry, self.events, self.search)
        self.exports = Exports(store)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Engine:
        settings = settings or get_settings()
        return cls(Store(settings.resolved_database_url), settings)
