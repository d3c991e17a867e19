"""graphsvc for researchers: the district as NetworkX graphs and pandas tables, pages inline in Jupyter.

Everything here is a thin change of shape over the analyses the CLI and the API
call (:mod:`graphsvc.analysis`, :mod:`graphsvc.viz`): a frame function runs the
same analysis function, or takes its result, and lays it out one row per thing.
There is no second implementation of any analysis.

Getting a graph
    :func:`sample_graph` (the synthetic district, no store needed),
    :func:`snapshot` (a store, by URI or object, as ``graphsvc`` commands open it).
Tables (``pandas.DataFrame``)
    :func:`entities_frame`, :func:`links_frame`, :func:`centrality_frame` -- the graph itself;
    :func:`gaps_frame` (community x category), :func:`communities_frame`, :func:`streets_frame`,
    :func:`categories_frame`, :func:`five_society_frame`, :func:`policy_frame` -- the gap analysis;
    :func:`recommendations_frame`, :func:`reasons_frame` -- partner recommendations with reasons;
    :func:`plan_frame`, :func:`coverage_frame`, :func:`plan_summary_frame` -- a district plan;
    :func:`evaluation_frame`, :func:`hits_at_k_frame` -- the recommender against the baselines;
    :func:`bilingual` -- zh/en column headers for a report.
What-if and pictures
    :func:`apply_plan` (the graph with a plan's links added), :func:`show_overview`,
    :func:`show_community` (pages inline), :func:`use_cjk_font` (matplotlib).

>>> G = sample_graph(communities=13, seed=1)
>>> gaps = gaps_frame(G)
>>> gaps.columns[:4].tolist()
['community', 'name', 'street', 'category']
>>> bool((gaps["covered"] + gaps["uncovered"] - gaps["need"]).abs().max() < 1e-6)
True
"""

from __future__ import annotations

import importlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import pandas as pd

from graphsvc.analysis.common import check_graph, community_degree
from graphsvc.analysis.evaluate import BASELINES, Evaluation
from graphsvc.analysis.gaps import (
    CommunityGaps,
    all_community_gaps,
    community_gaps,
    district_gaps,
    policy_checks,
    street_gaps,
)
from graphsvc.analysis.plan import DistrictPlan, PlannedLink, apply_links
from graphsvc.analysis.recommend import CommunityRecommendations, Recommender, recommend
from graphsvc.errors import NotFound
from graphsvc.graph import build_graph
from graphsvc.graph import communities as community_ids
from graphsvc.sample import STREETS, generate_district
from graphsvc.store import GraphStore, open_store
from graphsvc.vocabulary import PARTNER_ROLES, EntityKind

__all__ = [
    "CJK_FONTS",
    "COLUMN_LABELS",
    "apply_plan",
    "bilingual",
    "categories_frame",
    "centrality_frame",
    "communities_frame",
    "coverage_frame",
    "entities_frame",
    "evaluation_frame",
    "five_society_frame",
    "gaps_frame",
    "hits_at_k_frame",
    "links_frame",
    "plan_frame",
    "plan_summary_frame",
    "policy_frame",
    "reasons_frame",
    "recommendations_frame",
    "sample_graph",
    "show_community",
    "show_overview",
    "snapshot",
    "street_en",
    "streets_frame",
    "use_cjk_font",
]

COLUMN_LABELS: dict[str, str] = {
    "id": "编号 id",
    "community": "社区 community",
    "community_name": "社区名称 community name",
    "name": "名称 name",
    "street": "街道 street",
    "street_en": "街道(英文) street (en)",
    "kind": "类型 kind",
    "category": "类别 category",
    "category_zh": "类别 category (zh)",
    "category_en": "category (en)",
    "need": "需求 need",
    "covered": "已覆盖 covered",
    "uncovered": "未覆盖 uncovered",
    "coverage": "覆盖率 coverage",
    "status": "状态 status",
    "partners": "合作方 partners",
    "partner": "合作方 partner",
    "partner_name": "合作方名称 partner name",
    "single_partner": "单一合作方 single partner",
    "rank": "排名 rank",
    "score": "得分 score",
    "reasons_zh": "推荐理由 reasons (zh)",
    "reasons_en": "reasons (en)",
    "gain": "新增覆盖 gain",
    "before": "之前 before",
    "after": "之后 after",
    "naive": "朴素方案 naive",
    "roles_missing_zh": "缺少的角色 roles missing (zh)",
    "roles_missing_en": "roles missing (en)",
    "communities": "社区数 communities",
    "communities_uncovered": "未覆盖社区数 communities short",
}
"""Bilingual headers :func:`bilingual` puts on frame columns (other columns keep their names)."""

_STREET_EN = {zh: en for zh, en, _, _ in STREETS}


# -- getting a graph ---------------------------------------------------------------------------------------------


def sample_graph(*, communities: int = 130, seed: int = 0) -> nx.Graph:
    """The synthetic sample district as a snapshot graph, without any store.

    Parameters
    ----------
    communities : int
        Size of the district (130 is the Xiangzhou case's figure; every other figure scales with it).
    seed : int
        The same seed gives the same district.

    Examples
    --------
    >>> G = sample_graph(communities=13, seed=1)
    >>> sum(kind == "community" for _, kind in G.nodes(data="kind"))
    13
    """
    return build_graph(generate_district(communities=communities, seed=seed))


def snapshot(store: GraphStore | str | None = None) -> nx.Graph:
    """The snapshot graph of a store: a :class:`~graphsvc.store.GraphStore`, a store URI, or ``None``.

    ``None`` opens what ``graphsvc`` commands open: ``GRAPHSVC_STORE`` if set, else the embedded SQLite
    file in the user data directory. A store given by URI is closed again; a store object is left open.

    Examples
    --------
    >>> import tempfile, os
    >>> from graphsvc.sample import generate_district
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with open_store(f"sqlite://{os.path.join(tmp, 'g.db')}") as s:
    ...         s.upsert(generate_district(communities=13, seed=1))
    ...     G = snapshot(f"sqlite://{os.path.join(tmp, 'g.db')}")
    >>> G.number_of_nodes() > 13
    True
    """
    if isinstance(store, GraphStore):
        return store.snapshot()
    with open_store(store) as opened:
        return opened.snapshot()


# -- the graph itself --------------------------------------------------------------------------------------------


def entities_frame(G: nx.Graph) -> pd.DataFrame:
    """One row per node: id, kind, subtype, names, street, capacity, degree, total need and offer.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", name="社区", street="S", needs={"health": 2.0, "youth": 1.0})
    >>> G.add_node("e", kind="enterprise", name="企业", capacity=2, offers={"funding": 5.0})
    >>> G.add_edge("c", "e")
    >>> df = entities_frame(G)
    >>> df[["id", "kind", "degree", "need", "offer"]].values.tolist()
    [['c', 'community', 1, 3.0, 0.0], ['e', 'enterprise', 1, 0.0, 5.0]]
    """
    rows = []
    for node, data in G.nodes(data=True):
        rows.append(
            {
                "id": node,
                "kind": data.get("kind"),
                "subtype": data.get("subtype"),
                "name": data.get("name"),
                "name_en": data.get("name_en"),
                "street": data.get("street"),
                "capacity": data.get("capacity"),
                "degree": G.degree(node),
                "need": float(sum((data.get("needs") or {}).values())),
                "offer": float(sum((data.get("offers") or {}).values())),
            }
        )
    columns = ["id", "kind", "subtype", "name", "name_en", "street", "capacity", "degree", "need", "offer"]
    return pd.DataFrame(rows, columns=columns)


def links_frame(G: nx.Graph) -> pd.DataFrame:
    """One row per edge of the snapshot: both ends and their kinds, link kinds (``;``-joined), weight, since.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community")
    >>> G.add_node("e", kind="enterprise")
    >>> G.add_edge("e", "c", kinds=("funding", "venue"), weight=3.0, since="2021-03-05")
    >>> links_frame(G).values.tolist()
    [['c', 'e', 'community', 'enterprise', 'funding;venue', 3.0, '2021-03-05', '']]
    """
    rows = []
    for u, v, data in G.edges(data=True):
        rows.append(
            {
                "source": u,
                "target": v,
                "source_kind": G.nodes[u].get("kind"),
                "target_kind": G.nodes[v].get("kind"),
                "kinds": ";".join(data.get("kinds") or ()),
                "weight": float(data.get("weight", 1.0)),
                "since": data.get("since"),
                "projects": ";".join(data.get("projects") or ()),
            }
        )
    columns = ["source", "target", "source_kind", "target_kind", "kinds", "weight", "since", "projects"]
    return pd.DataFrame(rows, columns=columns)


def centrality_frame(G: nx.Graph, *, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Degree, communities served, degree centrality, betweenness and PageRank of every node.

    Centralities are NetworkX's, computed on the whole graph; ``kinds`` keeps only nodes of these
    kinds in the table. Rows are sorted by betweenness, highest first.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from(["a", "b"], kind="community")
    >>> G.add_node("hub", kind="organization")
    >>> G.add_edges_from([("hub", "a"), ("hub", "b")])
    >>> df = centrality_frame(G)
    >>> df["id"].tolist(), df["communities"].tolist(), df["betweenness"].tolist()
    (['hub', 'a', 'b'], [2, 0, 0], [1.0, 0.0, 0.0])
    """
    check_graph(G)
    betweenness = nx.betweenness_centrality(G)
    degree_centrality = nx.degree_centrality(G)
    pagerank = nx.pagerank(G) if G.number_of_edges() else {n: 1 / max(1, len(G)) for n in G}
    wanted = None if kinds is None else {EntityKind(k).value for k in kinds}
    rows = []
    for node, data in G.nodes(data=True):
        if wanted is not None and data.get("kind") not in wanted:
            continue
        rows.append(
            {
                "id": node,
                "name": data.get("name"),
                "kind": data.get("kind"),
                "street": data.get("street"),
                "degree": G.degree(node),
                "communities": community_degree(G, node),
                "degree_centrality": degree_centrality[node],
                "betweenness": betweenness[node],
                "pagerank": pagerank[node],
            }
        )
    columns = ["id", "name", "kind", "street", "degree", "communities", "degree_centrality", "betweenness", "pagerank"]
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values(["betweenness", "id"], ascending=[False, True], kind="stable").reset_index(drop=True)


# -- gaps ----------------------------------------------------------------------------------------------------------


def _gaps(G: nx.Graph, street: str | None, community: str | None) -> list[CommunityGaps]:
    if community is not None:
        return [community_gaps(G, community)]
    if street is not None:
        return street_gaps(G, street).communities
    return all_community_gaps(G)


def _status(covered: float, uncovered: float) -> str:
    if uncovered <= 1e-9:
        return "covered"
    return "uncovered" if covered <= 1e-9 else "partial"


def _roles_missing(g: CommunityGaps) -> dict[str, str]:
    return {
        "roles_missing_zh": "、".join(r.zh for r in g.roles_missing),
        "roles_missing_en": ", ".join(r.en for r in g.roles_missing),
    }


def gaps_frame(G: nx.Graph, *, street: str | None = None, community: str | None = None) -> pd.DataFrame:
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
    for g in _gaps(G, street, community):
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
    return pd.DataFrame(rows, columns=columns)


def communities_frame(G: nx.Graph, *, street: str | None = None) -> pd.DataFrame:
    """One row per community (of ``street`` if given): need, coverage, roles missing, hub reach, fragility.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("e", kind="enterprise", offers={"health": 1.0})
    >>> G.add_edge("c", "e")
    >>> row = communities_frame(G).iloc[0]
    >>> float(row["coverage"]), int(row["roles_missing"]), row["critical_partner"], bool(row["reached_by_hub"])
    (0.5, 3, 'e', False)
    """
    rows = []
    for g in _gaps(G, street, None):
        rows.append(
            {
                "community": g.community,
                "name": g.name,
                "street": g.street,
                "need": g.need,
                "covered": g.covered,
                "uncovered": g.uncovered,
                "coverage": g.coverage,
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
    return pd.DataFrame(rows, columns=columns)


def five_society_frame(G: nx.Graph, *, street: str | None = None) -> pd.DataFrame:
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
    for g in _gaps(G, street, None):
        present = {r.role for r in g.roles_present}
        row: dict[str, Any] = {"community": g.community, "name": g.name, "street": g.street}
        row.update({role: role in present for role in roles})
        row["roles_present"] = len(present)
        row.update(_roles_missing(g))
        rows.append(row)
    columns = ["community", "name", "street", *roles, "roles_present", "roles_missing_zh", "roles_missing_en"]
    df = pd.DataFrame(rows, columns=columns)
    df.attrs["labels"] = {r.value: f"{r.zh} {r.en}" for r in PARTNER_ROLES}
    return df


def street_en(street: str | None) -> str | None:
    """The street's name in English where the case names it (``拱北`` -> ``Gongbei``), else the name itself.

    Chart labels in English avoid missing-glyph boxes where no CJK font is installed.

    >>> street_en("拱北"), street_en("拱北2"), street_en("Elm Street")
    ('Gongbei', 'Gongbei 2', 'Elm Street')
    """
    if street is None:
        return None
    if street in _STREET_EN:
        return _STREET_EN[street]
    base, number = street.rstrip("0123456789"), street[len(street.rstrip("0123456789")) :]
    if number and base in _STREET_EN:
        return f"{_STREET_EN[base]} {number}"
    return street


def streets_frame(G: nx.Graph) -> pd.DataFrame:
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
    rows = [{**s.model_dump(), "street_en": street_en(s.street)} for s in district_gaps(G).streets]
    columns = [
        "street",
        "street_en",
        "communities",
        "need",
        "covered",
        "uncovered",
        "coverage",
        "not_reached",
        "without_university",
        "service_organization",
    ]
    return pd.DataFrame(rows, columns=columns)


def categories_frame(G: nx.Graph, *, street: str | None = None) -> pd.DataFrame:
    """Need, covered and uncovered per category over the district (or one street), largest gap first.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S", needs={"health": 2.0, "youth": 3.0})
    >>> categories_frame(G)[["category", "category_zh", "uncovered", "communities_uncovered"]].values.tolist()
    [['youth', '青少年服务', 3.0, 1], ['health', '健康管理', 2.0, 1]]
    """
    totals = street_gaps(G, street).categories if street is not None else district_gaps(G).categories
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
    return pd.DataFrame(rows, columns=columns)


def policy_frame(G: nx.Graph) -> pd.DataFrame:
    """The policy targets of DOMAIN.md, one row each: passed, how many fail it, and who.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> policy_frame(G)[["code", "passed", "failing"]].values.tolist()
    [['street_service_organization', False, 1], ['community_university_link', False, 1]]
    """
    rows = [
        {"code": c.code, "zh": c.zh, "en": c.en, "passed": c.passed, "failing": len(c.failing), "who": c.failing}
        for c in policy_checks(G).checks
    ]
    return pd.DataFrame(rows, columns=["code", "zh", "en", "passed", "failing", "who"])


# -- recommendations ---------------------------------------------------------------------------------------------


def _recommendations(
    G: nx.Graph,
    community: Hashable | None,
    street: str | None,
    k: int,
    kinds: Iterable[str] | None,
    partner_street: str | None,
    min_score: float | None,
    seed: int | None,
    recommender: Recommender | None,
) -> list[CommunityRecommendations]:
    options: dict[str, Any] = {"k": k, "kinds": kinds, "street": partner_street, "min_score": min_score}
    if community is not None:
        if recommender is not None:
            return [recommender.recommend(community, **options)]
        return [recommend(G, community, seed=seed, **options)]
    check_graph(G)
    members: list[str] | None = None
    if street is not None:
        members = [c for c in community_ids(G) if G.nodes[c].get("street") == street]
        if not members:
            raise NotFound(f"no street named {street!r}")
    rec = recommender if recommender is not None else Recommender.fit(G, seed=seed, k=k)
    return list(rec.recommend_all(communities=members, **options).values())


def recommendations_frame(
    G: nx.Graph,
    *,
    community: Hashable | None = None,
    street: str | None = None,
    k: int = 5,
    kinds: Iterable[str] | None = None,
    partner_street: str | None = None,
    min_score: float | None = None,
    seed: int | None = 0,
    recommender: Recommender | None = None,
) -> pd.DataFrame:
    """One row per recommended partner: rank, score and the reasons joined into one zh and one en sentence.

    The recommendations are :func:`graphsvc.analysis.recommend`'s (what ``graphsvc recommend`` prints),
    for one ``community``, every community of ``street``, or every community.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot graph.
    community : node, optional
        One community.
    street : str, optional
        Every community of this street (ignored when ``community`` is given).
    k : int
        Partners per community.
    kinds : iterable of str, optional
        Only partners of these kinds.
    partner_street : str, optional
        Only partners working in this street (``street=`` of :func:`graphsvc.analysis.recommend`).
    min_score : float, optional
        Only candidates scoring at least this.
    seed : int, optional
        Seed of the weighting's inner split (when no ``recommender`` is given).
    recommender : Recommender, optional
        A recommender fitted before on ``G``; reuse one across calls to fit once.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"elderly_care": 3.0})
    >>> G.add_node("o1", kind="organization", subtype="social_organization", street="S", capacity=3,
    ...            offers={"elderly_care": 4.0})
    >>> df = recommendations_frame(G, community="c1", k=3)
    >>> df[["community", "rank", "partner", "top_reason"]].values.tolist()
    [['c1', 1, 'o1', 'gap_fit']]
    >>> df.loc[0, "reasons_en"].split("; ")[0]
    "offers elderly care, this community's largest gap"
    """
    results = _recommendations(G, community, street, k, kinds, partner_street, min_score, seed, recommender)
    rows = []
    for result in results:
        for rank, r in enumerate(result.recommendations, start=1):
            rows.append(
                {
                    "community": result.community,
                    "community_name": _name(G, result.community),
                    "rank": rank,
                    "partner": r.partner,
                    "partner_name": _name(G, r.partner),
                    "kind": r.kind,
                    "score": r.score,
                    "top_reason": r.reasons[0].code if r.reasons else None,
                    "reasons_zh": "；".join(x.text_zh for x in r.reasons),
                    "reasons_en": "; ".join(x.text_en for x in r.reasons),
                }
            )
    columns = [
        "community",
        "community_name",
        "rank",
        "partner",
        "partner_name",
        "kind",
        "score",
        "top_reason",
        "reasons_zh",
        "reasons_en",
    ]
    return pd.DataFrame(rows, columns=columns)


def reasons_frame(
    G: nx.Graph,
    *,
    community: Hashable | None = None,
    street: str | None = None,
    k: int = 5,
    kinds: Iterable[str] | None = None,
    partner_street: str | None = None,
    min_score: float | None = None,
    seed: int | None = 0,
    recommender: Recommender | None = None,
) -> pd.DataFrame:
    """The long form of :func:`recommendations_frame`: one row per reason, with its contribution to the score.

    Takes the same arguments. The reasons are the signals that raise a candidate's score, largest first;
    signals that lower it are not listed, so a recommendation's listed contributions add up to at least
    its score (the difference is what the unlisted signals take away).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"elderly_care": 3.0})
    >>> G.add_node("o1", kind="organization", subtype="social_organization", street="S", capacity=3,
    ...            offers={"elderly_care": 4.0})
    >>> df = reasons_frame(G, community="c1")
    >>> df.columns.tolist()
    ['community', 'rank', 'partner', 'reason', 'contribution', 'text_zh', 'text_en']
    >>> df["reason"].iloc[0]
    'gap_fit'
    """
    results = _recommendations(G, community, street, k, kinds, partner_street, min_score, seed, recommender)
    rows = [
        {
            "community": result.community,
            "rank": rank,
            "partner": r.partner,
            "reason": x.code,
            "contribution": x.contribution,
            "text_zh": x.text_zh,
            "text_en": x.text_en,
        }
        for result in results
        for rank, r in enumerate(result.recommendations, start=1)
        for x in r.reasons
    ]
    return pd.DataFrame(rows, columns=["community", "rank", "partner", "reason", "contribution", "text_zh", "text_en"])


def _name(G: nx.Graph | None, node: Hashable) -> Any:
    return _attribute(G, node, "name")


def _street(G: nx.Graph | None, node: Hashable) -> Any:
    return _attribute(G, node, "street")


def _attribute(G: nx.Graph | None, node: Hashable, key: str) -> Any:
    if G is None or node not in G:
        return None
    return G.nodes[node].get(key)


# -- plans ---------------------------------------------------------------------------------------------------------


def plan_frame(plan: DistrictPlan, G: nx.Graph | None = None, *, naive: bool = False) -> pd.DataFrame:
    """One row per planned link (``naive=True``: the naive per-community top-1 links instead), with names if ``G``.

    Examples
    --------
    >>> from graphsvc.analysis import district_plan
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("p", kind="organization", name="服务社", capacity=1, offers={"health": 2.0})
    >>> plan_frame(district_plan(G), G).values.tolist()
    [['c1', None, 'S', 'p', '服务社', 'organization', 2.0]]
    """
    links = plan.naive_links if naive else plan.links
    rows = [
        {
            "community": link.community,
            "community_name": _name(G, link.community),
            "street": _street(G, link.community),
            "partner": link.partner,
            "partner_name": _name(G, link.partner),
            "kind": link.kind,
            "gain": link.gain,
        }
        for link in links
    ]
    columns = ["community", "community_name", "street", "partner", "partner_name", "kind", "gain"]
    return pd.DataFrame(rows, columns=columns)


def coverage_frame(plan: DistrictPlan, G: nx.Graph | None = None) -> pd.DataFrame:
    """One row per community: need and covered need before the plan, after it, and after the naive choice.

    With ``G`` the community's street is added, so ``frame.groupby("street")`` rolls it up.

    Examples
    --------
    >>> from graphsvc.analysis import district_plan
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("p", kind="organization", capacity=1, offers={"health": 2.0})
    >>> coverage_frame(district_plan(G), G)[["community", "street", "need", "before", "after", "gain"]].values.tolist()
    [['c1', 'S', 2.0, 0.0, 2.0, 2.0]]
    """
    rows = []
    for c in plan.communities:
        rows.append({**c.model_dump(), "street": _street(G, c.community), "gain": round(c.after - c.before, 6)})
    return pd.DataFrame(rows, columns=["community", "street", "need", "before", "after", "naive", "gain"])


def plan_summary_frame(plan: DistrictPlan) -> pd.DataFrame:
    """Three rows -- today, the plan, the naive top-1 choice -- with links added, covered need and coverage.

    The same table ``graphsvc plan`` prints.

    Examples
    --------
    >>> from graphsvc.analysis import district_plan
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", needs={"health": 2.0})
    >>> G.add_node("p", kind="organization", capacity=1, offers={"health": 2.0})
    >>> plan_summary_frame(district_plan(G))[["choice", "links", "covered", "coverage"]].values.tolist()
    [['today', 0, 0.0, 0.0], ['plan', 1, 2.0, 1.0], ['naive top-1', 1, 2.0, 1.0]]
    """
    t = plan.totals

    def share(x: float) -> float:
        return round(x / t.need, 6) if t.need else 1.0

    rows = [
        {"choice": "today", "links": 0, "covered": t.before, "coverage": share(t.before), "over_capacity": 0},
        {"choice": "plan", "links": t.links, "covered": t.after, "coverage": share(t.after), "over_capacity": 0},
        {
            "choice": "naive top-1",
            "links": t.naive_links,
            "covered": t.naive,
            "coverage": share(t.naive),
            "over_capacity": len(t.naive_overloaded),
        },
    ]
    df = pd.DataFrame(rows, columns=["choice", "links", "covered", "coverage", "over_capacity"])
    df.attrs["need"] = t.need
    return df


def apply_plan(G: nx.Graph, plan: DistrictPlan | Sequence[PlannedLink], *, naive: bool = False) -> nx.Graph:
    """A copy of ``G`` with the plan's links added (``G`` is not changed): the what-if graph.

    New edges carry ``planned=True`` and no link kinds (the plan names partners, not the kind of
    partnership); every analysis runs on the copy as on a snapshot.

    Examples
    --------
    >>> from graphsvc.analysis import district_gaps, district_plan
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", needs={"health": 2.0})
    >>> G.add_node("p", kind="organization", capacity=1, offers={"health": 2.0})
    >>> plan = district_plan(G)
    >>> H = apply_plan(G, plan)
    >>> G.number_of_edges(), H.edges["c1", "p"]["planned"], district_gaps(H).covered == plan.totals.after
    (0, True, True)
    """
    if isinstance(plan, DistrictPlan):
        return apply_links(G, plan.naive_links if naive else plan.links)
    return apply_links(G, plan)


# -- evaluation ----------------------------------------------------------------------------------------------------


def evaluation_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per method (graphsvc first, then the baselines): Hits@k, MRR and AUC on the same held-out links.

    Metric columns keep the evaluation's names (``hits@10``, ``mrr``, ``auc``); ``frame.attrs["split"]``
    holds the split's description.

    Examples
    --------
    >>> ev = Evaluation(split={"k": 2}, methods={"graphsvc": {"hits@2": 0.5, "mrr": 0.4, "auc": 0.7},
    ...                                          "random": {"hits@2": 0.1, "mrr": 0.1, "auc": 0.5}})
    >>> df = evaluation_frame(ev)
    >>> df.values.tolist(), df.attrs["split"]
    ([['graphsvc', False, 0.5, 0.4, 0.7], ['random', True, 0.1, 0.1, 0.5]], {'k': 2})
    """
    metrics: list[str] = []
    for scores in evaluation.methods.values():
        metrics += [m for m in scores if m not in metrics]
    rows = [
        {"method": method, "baseline": method in BASELINES, **scores} for method, scores in evaluation.methods.items()
    ]
    df = pd.DataFrame(rows, columns=["method", "baseline", *metrics])
    df.attrs["split"] = dict(evaluation.split)
    return df


def hits_at_k_frame(evaluations: Iterable[Evaluation]) -> pd.DataFrame:
    """Long form over several evaluations (e.g. one per ``k``): one row per method and ``k`` with its Hits@k.

    ``frame.pivot(index="k", columns="method", values="hits")`` gives one line per method to plot.

    Examples
    --------
    >>> evs = [Evaluation(split={"k": k}, methods={"random": {f"hits@{k}": k / 10, "mrr": 0.1}}) for k in (1, 5)]
    >>> hits_at_k_frame(evs).values.tolist()
    [['random', 1, 0.1], ['random', 5, 0.5]]
    """
    rows = []
    for ev in evaluations:
        k = int(ev.split["k"])
        for method, scores in ev.methods.items():
            rows.append({"method": method, "k": k, "hits": scores[f"hits@{k}"]})
    return pd.DataFrame(rows, columns=["method", "k", "hits"])


# -- presentation --------------------------------------------------------------------------------------------------


def bilingual(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with zh/en column headers (:data:`COLUMN_LABELS`, updated by ``labels``), for reports.

    >>> bilingual(pd.DataFrame({"community": ["c1"], "need": [2.0], "other": [1]})).columns.tolist()
    ['社区 community', '需求 need', 'other']
    """
    names = {**COLUMN_LABELS, **(labels or {})}
    return frame.rename(columns={c: names[c] for c in frame.columns if c in names})


def show_overview(G: nx.Graph, *, height: int = 720) -> Any:
    """The district overview page (:func:`graphsvc.viz.render_overview`), inline in a notebook.

    Put it last in a cell; returns an ``IPython.display.HTML`` object.
    """
    from graphsvc.viz import render_overview, show

    return show(render_overview(G), height=height)


def show_community(
    G: nx.Graph,
    community: Hashable,
    *,
    k: int = 5,
    recommender: Recommender | None = None,
    height: int = 720,
) -> Any:
    """One community's page with its gaps and ``k`` suggested partners (:func:`graphsvc.viz.render_community`).

    ``recommender`` reuses a fitted weighting. Raises :class:`~graphsvc.errors.EntityNotFound` for an id
    that is not a community.
    """
    from graphsvc.viz import render_community, show

    model = recommender.model if recommender is not None else None
    return show(render_community(G, community, k=k, model=model), height=height)


CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
"""Fonts :func:`use_cjk_font` looks for, in order."""


def use_cjk_font() -> str | None:
    """Put the first installed CJK font of :data:`CJK_FONTS` first in matplotlib's sans-serif list.

    Returns its name, or ``None`` (nothing changed) if none is installed or matplotlib is missing
    (``pip install -e '.[notebooks]'``).
    """
    try:
        font_manager = importlib.import_module("matplotlib.font_manager")
        mpl = importlib.import_module("matplotlib")
    except ImportError:
        return None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            mpl.rcParams["font.sans-serif"] = [name, *mpl.rcParams["font.sans-serif"]]
            mpl.rcParams["axes.unicode_minus"] = False
            return name
    return None
