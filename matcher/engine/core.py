"""The Engine: one facade composed of one part per concept, each in its own module."""

from __future__ import annotations

from matcher.engine.chain import ChainMixin
from matcher.engine.events import EventsMixin
from matcher.engine.matching import MatchingMixin
from matcher.engine.search import SearchMixin
from matcher.engine.tiers import TiersMixin
from matcher.settings import Settings, get_settings
from matcher.store import Store


class Engine(MatchingMixin, ChainMixin, EventsMixin, TiersMixin, SearchMixin):
    """Registry, tiers, events and chain analysis behind plain Python methods.

    >>> engine = Engine.from_settings()
    >>> [park.name for park, count in engine.parks()]
    """

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Engine:
        settings = settings or get_settings()
        return cls(Store(settings.resolved_database_url), settings)
