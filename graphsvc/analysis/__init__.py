"""What we learn from the snapshot graph: gaps, partner recommendations, a district plan and their evaluation.

Functions over ``networkx.Graph`` (graph first, options as keywords); the CLI, the API and notebooks call
the same ones. Results are pydantic models, ready to be API responses.

Here are the user's verbs and the result types they return. The building blocks stay in their modules:
the share rule (:mod:`~graphsvc.analysis.core.coverage`), the signals (:mod:`~graphsvc.analysis.linkmodel.signals`),
link-prediction splits and metrics (:mod:`~graphsvc.analysis.linkmodel.linkpred`), the weighting's fit
(:mod:`~graphsvc.analysis.linkmodel.model_selection`) and the plain-NetworkX reference recommender the fast path is
tested against (:mod:`~graphsvc.analysis.recommender.reference`).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from graphsvc.lazy import lazy_names

if TYPE_CHECKING:
    from graphsvc.analysis.core.policy import (
        PROFILES,
        PolicyCheck,
        PolicyProfile,
        PolicyReport,
        policy_checks,
        resolve_profile,
        roles_expected,
    )
    from graphsvc.analysis.core.rank_modes import RANK_MODES, RankMode, RankModeSpec, rank_mode
    from graphsvc.analysis.core.results import (
        CommunityRecommendations,
        PartnerExplanation,
        Reason,
        Recommendation,
    )
    from graphsvc.analysis.evaluation.evaluate import BASELINES, Evaluation, evaluate
    from graphsvc.analysis.gaps.answers import (
        CategoryGap,
        CategoryTotal,
        CommunityGaps,
        DistrictGaps,
        PartnerLoss,
        RoleRef,
        StreetGaps,
        StreetSummary,
    )
    from graphsvc.analysis.gaps.find import all_community_gaps, community_gaps, district_gaps, street_gaps
    from graphsvc.analysis.linkmodel.model_selection import LinkModel
    from graphsvc.analysis.plan.answers import CoverageChange, DistrictPlan, PlannedLink, PlanTotals
    from graphsvc.analysis.plan.district import apply_links, district_plan
    from graphsvc.analysis.recommender.recommend import Recommender, explain_partner, recommend, recommend_all
    from graphsvc.errors import UnsupportedGraph

# Where each name lives. Imported on first use, so that importing one building block (``graphsvc.analysis.core.results``
# for a kept list, ``graphsvc.analysis.gaps.find`` for the API's routes) does not load every analysis, and with
# them scipy.stats (the evaluation's ranks) and the rest.
_EXPORTS = {
    "BASELINES": "graphsvc.analysis.evaluation.evaluate",
    "Evaluation": "graphsvc.analysis.evaluation.evaluate",
    "evaluate": "graphsvc.analysis.evaluation.evaluate",
    "explain_partner": "graphsvc.analysis.recommender.recommend",
    "CategoryGap": "graphsvc.analysis.gaps.answers",
    "CategoryTotal": "graphsvc.analysis.gaps.answers",
    "CommunityGaps": "graphsvc.analysis.gaps.answers",
    "DistrictGaps": "graphsvc.analysis.gaps.answers",
    "PartnerLoss": "graphsvc.analysis.gaps.answers",
    "PolicyCheck": "graphsvc.analysis.core.policy",
    "PolicyReport": "graphsvc.analysis.core.policy",
    "RoleRef": "graphsvc.analysis.gaps.answers",
    "StreetGaps": "graphsvc.analysis.gaps.answers",
    "StreetSummary": "graphsvc.analysis.gaps.answers",
    "all_community_gaps": "graphsvc.analysis.gaps.find",
    "community_gaps": "graphsvc.analysis.gaps.find",
    "district_gaps": "graphsvc.analysis.gaps.find",
    "policy_checks": "graphsvc.analysis.core.policy",
    "street_gaps": "graphsvc.analysis.gaps.find",
    "LinkModel": "graphsvc.analysis.linkmodel.model_selection",
    "PROFILES": "graphsvc.analysis.core.policy",
    "PolicyProfile": "graphsvc.analysis.core.policy",
    "resolve_profile": "graphsvc.analysis.core.policy",
    "roles_expected": "graphsvc.analysis.core.policy",
    "CoverageChange": "graphsvc.analysis.plan.answers",
    "DistrictPlan": "graphsvc.analysis.plan.answers",
    "PlannedLink": "graphsvc.analysis.plan.answers",
    "PlanTotals": "graphsvc.analysis.plan.answers",
    "apply_links": "graphsvc.analysis.plan.district",
    "district_plan": "graphsvc.analysis.plan.district",
    "Recommender": "graphsvc.analysis.recommender.recommend",
    "recommend": "graphsvc.analysis.recommender.recommend",
    "recommend_all": "graphsvc.analysis.recommender.recommend",
    "RANK_MODES": "graphsvc.analysis.core.rank_modes",
    "RankModeSpec": "graphsvc.analysis.core.rank_modes",
    "rank_mode": "graphsvc.analysis.core.rank_modes",
    "CommunityRecommendations": "graphsvc.analysis.core.results",
    "PartnerExplanation": "graphsvc.analysis.core.results",
    "RankMode": "graphsvc.analysis.core.rank_modes",
    "Reason": "graphsvc.analysis.core.results",
    "Recommendation": "graphsvc.analysis.core.results",
    "UnsupportedGraph": "graphsvc.errors",
}

__all__ = [
    "BASELINES",
    "PROFILES",
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
    "PolicyProfile",
    "PolicyReport",
    "RankMode",
    "RankModeSpec",
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
    "rank_mode",
    "recommend",
    "recommend_all",
    "resolve_profile",
    "roles_expected",
    "street_gaps",
]


__getattr__, __dir__ = lazy_names(globals(), _EXPORTS, __all__)


class _Package(types.ModuleType):
    """This package, whose verbs ``evaluate`` and ``recommend`` share their name with the modules they live in.

    Importing a submodule binds it on its package (``graphsvc.analysis.recommender.recommend = <module>``): here such a
    binding puts the module's function of that name in its place, so ``graphsvc.analysis.recommender.recommend`` is the
    function whichever was imported first, as it always was.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == _EXPORTS.get(name):
            value = getattr(value, name)  # the module graphsvc.analysis.NAME, which owns the export NAME
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
