"""What we learn from the snapshot graph: gaps, partner recommendations, a district plan and their evaluation.

Functions over ``networkx.Graph`` (graph first, options as keywords); the CLI, the API and notebooks call
the same ones. Results are pydantic models, ready to be API responses.
"""

from graphsvc.analysis.common import check_graph
from graphsvc.analysis.coverage import (
    closable,
    coverage_shares,
    covered_amounts,
    link_gain,
    link_gain_terms,
    partner_shares,
    share,
)
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
from graphsvc.analysis.linkpred import PairTask, ranking_metrics, sample_negatives, split_edges, task_for
from graphsvc.analysis.model_selection import LinkModel, fit_model, prior_model
from graphsvc.analysis.plan import (
    CoverageChange,
    DistrictPlan,
    PlannedLink,
    PlanTotals,
    apply_links,
    district_plan,
)
from graphsvc.analysis.recommend import Recommender, recommend, recommend_all
from graphsvc.analysis.reference import recommend_reference
from graphsvc.analysis.results import (
    RANK_MODES,
    CommunityRecommendations,
    PartnerExplanation,
    RankMode,
    Reason,
    Recommendation,
)
from graphsvc.analysis.signals import SIGNALS, SignalEngine, l3_index, reference_features
from graphsvc.errors import UnsupportedGraph

__all__ = [
    "BASELINES",
    "RANK_MODES",
    "SIGNALS",
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
    "explain_partner",
    "fit_model",
    "l3_index",
    "link_gain",
    "link_gain_terms",
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
