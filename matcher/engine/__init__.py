"""The engine every surface calls (CLI, REST API, web pages, notebooks): one service per concept.

``Engine`` (``core.py``) builds each service once and hands it what it needs; a caller names the service:
``engine.matching.suppliers_for(...)``, ``engine.events.schedule_event(...)``. Each service lives in the
module of its concept (``registry``, ``search``, ``matching``, ``publishing``, ``events``, ``tiers``,
``chain``, ``jobs``, ``exports``); nothing above the engine touches SQL, FAISS, a model or the solver
directly, and heavy libraries load on first use.
"""

from matcher.engine.core import Engine
from matcher.engine.tiers import ProgressFn, TierReport, TierRun
from matcher.events.definition import EVENT_EXPORTS, OUTCOME_RESULTS

__all__ = ["EVENT_EXPORTS", "OUTCOME_RESULTS", "Engine", "ProgressFn", "TierReport", "TierRun"]
