"""District-wide checks: the case's policy targets, communities no provider reaches, and the street facts.

:func:`street_facts` finds, once per graph, each street's hub, its communities and whether an organization
delivers a service there; :mod:`graphsvc.analysis.gaps` and :func:`policy_checks` share them.

Policy targets (docs/domain.md)
-------------------------------
* ``street_service_organization``: every street has at least one organization
  linked to one of its communities by a ``service`` link (government-purchased
  services are delivered as service links).
* ``community_university_link``: every community is linked to at least one
  school (a university or a student society).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from graphsvc.analysis.common import Result, check_graph, is_community, is_partner, street_hubs
from graphsvc.vocabulary import EntityKind, categories, category

__all__ = [
    "PolicyCheck",
    "PolicyReport",
    "ProviderGap",
    "StreetFacts",
    "communities_by_street",
    "communities_without_provider",
    "policy_checks",
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
    """The policy targets of docs/domain.md, checked over the whole district."""

    passed: bool
    checks: list[PolicyCheck]


class ProviderGap(Result):
    """A category some partner of the district offers, and the communities no linked partner offers it to."""

    category: str
    zh: str
    en: str
    providers: int
    communities: list[str]


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


def policy_checks(G: nx.Graph, *, facts: StreetFacts | None = None) -> PolicyReport:
    """Check the district against the policy targets of docs/domain.md (``facts``: :func:`street_facts`, if kept).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> G.add_node("o", kind="organization", subtype="social_organization")
    >>> G.add_node("u", kind="school", subtype="student_society")
    >>> G.add_edge("c", "o", kinds=("service",))
    >>> [(c.code, c.passed, c.failing) for c in policy_checks(G).checks]
    [('street_service_organization', True, []), ('community_university_link', False, ['c'])]
    """
    check_graph(G)
    facts = street_facts(G) if facts is None else facts
    by_street, served = facts.communities, facts.served
    no_service = sorted(s for s in by_street if s not in served)
    no_school = sorted(
        str(c)
        for c in G
        if is_community(G, c) and not any(G.nodes[p].get("kind") == EntityKind.SCHOOL.value for p in G[c])
    )
    checks = [
        PolicyCheck(
            code="street_service_organization",
            zh="每个街道至少有一家社会组织提供服务",
            en="every street has at least one social organization delivering services",
            passed=not no_service,
            failing=no_service,
        ),
        PolicyCheck(
            code="community_university_link",
            zh="每个社区至少有一个高校或高校社团合作",
            en="every community works with at least one university or student society",
            passed=not no_school,
            failing=no_school,
        ),
    ]
    return PolicyReport(passed=all(c.passed for c in checks), checks=checks)


def communities_without_provider(G: nx.Graph) -> list[ProviderGap]:
    """For each category offered in the district, the communities not linked to any partner offering it.

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
    providers: dict[str, set[str]] = defaultdict(set)
    for node, offers in G.nodes(data="offers"):
        if is_partner(G, node):
            for cat, capacity in (offers or {}).items():
                if capacity > 0:
                    providers[cat].add(node)
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
