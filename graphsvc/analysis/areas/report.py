"""What a street's printable report says, gathered from results computed elsewhere (nothing computed again).

The street's gaps are :func:`graphsvc.analysis.gaps.street_gaps`'s, unchanged (what ``graphsvc gaps --street
NAME --json`` prints); its communities come worst first (most uncovered need first); the missing five-society
roles are counted over its communities; the suggested partners are the partners its communities' lists name,
by how many communities name them (each with the reasons of its best place); the plan's links are those of
the district plan that end in one of its communities.

>>> import networkx as nx
>>> from graphsvc.analysis.gaps.find import street_gaps
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
>>> G.add_node("c2", kind="community", street="S", needs={"health": 1.0})
>>> r = street_report(G, street_gaps(G, "S", policy="generic"))
>>> [c.community for c in r.communities], r.partners, r.plan_links
(['c1', 'c2'], [], [])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import networkx as nx
from pydantic import Field

from graphsvc.analysis.core.results import CommunityRecommendations, Reason, Result
from graphsvc.analysis.gaps.answers import CommunityGaps, StreetGaps
from graphsvc.analysis.plan.answers import DistrictPlan, PlannedLink

TOP_PARTNERS = 6
"""How many suggested partners a report lists."""


class RoleShortfall(Result):
    """A five-society role the policy expects, and the street's communities no partner of that role serves."""

    role: str
    zh: str
    en: str
    communities: list[str]


class SuggestedPartner(Result):
    """A partner the street's communities' lists suggest, with the communities that list it."""

    partner: str
    name: str | None
    kind: str | None
    communities: list[str] = Field(description="the street's communities whose list names it, best place first")
    best_score: float
    reasons: list[Reason] = Field(description="the reasons of its best place")


class StreetReport(Result):
    """Everything a street's report shows."""

    street: str
    path: list[tuple[str, str]] = Field(description="the areas above the street, (level, name), nearest first")
    gaps: StreetGaps
    communities: list[CommunityGaps] = Field(description="worst first: most uncovered need first")
    roles_missing: list[RoleShortfall]
    partners: list[SuggestedPartner]
    plan_links: list[PlannedLink]


def street_report(
    G: nx.Graph,
    gaps: StreetGaps,
    *,
    recommendations: Mapping[str, CommunityRecommendations] | None = None,
    plan: DistrictPlan | None = None,
    top: int = TOP_PARTNERS,
) -> StreetReport:
    """The report of the street ``gaps`` is about, from its gaps, its communities' lists and the district plan."""
    members = {g.community for g in gaps.communities}
    worst = sorted(gaps.communities, key=lambda g: (-g.uncovered, -(g.need or 0.0), g.community))
    roles: dict[str, RoleShortfall] = {}
    for g in worst:
        for ref in g.roles_missing:
            row = roles.setdefault(ref.role, RoleShortfall(role=ref.role, zh=ref.zh, en=ref.en, communities=[]))
            row.communities.append(g.community)
    named: dict[str, list[tuple[float, str, list[Reason]]]] = defaultdict(list)
    for community, answer in sorted((recommendations or {}).items(), key=lambda kv: str(kv[0])):
        if str(community) not in members:
            continue
        for rec in answer.recommendations:
            named[str(rec.partner)].append((rec.score, str(community), list(rec.reasons)))
    partners = []
    for partner, places in named.items():
        places.sort(key=lambda p: (-p[0], p[1]))
        data = G.nodes[partner] if partner in G else {}
        partners.append(
            SuggestedPartner(
                partner=partner,
                name=data.get("name"),
                kind=data.get("kind"),
                communities=[c for _, c, _ in places],
                best_score=round(places[0][0], 4),
                reasons=places[0][2],
            )
        )
    partners.sort(key=lambda p: (-len(p.communities), -p.best_score, p.partner))
    tree = G.graph.get("areas") or {}
    path: list[tuple[str, str]] = []
    level, name = "street", gaps.street
    for above in ("district", "city", "province"):
        parent = tree.get(level, {}).get(name)
        if not parent:
            break
        path.append((above, parent))
        level, name = above, parent
    links = [link for link in (plan.links if plan else []) if str(link.community) in members]
    return StreetReport(
        street=gaps.street,
        path=path,
        gaps=gaps,
        communities=worst,
        roles_missing=sorted(roles.values(), key=lambda r: (-len(r.communities), r.role)),
        partners=partners[:top],
        plan_links=sorted(links, key=lambda x: (-x.gain, str(x.community), str(x.partner))),
    )
