"""What we learn from the snapshot graph: gaps, partner recommendations, a district plan and their evaluation.

Functions over ``networkx.Graph`` (graph first, options as keywords); the CLI, the API and notebooks call
the same ones. Results are pydantic models, ready to be API responses.

Here are the user's verbs and the result types they return. The building blocks stay in their modules:
the share rule (:mod:`~graphsvc.analysis.coverage`), the signals (:mod:`~graphsvc.analysis.signals`),
link-prediction splits and metrics (:mod:`~graphsvc.analysis.linkpred`), the weighting's fit
(:mod:`~graphsvc.analysis.model_selection`) and the plain-NetworkX reference recommender the fast path is
tested against (:mod:`~graphsvc.analysis.reference`).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from graphsvc.lazy import lazy_names

if TYPE_CHECKING:
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
    from graphsvc.analysis.model_selection import LinkModel
    from graphsvc.analysis.plan import CoverageChange, DistrictPlan, PlannedLink, PlanTotals, apply_links, district_plan
    from graphsvc.analysis.policy import PROFILES, PolicyProfile, resolve_profile, roles_expected
    from graphsvc.analysis.rank_modes import RANK_MODES, RankMode, RankModeSpec, rank_mode
    from graphsvc.analysis.recommend import Recommender, explain_partner, recommend, recommend_all
    from graphsvc.analysis.results import (
        CommunityRecommendations,
        PartnerExplanation,
        Reason,
        Recommendation,
    )
    from graphsvc.errors import UnsupportedGraph

# Where each name lives. Imported on first use, so that importing one building block (``graphsvc.analysis.results``
# for a kept list, ``graphsvc.analysis.gaps`` for the API's routes) does not load every analysis, and with
# them scipy.stats (the evaluation's ranks) and the rest.
_EXPORTS = {
    "BASELINES": "graphsvc.analysis.evaluate",
    "Evaluation": "graphsvc.analysis.evaluate",
    "evaluate": "graphsvc.analysis.evaluate",
    "explain_partner": "graphsvc.analysis.recommend",
    "CategoryGap": "graphsvc.analysis.gaps",
    "CategoryTotal": "graphsvc.analysis.gaps",
    "CommunityGaps": "graphsvc.analysis.gaps",
    "DistrictGaps": "graphsvc.analysis.gaps",
    "PartnerLoss": "graphsvc.analysis.gaps",
    "PolicyCheck": "graphsvc.analysis.gaps",
    "PolicyReport": "graphsvc.analysis.gaps",
    "RoleRef": "graphsvc.analysis.gaps",
    "StreetGaps": "graphsvc.analysis.gaps",
    "StreetSummary": "graphsvc.analysis.gaps",
    "all_community_gaps": "graphsvc.analysis.gaps",
    "community_gaps": "graphsvc.analysis.gaps",
    "district_gaps": "graphsvc.analysis.gaps",
    "policy_checks": "graphsvc.analysis.gaps",
    "street_gaps": "graphsvc.analysis.gaps",
    "LinkModel": "graphsvc.analysis.model_selection",
    "PROFILES": "graphsvc.analysis.policy",
    "PolicyProfile": "graphsvc.analysis.policy",
    "resolve_profile": "graphsvc.analysis.policy",
    "roles_expected": "graphsvc.analysis.policy",
    "CoverageChange": "graphsvc.analysis.plan",
    "DistrictPlan": "graphsvc.analysis.plan",
    "PlannedLink": "graphsvc.analysis.plan",
    "PlanTotals": "graphsvc.analysis.plan",
    "apply_links": "graphsvc.analysis.plan",
    "district_plan": "graphsvc.analysis.plan",
    "Recommender": "graphsvc.analysis.recommend",
    "recommend": "graphsvc.analysis.recommend",
    "recommend_all": "graphsvc.analysis.recommend",
    "RANK_MODES": "graphsvc.analysis.rank_modes",
    "RankModeSpec": "graphsvc.analysis.rank_modes",
    "rank_mode": "graphsvc.analysis.rank_modes",
    "CommunityRecommendations": "graphsvc.analysis.results",
    "PartnerExplanation": "graphsvc.analysis.results",
    "RankMode": "graphsvc.analysis.rank_modes",
    "Reason": "graphsvc.analysis.results",
    "Recommendation": "graphsvc.analysis.results",
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

    Importing a submodule binds it on its package (``graphsvc.analysis.recommend = <module>``): here such a
    binding puts the module's function of that name in its place, so ``graphsvc.analysis.recommend`` is the
    function whichever was imported first, as it always was.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == _EXPORTS.get(name):
            value = getattr(value, name)  # the module graphsvc.analysis.NAME, which owns the export NAME
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
