"""Analysis results served from the snapshot, computed once per snapshot and cached on it.

Route handlers call these; they look ids up in the snapshot graph first, so an
unknown id is a 404 before any analysis runs.
"""

from __future__ import annotations

from collections import Counter

from graphsvc.analysis.gaps import CommunityGaps, StreetFacts, StreetGaps, community_gaps, street_facts, street_gaps
from graphsvc.analysis.plan import DistrictPlan, district_plan
from graphsvc.api.snapshot import Snapshot
from graphsvc.errors import Conflict, EntityNotFound, NotFound
from graphsvc.vocabulary import EntityKind

COMMUNITY = EntityKind.COMMUNITY.value


def require_community(snapshot: Snapshot, community: str) -> None:
    """``EntityNotFound`` unless ``community`` is a community of the snapshot."""
    if snapshot.graph.nodes.get(community, {}).get("kind") != COMMUNITY:
        raise EntityNotFound(community)


def street_sizes(snapshot: Snapshot) -> dict[str, int]:
    """Streets of the snapshot's communities, with how many communities each has (sorted by street)."""

    def compute() -> dict[str, int]:
        sizes = Counter(
            street for _, kind, street in _community_streets(snapshot) if kind == COMMUNITY and street is not None
        )
        return dict(sorted(sizes.items()))

    return snapshot.cached("street_sizes", compute)


def _community_streets(snapshot: Snapshot) -> list[tuple[str, str, str | None]]:
    return [(node, data.get("kind"), data.get("street")) for node, data in snapshot.graph.nodes(data=True)]


def facts_of_streets(snapshot: Snapshot) -> StreetFacts:
    """Street hubs, communities and service streets of the snapshot, found once for every gaps request."""
    return snapshot.cached("street_facts", lambda: street_facts(snapshot.graph))


def gaps_of_community(snapshot: Snapshot, community: str) -> CommunityGaps:
    require_community(snapshot, community)
    return snapshot.cached(
        ("community_gaps", community),
        lambda: community_gaps(snapshot.graph, community, facts=facts_of_streets(snapshot)),
    )


def gaps_of_street(snapshot: Snapshot, street: str) -> StreetGaps:
    if street not in street_sizes(snapshot):
        raise NotFound(f"no community lies in a street named {street!r}")
    return snapshot.cached(
        ("street_gaps", street), lambda: street_gaps(snapshot.graph, street, facts=facts_of_streets(snapshot))
    )


def plan_of_district(snapshot: Snapshot, per_community: int) -> DistrictPlan:
    if not any(kind == COMMUNITY for _, kind in snapshot.graph.nodes(data="kind")):
        raise Conflict("the district has no communities yet: load data first")
    return snapshot.cached(("plan", per_community), lambda: district_plan(snapshot.graph, per_community=per_community))
