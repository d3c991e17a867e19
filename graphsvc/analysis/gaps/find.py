"""Resource gaps: unmet needs, five-society linkage, fragility and hub reach, per community, street and district.

The coverage rule
-----------------
A community's need in a category is met by shares of its linked partners'
offers in that category (:mod:`graphsvc.analysis.core.coverage` holds the rule and
its doctest). A community's coverage of a category is the sum of its shares,
capped at its need; what is left is *uncovered*. Any category a community lists
as a need counts, resource categories (funding, volunteers...) included.
Because each share depends only on its own partner, losing a partner removes
exactly its shares: that is how fragility ("partners whose loss would uncover
the most need") is computed.

The entity ``capacity`` (how many communities a partner can serve) does not
change coverage; it limits *new* links (see :mod:`graphsvc.analysis.recommender.recommend`
and :mod:`graphsvc.analysis.plan.district`).

No needs recorded
-----------------
A community with no needs recorded has nothing to cover: its ``needs_recorded``
is false and its ``coverage`` is ``None`` -- never 100%. The same holds for a
street and the district when none of their communities has a need (a resource
directory alone, such as an HSDS import, records offers and no needs). Needs
are added as a ``needs`` table (``community,category,weight``).

Policy profiles
---------------
Which five-society roles are expected, and whether hub reach and the
district's targets are checked, is the policy profile's
(:data:`graphsvc.analysis.core.policy.PROFILES`): ``policy=`` names one, ``None``
takes the graph's default (``generic`` for a graph made from a directory's
areas, ``hub`` otherwise). Every answer names the profile used (``profile``);
checks the profile leaves out are ``None`` or empty, never a failure.

The district's policy checks, the communities no provider reaches and the
per-street facts the roll-ups share live in :mod:`graphsvc.analysis.core.policy`;
their names are also importable from here.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", street="S", needs={"elderly_care": 4.0})
>>> G.add_node("c2", kind="community", street="S", needs={"elderly_care": 2.0})
>>> G.add_node("p", kind="organization", subtype="social_organization", street="S", offers={"elderly_care": 3.0})
>>> G.add_edges_from([("p", "c1"), ("p", "c2")], kinds=("service",))
>>> gaps = community_gaps(G, "c1")
>>> gaps.categories[0].covered, gaps.categories[0].uncovered   # 3 * 4 / (4 + 2) = 2
(2.0, 2.0)
>>> [r.role for r in gaps.roles_missing]
['social_worker', 'university_society', 'social_forces']
>>> community_gaps(G, "c1", policy="generic").roles_missing
[]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import networkx as nx

from graphsvc.analysis.core.common import (
    check_graph,
    headroom,
    is_community,
    is_partner,
    require_community,
    role_of,
    rounded,
    street_hubs,
)
from graphsvc.analysis.core.coverage import (
    coverage_shares,
    covered_amounts,
    is_role_category,
    residents_needs,
)
from graphsvc.analysis.core.policy import (
    PolicyProfile,
    ServiceDesert,
    StreetFacts,
    category_ref,
    communities_without_provider,
    community_deserts,
    offered_categories,
    policy_checks,
    resolve_profile,
    street_facts,
)
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
from graphsvc.analysis.gaps.timeline import fragile_partnerships
from graphsvc.errors import NotFound
from graphsvc.progress import Progress, Steps
from graphsvc.vocabulary import PARTNER_ROLES, EntityKind, FiveSocietyRole, category


def _role_ref(role: FiveSocietyRole, available: int | None = None) -> RoleRef:
    if available is None or available > 0:
        return RoleRef(role=role.value, zh=role.zh, en=role.en, available=available)
    return RoleRef(
        role=role.value,
        zh=role.zh,
        en=role.en,
        available=0,
        note_zh=f"无法补上：没有尚有余量的{role.zh}",
        note_en=f"cannot be closed now: no {role.en} partner has room for another community",
    )


def open_partners_by_role(G: nx.Graph) -> dict[FiveSocietyRole, set[str]]:
    """``{role: partners of that role that can take another community}`` (no capacity set, or room left)."""
    out: dict[FiveSocietyRole, set[str]] = {r: set() for r in PARTNER_ROLES}
    for p in G:
        if is_partner(G, p):
            room = headroom(G, p)
            if room is None or room > 0:
                out[role_of(G, p)].add(p)
    return out


def _losses(need: dict[str, float], shares: dict[str, dict[str, float]]) -> dict[str, float]:
    covered = covered_amounts(need, shares)
    out = {}
    for p, own in shares.items():
        lost = sum(
            covered[cat] - min(need[cat], sum(s.get(cat, 0.0) for q, s in shares.items() if q != p)) for cat in own
        )
        if lost > 1e-12:
            out[p] = lost
    return out


def _community_gaps(
    G: nx.Graph,
    community: str,
    shares: dict[str, dict[str, float]],
    hubs: dict[str, str],
    profile: PolicyProfile,
    offered: Collection[str],
    open_roles: dict[FiveSocietyRole, set[str]] | None = None,
) -> CommunityGaps:
    data = G.nodes[community]
    need = residents_needs(G, community)  # the missing roles are reported as roles, not as categories
    shares = {p: {k: v for k, v in own.items() if not is_role_category(k)} for p, own in shares.items()}
    covered = covered_amounts(need, shares)
    cats = []
    for cat in sorted(need, key=lambda k: (-(need[k] - covered[k]), k)):
        label = category(cat)
        givers = sorted(p for p, s in shares.items() if s.get(cat, 0.0) > 0)
        cats.append(
            CategoryGap(
                category=cat,
                zh=label.zh,
                en=label.en,
                need=rounded(need[cat]),
                covered=rounded(covered[cat]),
                uncovered=rounded(need[cat] - covered[cat]),
                partners=givers,
                single_partner=len(givers) == 1,
            )
        )
    partners = sorted(str(p) for p in G[community] if is_partner(G, p))
    present = {role_of(G, p) for p in partners}
    street = data.get("street")
    hub = hubs.get(street) if street else None
    total_need = sum(need.values())
    total_covered = sum(covered.values())
    losses = _losses(need, shares)
    checks_hub = profile.hub_reach
    return CommunityGaps(
        community=community,
        name=data.get("name"),
        street=street,
        profile=profile.code,
        needs_recorded=total_need > 0,
        need=rounded(total_need),
        covered=rounded(total_covered),
        uncovered=rounded(total_need - total_covered),
        coverage=rounded(total_covered / total_need) if total_need > 0 else None,
        categories=cats,
        covered_categories=sorted(c.category for c in cats if c.uncovered <= 1e-9),
        uncovered_categories=[c.category for c in cats if c.uncovered > 1e-9],
        partners=partners,
        roles_present=[_role_ref(r) for r in PARTNER_ROLES if r in present],
        roles_missing=[
            _role_ref(r, None if open_roles is None else len(open_roles[r] - set(G[community])))
            for r in profile.roles
            if r not in present
        ],
        single_partner_needs=[c.category for c in cats if c.single_partner],
        one_partner=len(partners) == 1,
        critical_partners=[
            PartnerLoss(partner=p, name=G.nodes[p].get("name"), need_lost=rounded(x))
            for p, x in sorted(losses.items(), key=lambda item: (-item[1], item[0]))
        ],
        street_hub=hub,
        names={p: G.nodes[p].get("name") for p in sorted({*partners, *([hub] if hub else [])})},
        reached_by_hub=(hub is not None and G.has_edge(community, hub)) if checks_hub else None,
        university_link=any(G.nodes[p].get("kind") == EntityKind.SCHOOL.value for p in partners)
        if checks_hub
        else None,
        service_deserts=[category_ref(c) for c in community_deserts(G, community, offered)],
        fragile_partnerships=fragile_partnerships(G, community),
    )


def community_gaps(
    G: nx.Graph,
    community: str,
    *,
    facts: StreetFacts | None = None,
    policy: str | PolicyProfile | None = None,
) -> CommunityGaps:
    """The gaps of one community: unmet needs, missing five-society roles, fragility, hub reach.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot graph (:func:`graphsvc.graph.build_graph`).
    community : str
        A community id.
    facts : StreetFacts, optional
        :func:`street_facts` of ``G``, when the caller keeps them (else found here, one pass over ``G``).
    policy : str or PolicyProfile, optional
        The policy profile (``"hub"``, ``"generic"``); ``None``: ``G``'s default
        (:func:`graphsvc.analysis.core.policy.default_profile`).

    Returns
    -------
    CommunityGaps
        Per-category need, covered and uncovered amounts (largest gap first), the partners covering each,
        the missing roles, needs covered by a single partner, partners whose loss uncovers the most need,
        and whether the street hub reaches the community.

    Raises
    ------
    graphsvc.errors.EntityNotFound
        If ``community`` is not a community of ``G``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", needs={"health": 2.0, "youth": 1.0})
    >>> G.add_node("e", kind="enterprise", offers={"health": 5.0})
    >>> G.add_edge("c", "e")
    >>> g = community_gaps(G, "c")
    >>> g.uncovered_categories, g.single_partner_needs, g.one_partner
    (['youth'], ['health'], True)
    >>> g.critical_partners[0].partner, g.critical_partners[0].need_lost
    ('e', 2.0)
    >>> G.add_node("d", kind="community")
    >>> d = community_gaps(G, "d")
    >>> d.needs_recorded, d.coverage, [c.category for c in d.service_deserts]
    (False, None, ['health'])
    """
    check_graph(G)
    require_community(G, community)
    profile = resolve_profile(G, policy)
    shares = coverage_shares(G, [community]).get(community, {})
    hubs = street_hubs(G) if facts is None else facts.hubs
    open_roles = open_partners_by_role(G) if profile.roles else None
    return _community_gaps(G, community, shares, hubs, profile, offered_categories(G), open_roles)


def category_totals(gaps: Sequence[CommunityGaps]) -> list[CategoryTotal]:
    """Need, covered and uncovered per category over ``gaps``, the largest uncovered first.

    >>> from graphsvc.analysis.gaps.find import community_gaps
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", needs={"health": 2.0, "youth": 1.0})
    >>> [(c.category, c.uncovered) for c in category_totals([community_gaps(G, "c")])]
    [('health', 2.0), ('youth', 1.0)]
    """
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for g in gaps:
        for c in g.categories:
            row = acc[c.category]
            row[0] += c.need
            row[1] += c.covered
            row[2] += 1 if c.uncovered > 1e-9 else 0
    out = []
    for cat, (need, covered, n_uncovered) in sorted(acc.items(), key=lambda kv: (-(kv[1][0] - kv[1][1]), kv[0])):
        label = category(cat)
        out.append(
            CategoryTotal(
                category=cat,
                zh=label.zh,
                en=label.en,
                need=rounded(need),
                covered=rounded(covered),
                uncovered=rounded(need - covered),
                communities_uncovered=int(n_uncovered),
            )
        )
    return out


def _top_losses(G: nx.Graph, gaps: list[CommunityGaps], top: int = 10) -> list[PartnerLoss]:
    acc: dict[str, float] = defaultdict(float)
    for g in gaps:
        for loss in g.critical_partners:
            acc[loss.partner] += loss.need_lost
    ranked = sorted(acc.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [PartnerLoss(partner=p, name=G.nodes[p].get("name"), need_lost=rounded(x)) for p, x in ranked]


def _sums(gaps: list[CommunityGaps]) -> tuple[float, float, float, float | None]:
    need = sum(g.need for g in gaps)
    covered = sum(g.covered for g in gaps)
    return rounded(need), rounded(covered), rounded(need - covered), rounded(covered / need) if need > 0 else None


def street_gaps(
    G: nx.Graph, street: str, *, facts: StreetFacts | None = None, policy: str | PolicyProfile | None = None
) -> StreetGaps:
    """The gaps of every community of one street, rolled up (``facts``: :func:`street_facts` of ``G``, if kept;
    ``policy``: as in :func:`community_gaps`).

    Raises :class:`~graphsvc.errors.NotFound` if no community lies in ``street``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("h", kind="organization", subtype="street_hub", street="S")
    >>> G.add_edge("c", "h", kinds=("coordination",))
    >>> s = street_gaps(G, "S")
    >>> s.hub, s.uncovered, s.service_organization, s.communities_without_university
    ('h', 2.0, False, ['c'])
    """
    check_graph(G)
    profile = resolve_profile(G, policy)
    facts = street_facts(G) if facts is None else facts
    members = facts.communities.get(street)
    if not members:
        raise NotFound(f"no street named {street!r}")
    shares = coverage_shares(G, members)
    hubs = facts.hubs
    offered = offered_categories(G)
    open_roles = open_partners_by_role(G) if profile.roles else None
    gaps = [_community_gaps(G, c, shares.get(c, {}), hubs, profile, offered, open_roles) for c in members]
    need, covered, uncovered, coverage = _sums(gaps)
    return StreetGaps(
        street=street,
        hub=hubs.get(street),
        profile=profile.code,
        needs_recorded=need > 0,
        need=need,
        covered=covered,
        uncovered=uncovered,
        coverage=coverage,
        categories=category_totals(gaps),
        service_organization=street in facts.served if profile.hub_reach else None,
        communities_without_university=[g.community for g in gaps if g.university_link is False],
        communities_not_reached=[g.community for g in gaps if g.reached_by_hub is False],
        communities_one_partner=[g.community for g in gaps if g.one_partner],
        critical_partners=_top_losses(G, gaps),
        communities=gaps,
    )


def all_community_gaps(
    G: nx.Graph,
    *,
    facts: StreetFacts | None = None,
    progress: Progress | None = None,
    policy: str | PolicyProfile | None = None,
) -> list[CommunityGaps]:
    """:func:`community_gaps` for every community, sharing one pass over the partners (``progress``: a
    :data:`graphsvc.progress.Progress` hook, called with ``(communities done, communities)``; ``policy``: as in
    :func:`community_gaps`)."""
    check_graph(G)
    profile = resolve_profile(G, policy)
    shares = coverage_shares(G)
    hubs = street_hubs(G) if facts is None else facts.hubs
    members = sorted((n for n in G if is_community(G, n)), key=str)
    steps = Steps(progress, len(members))
    offered = offered_categories(G)
    open_roles = open_partners_by_role(G) if profile.roles else None
    out = []
    for c in members:
        out.append(_community_gaps(G, c, shares.get(c, {}), hubs, profile, offered, open_roles))
        steps.advance()
    return out


def district_gaps(
    G: nx.Graph,
    *,
    gaps: list[CommunityGaps] | None = None,
    facts: StreetFacts | None = None,
    policy: str | PolicyProfile | None = None,
) -> DistrictGaps:
    """The whole district: totals per category and per street, missing roles, fragility and the policy report.

    ``gaps`` (:func:`all_community_gaps` of ``G``, under the same ``policy``) and ``facts``
    (:func:`street_facts` of ``G``), when the caller has them, are used instead of computing them again;
    ``policy`` is as in :func:`community_gaps`.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("c2", kind="community", street="T", needs={"health": 1.0})
    >>> G.add_node("e", kind="enterprise", offers={"health": 1.0})
    >>> G.add_edge("c2", "e")
    >>> d = district_gaps(G)
    >>> d.need, d.covered, [s.street for s in d.streets], d.roles_missing["social_forces"]
    (3.0, 1.0, ['S', 'T'], 1)
    >>> G.add_node("c3", kind="community", street="T")
    >>> district_gaps(G).communities_without_needs
    ['c3']
    """
    profile = resolve_profile(G, policy)
    facts = street_facts(G) if facts is None else facts
    gaps = all_community_gaps(G, facts=facts, policy=profile) if gaps is None else gaps
    need, covered, uncovered, coverage = _sums(gaps)
    served = facts.served
    by_street: dict[str, list[CommunityGaps]] = defaultdict(list)
    for g in gaps:
        if g.street:
            by_street[g.street].append(g)
    streets = []
    for street in sorted(by_street):
        members = by_street[street]
        s_need, s_covered, s_uncovered, s_coverage = _sums(members)
        streets.append(
            StreetSummary(
                street=street,
                communities=len(members),
                needs_recorded=s_need > 0,
                need=s_need,
                covered=s_covered,
                uncovered=s_uncovered,
                coverage=s_coverage,
                not_reached=sum(g.reached_by_hub is False for g in members) if profile.hub_reach else None,
                without_university=sum(g.university_link is False for g in members) if profile.hub_reach else None,
                service_organization=street in served if profile.hub_reach else None,
            )
        )
    missing: dict[str, int] = {r.value: 0 for r in profile.roles}
    for g in gaps:
        for ref in g.roles_missing:
            missing[ref.role] = missing.get(ref.role, 0) + 1
    return DistrictGaps(
        communities=len(gaps),
        profile=profile.code,
        needs_recorded=need > 0,
        communities_without_needs=[g.community for g in gaps if not g.needs_recorded],
        need=need,
        covered=covered,
        uncovered=uncovered,
        coverage=coverage,
        categories=category_totals(gaps),
        streets=streets,
        roles_missing=missing,
        communities_one_partner=[g.community for g in gaps if g.one_partner],
        communities_not_reached=[g.community for g in gaps if g.reached_by_hub is False],
        critical_partners=_top_losses(G, gaps),
        policy=policy_checks(G, facts=facts, policy=profile),
        no_provider=communities_without_provider(G),
        service_deserts=[
            ServiceDesert(community=g.community, name=g.name, street=g.street, categories=g.service_deserts)
            for g in gaps
            if g.service_deserts
        ],
    )
