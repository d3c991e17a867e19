"""What we learn from the snapshot graph: gaps, partner recommendations, a district plan and their evaluation.

Functions over ``networkx.Graph`` (graph first, options as keywords); the CLI, the API and notebooks call
the same ones. Results are pydantic models, ready to be API responses.

Here are the user's verbs and the result types they return. The building blocks stay in their modules:
the share rule (:mod:`~graphsvc.analysis.coverage`), the signals (:mod:`~graphsvc.analysis.signals`),
link-prediction splits and metrics (:mod:`~graphsvc.analysis.linkpred`), the weighting's fit
(:mod:`~graphsvc.analysis.model_selection`) and the plain-NetworkX reference recommender the fast path is
tested against (:mod:`~graphsvc.analysis.reference`).
"""

from graphsvc.analysis.evaluate import BASELINES, Evaluation, evaluate
from graphsvc.analysis.explain import explain_partner
from graphsvc.analysis.gaps import (
    CategoryGap,
    CategoryTotal,
    CommunityGaps,
    DistrictGaps,
    PartnerLoss,
    PolicyCheck,
    PolicyReport,
    RoleRef,
    StreetGaps,
    StreetSummary,
    all_community_gaps,
    community_gaps,
    district_gaps,
    policy_checks,
    street_gaps,
)
from graphsvc.analysis.model_selection import LinkModel
from graphsvc.analysis.plan import CoverageChange, DistrictPlan, PlannedLink, PlanTotals, apply_links, district_plan
from graphsvc.analysis.recommend import Recommender, recommend, recommend_all
from graphsvc.analysis.results import (
    RANK_MODES,
    CommunityRecommendations,
    PartnerExplanation,
    RankMode,
    Reason,
    Recommendation,
)
from graphsvc.errors import UnsupportedGraph

__all__ = [
    "BASELINES",
    "RANK_MODES",
    "CategoryGap",
    "CategoryTotal",
    "CommunityGaps",
    "CommunityRecommendations",
    "CoverageChange",
    "DistrictGaps",
    "DistrictPlan",
    "Evaluation",
    "LinkModel",
    "PartnerExplanation",
    "PartnerLoss",
    "PlanTotals",
    "PlannedLink",
    "PolicyCheck",
    "PolicyReport",
    "RankMode",
    "Reason",
    "Recommendation",
    "Recommender",
    "RoleRef",
    "StreetGaps",
    "StreetSummary",
    "UnsupportedGraph",
    "all_community_gaps",
    "apply_links",
    "community_gaps",
    "district_gaps",
    "district_plan",
    "evaluate",
    "explain_partner",
    "policy_checks",
    "recommend",
    "recommend_all",
    "street_gaps",
]
