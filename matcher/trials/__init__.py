"""先试首用: SMEs register innovation products (首台套/首批次/首版次), leading firms trial them, and an
adopted trial becomes a supplier link the chain analysis counts.

``Trials`` is the service the Engine holds (``engine.trials``); the record rules are
``matcher.auth.policy.can_take_trial_part`` / ``can_see_trial``.
"""

from matcher.trials.model import (
    Category,
    FirstSale,
    InnovationProduct,
    ProductSpec,
    Trial,
    TrialPlan,
    TrialState,
)
from matcher.trials.service import TrialDashboard, Trials, TrialTally, tally

__all__ = [
    "Category",
    "FirstSale",
    "InnovationProduct",
    "ProductSpec",
    "Trial",
    "TrialPlan",
    "TrialDashboard",
    "TrialState",
    "TrialTally",
    "Trials",
    "tally",
]
