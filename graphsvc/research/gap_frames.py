"""The gap analysis as tables: per community x category, per community, per role, per street, per category.

Every frame takes ``policy=``, the policy profile (``"hub"``, ``"generic"``; ``None``: the graph's default,
:mod:`graphsvc.analysis.core.policy`), and names the one used in ``frame.attrs["profile"]``. A community (or
street) with no need recorded has ``needs_recorded`` False and a NaN ``coverage``, never 1.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from graphsvc.analysis.core.policy import offered_categories, policy_checks, resolve_profile, service_deserts
from graphsvc.analysis.gaps.answers import CommunityGaps
from graphsvc.analysis.gaps.find import all_community_gaps, community_gaps, district_gaps, street_gaps
from graphsvc.research.display import street_en
from graphsvc.vocabulary import PARTNER_ROLES

__all__ = [
    "categories_frame",
    "communities_frame",
    "five_society_frame",
    "gaps_frame",
    "policy_frame",
    "service_deserts_frame",
    "streets_frame",
]


def _gaps(G: nx.Graph, street: str | None, community: str | None, policy: str | None) -> list[CommunityGaps]:
    if community is not None:
        return [community_gaps(G, community, policy=policy)]
    if street is not None:
        return street_gaps(G, street, policy=policy).communities
    return all_community_gaps(G, policy=policy)


def _named_profile(df: pd.DataFrame, G: nx.Graph, policy: str | None) -> pd.DataFrame:
    df.attrs["profile"] = resolve_profile(G, policy).code
    return df


def _status(covered: float, uncovered: float) -> str:
    if uncovered <= 1e-9:
        return "covered"
    return "uncovered" if covered <= 1e-9 else "partial"


def _roles_missing(g: CommunityGaps) -> dict[str, str]:
    return {
        "roles_missing_zh": "、".join(r.zh for r in g.roles_missing),
        "roles_missing_en": ", ".join(r.en for r in g.roles_missing),
    }


def gaps_frame(
    G: nx.Graph, *, street: str | None = None, community: str | None = None, policy: str | None = None
) -> pd.DataFrame:
    """One row per community x needed category: need, covered, uncovered, status and the partners covering it.

    ``status`` is ``covered``, ``partial`` or ``uncovered``. Rows come from
    :func:`graphsvc.analysis.community_gaps` (largest gap first within a community), for one
    ``community``, the communities of one ``street``, or every community.

    Raises
    ------
    graphsvc.errors.NotFound
        For a street with no community, or an id that is not a community.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S", needs={"health": 2.0, "youth": 1.0})
    >>> G.add_node("e", kind="enterprise", offers={"health": 1.0})
    >>> G.add_edge("c", "e")
    >>> gaps_frame(G)[["category", "category_en", "need", "covered", "status", "partners"]].values.tolist()
    [['health', 'health management', 2.0, 1.0, 'partial', 'e'], ['youth', 'youth services', 1.0, 0.0, 'uncovered', '']]
    """
    rows = []
    for g in _gaps(G, street, community, policy):
        for c in g.categories:
            rows.append(
                {
                    "community": g.community,
                    "name": g.name,
                    "street": g.street,
                    "category": c.category,
                    "category_zh": c.zh,
                    "category_en": c.en,
                    "need": c.need,
                    "covered": c.covered,
                    "uncovered": c.uncovered,
                    "status": _status(c.covered, c.uncovered),
                    "partners": ", ".join(c.partners),
                    "single_partner": c.single_partner,
                }
            )
    columns = [
        "community",
        "name",
        "street",
        "category",
        "category_zh",
        "category_en",
        "need",
        "covered",
        "uncovered",
        "status",
        "partners",
        "single_partner",
    ]
    return _named_profile(pd.DataFrame(rows, columns=columns), G, policy)


def communities_frame(G: nx.Graph, *, street: str | None = None, policy: str | None = None) -> pd.DataFrame:
    """One row per community (of ``street`` if given): need, coverage, roles missing, hub reach, fragility.

    ``needs_recorded`` is False, and ``coverage`` NaN, for a community with no need; ``roles_missing``,
    ``reached_by_hub`` and ``university_link`` follow the policy profile (None where it checks nothing).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("e", kind="enterprise", offers={"health": 1.0})
    >>> G.add_edge("c", "e")
    >>> row = communities_frame(G).iloc[0]
    >>> float(row["coverage"]), int(row["roles_missing"]), row["critical_partner"], bool(row["reached_by_hub"])
    (0.5, 3, 'e', False)
    >>> G.add_node("d", kind="community", street="S")
    >>> d = communities_frame(G, policy="generic").iloc[1]
    >>> bool(d["needs_recorded"]), float(d["coverage"]), d["reached_by_hub"]
    (False, nan, None)
    """
    rows = []
    for g in _gaps(G, street, None, policy):
        rows.append(
            {
                "community": g.community,
                "name": g.name,
                "street": g.street,
                "needs_recorded": g.needs_recorded,
                "need": g.need,
                "covered": g.covered,
                "uncovered": g.uncovered,
                "coverage": float("nan") if g.coverage is None else g.coverage,
                "partners": len(g.partners),
                "roles_missing": len(g.roles_missing),
                **_roles_missing(g),
                "uncovered_categories": ", ".join(g.uncovered_categories),
                "single_partner_needs": len(g.single_partner_needs),
                "critical_partner": g.critical_partners[0].partner if g.critical_partners else None,
                "reached_by_hub": g.reached_by_hub,
                "university_link": g.university_link,
            }
        )
    columns = [
        "community",
        "name",
        "street",
        "needs_recorded",
        "need",
        "covered",
        "uncovered",
        "coverage",
        "partners",
        "roles_missing",
        "roles_missing_zh",
        "roles_missing_en",
        "uncovered_categories",
        "single_partner_needs",
        "critical_partner",
        "reached_by_hub",
        "university_link",
    ]
    return _named_profile(pd.DataFrame(rows, columns=columns), G, policy)


def five_society_frame(G: nx.Graph, *, street: str | None = None, policy: str | None = None) -> pd.DataFrame:
    """One row per community, one boolean column per five-society partner role (五社联动), and how many it has.

    Role columns are the role codes (``social_organization``, ``social_worker``, ``university_society``,
    ``social_forces``); their zh/en labels are in ``frame.attrs["labels"]``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> G.add_node("u", kind="school", subtype="student_society")
    >>> G.add_edge("c", "u")
    >>> df = five_society_frame(G)
    >>> df[["social_organization", "university_society", "roles_present"]].values.tolist()
    [[False, True, 1]]
    >>> df.attrs["labels"]["university_society"]
    '高校社团（辅助） university society (support)'
    """
    roles = [r.value for r in PARTNER_ROLES]
    rows = []
    for g in _gaps(G, street, None, policy):
        present = {r.role for r in g.roles_present}
        row: dict[str, Any] = {"community": g.community, "name": g.name, "street": g.street}
        row.update({role: role in present for role in roles})
        row["roles_present"] = len(present)
        row.update(_roles_missing(g))
        rows.append(row)
    columns = ["community", "name", "street", *roles, "roles_present", "roles_missing_zh", "roles_missing_en"]
    df = pd.DataFrame(rows, columns=columns)
    df.attrs["labels"] = {r.value: f"{r.zh} {r.en}" for r in PARTNER_ROLES}
    return _named_profile(df, G, policy)


def streets_frame(G: nx.Graph, *, policy: str | None = None) -> pd.DataFrame:
    """One row per street (:func:`graphsvc.analysis.district_gaps`): coverage, hub reach, university links.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="拱北", needs={"health": 2.0})
    >>> G.add_node("c2", kind="community", street="吉大", needs={"health": 1.0})
    >>> G.add_node("e", kind="enterprise", offers={"health": 1.0})
    >>> G.add_edge("c2", "e")
    >>> streets_frame(G)[["street", "street_en", "communities", "coverage"]].values.tolist()
    [['吉大', 'Jida', 1, 1.0], ['拱北', 'Gongbei', 1, 0.0]]
    """
    rows = [
        {
            **s.model_dump(),
            "coverage": float("nan") if s.coverage is None else s.coverage,
            "street_en": street_en(s.street),
        }
        for s in district_gaps(G, policy=policy).streets
    ]
    columns = [
        "street",
        "street_en",
        "communities",
        "needs_recorded",
        "need",
        "covered",
        "uncovered",
        "coverage",
        "not_reached",
        "without_university",
        "service_organization",
    ]
    return _named_profile(pd.DataFrame(rows, columns=columns), G, policy)


def categories_frame(G: nx.Graph, *, street: str | None = None, policy: str | None = None) -> pd.DataFrame:
    """Need, covered and uncovered per category over the district (or one street), largest gap first.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S", needs={"health": 2.0, "youth": 3.0})
    >>> categories_frame(G)[["category", "category_zh", "uncovered", "communities_uncovered"]].values.tolist()
    [['youth', '青少年服务', 3.0, 1], ['health', '健康管理', 2.0, 1]]
    """
    totals = (
        street_gaps(G, street, policy=policy).categories
        if street is not None
        else district_gaps(G, policy=policy).categories
    )
    rows = [
        {
            "category": t.category,
            "category_zh": t.zh,
            "category_en": t.en,
            "need": t.need,
            "covered": t.covered,
            "uncovered": t.uncovered,
            "communities_uncovered": t.communities_uncovered,
        }
        for t in totals
    ]
    columns = ["category", "category_zh", "category_en", "need", "covered", "uncovered", "communities_uncovered"]
    return _named_profile(pd.DataFrame(rows, columns=columns), G, policy)


def policy_frame(G: nx.Graph, *, policy: str | None = None) -> pd.DataFrame:
    """The targets of the policy profile, one row each: passed, how many fail it, and who (no rows under
    ``generic``, which checks none).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> policy_frame(G)[["code", "passed", "failing"]].values.tolist()
    [['street_service_organization', False, 1], ['community_university_link', False, 1]]
    >>> len(policy_frame(G, policy="generic")), policy_frame(G, policy="generic").attrs["profile"]
    (0, 'generic')
    """
    rows = [
        {"code": c.code, "zh": c.zh, "en": c.en, "passed": c.passed, "failing": len(c.failing), "who": c.failing}
        for c in policy_checks(G, policy=policy).checks
    ]
    return _named_profile(pd.DataFrame(rows, columns=["code", "zh", "en", "passed", "failing", "who"]), G, policy)


def service_deserts_frame(G: nx.Graph) -> pd.DataFrame:
    """One row per community x category offered in the district that no partner linked to the community offers:
    the service deserts, a supply-side gap (not a need residents stated), computed without any needs table.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S")
    >>> G.add_node("c2", kind="community", street="S")
    >>> G.add_node("p", kind="organization", offers={"legal_aid": 1.0})
    >>> G.add_edge("c1", "p")
    >>> service_deserts_frame(G)[["community", "category", "category_en", "providers"]].values.tolist()
    [['c2', 'legal_aid', 'legal aid', 1]]
    """
    providers = offered_categories(G)
    rows = [
        {
            "community": d.community,
            "name": d.name,
            "street": d.street,
            "category": c.category,
            "category_zh": c.zh,
            "category_en": c.en,
            "providers": len(providers.get(c.category, ())),
        }
        for d in service_deserts(G)
        for c in d.categories
    ]
    columns = ["community", "name", "street", "category", "category_zh", "category_en", "providers"]
    return pd.DataFrame(rows, columns=columns)
