"""District-wide checks: the policy profiles, service deserts (communities no provider reaches), the street facts.

:func:`street_facts` finds, once per graph, each street's hub, its communities and whether an organization
delivers a service there; :mod:`graphsvc.analysis.gaps.find` and :func:`policy_checks` share them.

Policy profiles
---------------
What a community is expected to have is a policy, not a truth about every directory. A
:class:`PolicyProfile` says which five-society roles every community should have, whether street hubs
should reach their communities, and which district targets are checked. :data:`PROFILES` holds one
entry per profile; the CLI (``--policy``), the API (``GRAPHSVC_POLICY``) and the research frames
(``policy=``) all read it:

* ``hub``: the Xiangzhou "1+10+N" hub model of docs/domain.md -- the five-society roles, street hub
  reach, and the two targets below. The default for graphsvc's own tables.
* ``generic``: no role, hub or target checks: needs, coverage and fragility only. The default for a graph
  whose communities were made from a resource directory's areas (an HSDS import marks them with the
  attribute ``area_level``), where the hub model's checks would fail everywhere by construction.

:func:`resolve_profile` turns a name (or ``None``: the graph's default, :func:`default_profile`) into its
entry; :func:`roles_expected` is the roles a community should have under a profile, for any analysis that
weighs missing roles.

Service deserts
---------------
A **service desert** is a supply-side gap: a category some partner of the district (or directory) offers,
that no partner linked to a community offers. It needs no needs table, so a directory of providers alone
shows where a kind of service is out of reach; it is not a residents' need (nobody said they want it), and
answers name it so (:func:`service_deserts`, :func:`communities_without_provider` by category).

Policy targets of the ``hub`` profile (docs/domain.md)
------------------------------------------------------
* ``street_service_organization``: every street has at least one organization
  linked to one of its communities by a ``service`` link (government-purchased
  services are delivered as service links).
* ``community_university_link``: every community is linked to at least one
  school (a university or a student society).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from graphsvc.analysis.core.common import Result, check_graph, is_community, is_partner, street_hubs
from graphsvc.errors import NotFound
from graphsvc.vocabulary import PARTNER_ROLES, EntityKind, FiveSocietyRole, categories, category

__all__ = [
    "GENERIC",
    "HUB",
    "PROFILES",
    "PolicyCheck",
    "PolicyProfile",
    "PolicyReport",
    "ProviderGap",
    "ServiceDesert",
    "StreetFacts",
    "communities_by_street",
    "communities_without_provider",
    "community_deserts",
    "default_profile",
    "offered_categories",
    "policy_checks",
    "resolve_profile",
    "roles_expected",
    "service_deserts",
    "service_streets",
    "street_facts",
]


class PolicyCheck(Result):
    """One policy target of docs/domain.md and who fails it."""

    code: str
    zh: str
    en: str
    passed: bool
    failing: list[str]


class PolicyReport(Result):
    """The targets of a policy profile, checked over the whole district (none under ``generic``)."""

    profile: str
    passed: bool
    checks: list[PolicyCheck]


class ProviderGap(Result):
    """A category some partner of the district offers, and the communities no linked partner offers it to."""

    category: str
    zh: str
    en: str
    providers: int
    communities: list[str]


class CategoryRef(Result):
    """A category with its labels."""

    category: str
    zh: str
    en: str


class ServiceDesert(Result):
    """A community and the categories offered in the district that no partner linked to it offers: a supply-side
    gap ("service desert"), not a need its residents stated."""

    community: str
    name: str | None
    street: str | None
    categories: list[CategoryRef]


def category_ref(code: str) -> CategoryRef:
    label = category(code)
    return CategoryRef(category=code, zh=label.zh, en=label.en)


@dataclass(frozen=True)
class StreetFacts:
    """What the gap analyses need to know about streets, computed once per graph (:func:`street_facts`).

    ``hubs``: ``{street: street hub}``; ``communities``: ``{street: its communities, sorted}``;
    ``served``: the streets with an organization delivering a service link to one of their communities.
    """

    hubs: dict[str, str]
    communities: dict[str, list[str]]
    served: frozenset[str]


def street_facts(G: nx.Graph) -> StreetFacts:
    """The per-street facts of ``G`` in one pass over nodes and one over links; pass them to the gap
    functions that take ``facts=`` when asking for many communities or streets of one graph.

    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> G.add_node("h", kind="organization", subtype="street_hub", street="S")
    >>> street_facts(G)
    StreetFacts(hubs={'S': 'h'}, communities={'S': ['c']}, served=frozenset())
    """
    return StreetFacts(hubs=street_hubs(G), communities=communities_by_street(G), served=frozenset(service_streets(G)))


def service_streets(G: nx.Graph) -> set[str]:
    """Streets where some organization has a ``service`` link to one of the street's communities."""
    streets = set()
    for u, v, kinds in G.edges(data="kinds"):
        if not kinds or "service" not in kinds:
            continue
        for org, com in ((u, v), (v, u)):
            if G.nodes[org].get("kind") == EntityKind.ORGANIZATION.value and is_community(G, com):
                street = G.nodes[com].get("street")
                if street:
                    streets.add(street)
    return streets


def communities_by_street(G: nx.Graph) -> dict[str, list[str]]:
    """``{street: its communities, sorted}`` (communities without a street are left out)."""
    out: dict[str, list[str]] = defaultdict(list)
    for node in sorted((n for n in G if is_community(G, n)), key=str):
        street = G.nodes[node].get("street")
        if street:
            out[street].append(node)
    return dict(out)


def _street_service_organization(G: nx.Graph, facts: StreetFacts) -> PolicyCheck:
    failing = sorted(s for s in facts.communities if s not in facts.served)
    return PolicyCheck(
        code="street_service_organization",
        zh="每个街道至少有一家社会组织提供服务",
        en="every street has at least one social organization delivering services",
        passed=not failing,
        failing=failing,
    )


def _community_university_link(G: nx.Graph, facts: StreetFacts) -> PolicyCheck:
    failing = sorted(
        str(c)
        for c in G
        if is_community(G, c) and not any(G.nodes[p].get("kind") == EntityKind.SCHOOL.value for p in G[c])
    )
    return PolicyCheck(
        code="community_university_link",
        zh="每个社区至少有一个高校或高校社团合作",
        en="every community works with at least one university or student society",
        passed=not failing,
        failing=failing,
    )


@dataclass(frozen=True)
class PolicyProfile:
    """What a community and a district are expected to have: one entry of :data:`PROFILES`.

    ``roles``: the five-society roles every community should have (missing ones are reported, and
    :func:`roles_expected` gives them to analyses that weigh them); ``hub_reach``: whether each community
    should be reached by its street hub and linked to a school; ``checks``: the district targets checked,
    each a function of the graph and its :class:`StreetFacts`.
    """

    code: str
    zh: str
    en: str
    roles: tuple[FiveSocietyRole, ...]
    hub_reach: bool
    checks: tuple[Callable[[nx.Graph, StreetFacts], PolicyCheck], ...]

    @property
    def role_checks(self) -> bool:
        """Whether missing five-society roles count under this profile."""
        return bool(self.roles)


HUB = PolicyProfile(
    code="hub",
    zh="枢纽型平台（1+10+N，五社联动）",
    en='hub platform ("1+10+N", five-society linkage)',
    roles=PARTNER_ROLES,
    hub_reach=True,
    checks=(_street_service_organization, _community_university_link),
)
GENERIC = PolicyProfile(
    code="generic",
    zh="通用（无五社与枢纽检查）",
    en="generic (no five-society or hub checks)",
    roles=(),
    hub_reach=False,
    checks=(),
)
PROFILES: dict[str, PolicyProfile] = {p.code: p for p in (HUB, GENERIC)}
"""Every policy profile by its code; adding one is one entry here."""


def default_profile(G: nx.Graph) -> PolicyProfile:
    """``generic`` if some community of ``G`` was made from a directory's areas (attribute ``area_level``,
    written by the HSDS import), else ``hub``.

    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community")
    >>> default_profile(G).code
    'hub'
    >>> G.add_node("city:Belmont", kind="community", attributes={"area_level": "city"})
    >>> default_profile(G).code
    'generic'
    """
    if G.graph.get("policy") in PROFILES:  # a snapshot says which (graphsvc.graph.add_entity_nodes)
        return PROFILES[G.graph["policy"]]
    for _, data in G.nodes(data=True):
        if data.get("kind") == EntityKind.COMMUNITY.value and (data.get("attributes") or {}).get("area_level"):
            return GENERIC
    return HUB


def resolve_profile(G: nx.Graph, policy: str | PolicyProfile | None = None) -> PolicyProfile:
    """The profile ``policy`` names (a code of :data:`PROFILES`, or an entry), or ``G``'s default if ``None``.

    Raises :class:`~graphsvc.errors.NotFound` for an unknown code, naming the known ones.

    >>> resolve_profile(nx.Graph(), "generic").roles, resolve_profile(nx.Graph()).code
    ((), 'hub')
    """
    if isinstance(policy, PolicyProfile):
        return policy
    if policy is None:
        return default_profile(G)
    found = PROFILES.get(policy.strip().lower())
    if found is None:
        raise NotFound(f"no policy profile {policy!r}: known profiles are {', '.join(PROFILES)}")
    return found


def roles_expected(G: nx.Graph, policy: str | PolicyProfile | None = None) -> tuple[FiveSocietyRole, ...]:
    """The five-society roles every community of ``G`` should have under ``policy`` (``None``: ``G``'s
    default profile); empty when the profile checks no roles, so a missing role then counts for nothing.

    >>> G = nx.Graph()
    >>> [r.value for r in roles_expected(G)], roles_expected(G, "generic")
    (['social_organization', 'social_worker', 'university_society', 'social_forces'], ())
    """
    return resolve_profile(G, policy).roles


def policy_checks(
    G: nx.Graph, *, facts: StreetFacts | None = None, policy: str | PolicyProfile | None = None
) -> PolicyReport:
    """Check the district against the targets of a policy profile (``policy``: a code of :data:`PROFILES`;
    ``None``: ``G``'s default, :func:`default_profile`; ``facts``: :func:`street_facts`, if kept).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> G.add_node("o", kind="organization", subtype="social_organization")
    >>> G.add_node("u", kind="school", subtype="student_society")
    >>> G.add_edge("c", "o", kinds=("service",))
    >>> [(c.code, c.passed, c.failing) for c in policy_checks(G).checks]
    [('street_service_organization', True, []), ('community_university_link', False, ['c'])]
    >>> policy_checks(G, policy="generic").checks
    []
    """
    check_graph(G)
    profile = resolve_profile(G, policy)
    facts = street_facts(G) if facts is None else facts
    checks = [check(G, facts) for check in profile.checks]
    return PolicyReport(profile=profile.code, passed=all(c.passed for c in checks), checks=checks)


def offered_categories(G: nx.Graph) -> dict[str, set[str]]:
    """``{category: the partners offering some of it}`` over ``G`` (capacity above 0).

    >>> G = nx.Graph()
    >>> G.add_node("p", kind="organization", offers={"health": 1.0, "youth": 0.0})
    >>> offered_categories(G)
    {'health': {'p'}}
    """
    providers: dict[str, set[str]] = defaultdict(set)
    for node, offers in G.nodes(data="offers"):
        if is_partner(G, node):
            for cat, capacity in (offers or {}).items():
                if capacity > 0:
                    providers[cat].add(node)
    return dict(providers)


def community_deserts(G: nx.Graph, community: str, offered: Iterable[str]) -> list[str]:
    """The categories of ``offered`` (:func:`offered_categories` of ``G``) no partner linked to ``community``
    offers, in the vocabulary's order: its service deserts.

    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community")
    >>> G.add_node("p", kind="organization", offers={"health": 1.0})
    >>> G.add_node("q", kind="enterprise", offers={"youth": 1.0, "health": 2.0})
    >>> G.add_edge("c", "p")
    >>> community_deserts(G, "c", offered_categories(G))
    ['youth']
    """
    here = {
        cat
        for p in G[community]
        if is_partner(G, p)
        for cat, capacity in (G.nodes[p].get("offers") or {}).items()
        if capacity > 0
    }
    wanted = set(offered) - here
    return [c for c in categories() if c in wanted]


def service_deserts(G: nx.Graph) -> list[ServiceDesert]:
    """Every community with a service desert: the categories offered somewhere in ``G`` that no partner linked
    to it offers (a supply-side gap, not a residents' need), communities in id order.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", name="One")
    >>> G.add_node("c2", kind="community")
    >>> G.add_node("p", kind="organization", offers={"health": 1.0, "legal_aid": 1.0})
    >>> G.add_edge("c1", "p")
    >>> [(d.community, [c.category for c in d.categories]) for d in service_deserts(G)]
    [('c2', ['legal_aid', 'health'])]
    """
    check_graph(G)
    offered = offered_categories(G)
    out = []
    for c in sorted((n for n in G if is_community(G, n)), key=str):
        lacking = community_deserts(G, c, offered)
        if lacking:
            data = G.nodes[c]
            refs = [category_ref(cat) for cat in lacking]
            out.append(ServiceDesert(community=c, name=data.get("name"), street=data.get("street"), categories=refs))
    return out


def communities_without_provider(G: nx.Graph) -> list[ProviderGap]:
    """For each category offered in the district, the communities not linked to any partner offering it: the
    service deserts (:func:`service_deserts`) by category.

    This needs no needs table: a directory of providers alone (an HSDS import)
    shows which areas have no provider of a category at all. Categories follow
    the vocabulary's order; those every community is linked to are left out.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community")
    >>> G.add_node("c2", kind="community")
    >>> G.add_node("p", kind="organization", offers={"health": 1.0, "youth": 2.0})
    >>> G.add_node("q", kind="enterprise", offers={"youth": 1.0})
    >>> G.add_edge("c1", "p")
    >>> G.add_edge("c2", "q")
    >>> [(g.category, g.providers, g.communities) for g in communities_without_provider(G)]
    [('health', 1, ['c2'])]
    """
    check_graph(G)
    providers = offered_categories(G)
    members = sorted((n for n in G if is_community(G, n)), key=str)
    out = []
    for cat in (c for c in categories() if c in providers):
        lacking = [c for c in members if not any(p in providers[cat] for p in G[c])]
        if lacking:
            label = category(cat)
            out.append(
                ProviderGap(category=cat, zh=label.zh, en=label.en, providers=len(providers[cat]), communities=lacking)
            )
    return out
