"""What we learn from the snapshot graph: gaps, partner recommendations, a district plan and their evaluation.

Functions over ``networkx.Graph`` (graph first, options as keywords); the CLI, the API and notebooks call
the same ones. Results are pydantic models, ready to be API responses.
"""

from graphsvc.analysis.common import check_graph
from graphsvc.analysis.coverage import closable, coverage_shares, covered_amounts, link_gain, partner_shares, share
from graphsvc.analysis.evaluate import BASELINES, Evaluation, evaluate
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
from graphsvc.analysis.linkpred import PairTask, ranking_metrics, sample_negatives, split_edges, task_for
from graphsvc.analysis.plan import (
    CoverageChange,
    DistrictPlan,
    PlannedLink,
    PlanTotals,
    apply_links,
    district_plan,
)
from graphsvc.analysis.recommend import (
    CommunityRecommendations,
    LinkModel,
    Reason,
    Recommendation,
    Recommender,
    fit_model,
    prior_model,
    recommend,
    recommend_all,
    recommend_reference,
)
from graphsvc.analysis.signals import FEATURES, SignalEngine, l3_index, reference_features
from graphsvc.errors import UnsupportedGraph

__all__ = [
    "BASELINES",
    "FEATURES",
    "CategoryGap",
    "CategoryTotal",
    "CommunityGaps",
    "CommunityRecommendations",
    "CoverageChange",
    "DistrictGaps",
    "DistrictPlan",
    "Evaluation",
    "LinkModel",
    "PairTask",
    "PartnerLoss",
    "PlanTotals",
    "PlannedLink",
    "PolicyCheck",
    "PolicyReport",
    "Reason",
    "Recommendation",
    "Recommender",
    "RoleRef",
    "SignalEngine",
    "StreetGaps",
    "StreetSummary",
    "UnsupportedGraph",
    "all_community_gaps",
    "apply_links",
    "check_graph",
    "closable",
    "community_gaps",
    "coverage_shares",
    "covered_amounts",
    "district_gaps",
    "district_plan",
    "evaluate",
    "fit_model",
    "l3_index",
    "link_gain",
    "partner_shares",
    "policy_checks",
    "prior_model",
    "ranking_metrics",
    "recommend",
    "recommend_all",
    "recommend_reference",
    "reference_features",
    "sample_negatives",
    "share",
    "split_edges",
    "street_gaps",
    "task_for",
]
