"""The facade every surface calls (CLI, REST API, web pages, notebooks).

Nothing above the engine touches SQL, FAISS, a model or the solver directly; each concept's methods live
in their own module (``registry``, ``tiers``, ``events``, ``chain``) and heavy libraries load on first use.
"""

from matcher.engine.core import Engine
from matcher.engine.tiers import ProgressFn, TierReport, TierRun
from matcher.events.definition import EVENT_EXPORTS, OUTCOME_RESULTS

__all__ = ["EVENT_EXPORTS", "OUTCOME_RESULTS", "Engine", "ProgressFn", "TierReport", "TierRun"]
