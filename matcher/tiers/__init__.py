"""梯度培育库: criteria as data, assessment, history, targeted support and park reports.

Entry points: :func:`load_criteria`, :func:`assess`, :func:`assess_many`, :func:`tier_paths`,
:func:`pyramid`, :func:`support_plan`, :func:`pipeline`, :func:`write_park_report`.
"""

from matcher.tiers.assess import Assessment, BatchAssessment, State, TierResult, assess, assess_many
from matcher.tiers.criteria import Criteria, CriteriaError
from matcher.tiers.gaps import Gap
from matcher.tiers.history import PyramidYear, TierRecord, pyramid, tier_paths
from matcher.tiers.loader import available_versions, load_criteria
from matcher.tiers.report import pyramid_chart, write_park_report
from matcher.tiers.support import SupportPlan, awaiting_data, pipeline, plans, support_plan

__all__ = [
    "Assessment",
    "BatchAssessment",
    "Criteria",
    "CriteriaError",
    "Gap",
    "PyramidYear",
    "State",
    "SupportPlan",
    "TierRecord",
    "TierResult",
    "assess",
    "assess_many",
    "available_versions",
    "load_criteria",
    "pipeline",
    "awaiting_data",
    "plans",
    "pyramid",
    "pyramid_chart",
    "support_plan",
    "tier_paths",
    "write_park_report",
]
