"""Analysis results served from the edition, computed once per edition and cached on it.

Route handlers call these; they look ids up in the edition graph first, so an
unknown id is a 404 before any analysis runs.
"""

from __future__ import annotations

from collections import Counter

from graphsvc.analysis.core.common import require_community as community_of_graph
from graphsvc.analysis.core.policy import StreetFacts, street_facts
from graphsvc.analysis.gaps.answers import CommunityGaps, DistrictGaps, StreetGaps
from graphsvc.analysis.gaps.find import all_community_gaps, community_gaps, district_gaps, street_gaps
from graphsvc.analysis.plan.answers import DistrictPlan
from graphsvc.analysis.plan.district import district_plan
from graphsvc.analysis.plan.divergences import with_divergences
from graphsvc.api.edition import Edition
from graphsvc.errors import Conflict, NotFound
from graphsvc.vocabulary import COMMUNITY


def require_community(edition: Edition, community: str) -> None:
    """``EntityNotFound`` unless ``community`` is a community of the edition (the analyses' one check)."""
    community_of_graph(edition.graph, community)


def street_sizes(edition: Edition) -> dict[str, int]:
    """Streets of the edition's communities, with how many communities each has (sorted by street)."""

    def compute() -> dict[str, int]:
        sizes = Counter(
            street for _, kind, street in _community_streets(edition) if kind == COMMUNITY and street is not None
        )
        return dict(sorted(sizes.items()))

    return edition.cached("street_sizes", compute)


def _community_streets(edition: Edition) -> list[tuple[str, str, str | None]]:
    return [(node, data.get("kind"), data.get("street")) for node, data in edition.graph.nodes(data=True)]


def facts_of_streets(edition: Edition) -> StreetFacts:
    """Street hubs, communities and service streets of the edition, found once for every gaps request."""
    return edition.cached("street_facts", lambda: street_facts(edition.graph))


def gaps_of_community(edition: Edition, community: str, policy: str | None = None) -> CommunityGaps:
    """``policy``: the policy profile (the setting ``GRAPHSVC_POLICY``; ``None``: the graph's default)."""
    require_community(edition, community)
    return edition.cached(
        ("community_gaps", community, policy),
        lambda: community_gaps(edition.graph, community, facts=facts_of_streets(edition), policy=policy),
    )


def gaps_of_street(edition: Edition, street: str, policy: str | None = None) -> StreetGaps:
    if street not in street_sizes(edition):
        raise NotFound(f"no community lies in a street named {street!r}")
    return edition.cached(
        ("street_gaps", street, policy),
        lambda: street_gaps(edition.graph, street, facts=facts_of_streets(edition), policy=policy),
    )


def all_gaps(edition: Edition, policy: str | None = None) -> list[CommunityGaps]:
    """Every community's gaps (the district roll-up and the pages' gap levels share them)."""
    return edition.cached(
        ("all_gaps", policy), lambda: all_community_gaps(edition.graph, facts=facts_of_streets(edition), policy=policy)
    )


def has_communities(edition: Edition) -> bool:
    return any(kind == COMMUNITY for _, kind in edition.graph.nodes(data="kind"))


def gaps_of_district(edition: Edition, policy: str | None = None) -> DistrictGaps:
    if not has_communities(edition):
        raise Conflict("the district has no communities yet: load data first")
    return edition.cached(
        ("district_gaps", policy),
        lambda: district_gaps(
            edition.graph, gaps=all_gaps(edition, policy), facts=facts_of_streets(edition), policy=policy
        ),
    )


def plan_of_district(edition: Edition, per_community: int) -> DistrictPlan:
    """The district plan, with why each community's planned partner is not its list's #1: the lists are the
    default answers of the edition's recommender (``/communities/{id}/recommendations``, cached or computed)."""
    if not has_communities(edition):
        raise Conflict("the district has no communities yet: load data first")

    def compute() -> DistrictPlan:
        plan = district_plan(edition.graph, per_community=per_community)
        service = edition.fitted
        if service is not None and plan.links:
            plan = with_divergences(edition.graph, plan, service.default_lists())
        return plan

    return edition.cached(("plan", per_community), compute)
