"""A district plan as tables, and the what-if graph with its links added."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import pandas as pd

from graphsvc.analysis.plan.answers import DistrictPlan, PlannedLink
from graphsvc.analysis.plan.district import apply_links
from graphsvc.research.graphs import node_attribute

__all__ = ["apply_plan", "coverage_frame", "divergences_frame", "plan_frame", "plan_summary_frame"]


def plan_frame(plan: DistrictPlan, G: nx.Graph | None = None, *, naive: bool = False) -> pd.DataFrame:
    """One row per planned link (``naive=True``: the naive per-community top-1 links instead), with the names the
    plan carries (or ``G``'s), the street if ``G``, and the link's reasons: the code of the first (``top_reason``)
    and all of them joined into one zh and one en sentence, as in ``recommendations_frame``.

    Examples
    --------
    >>> from graphsvc.analysis import district_plan
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
    >>> G.add_node("p", kind="organization", name="服务社", capacity=1, offers={"health": 2.0})
    >>> df = plan_frame(district_plan(G), G)
    >>> df.drop(columns=["reasons_zh", "reasons_en"]).values.tolist()
    [['c1', None, 'S', 'p', '服务社', 'organization', 2.0, 'gap:health']]
    >>> df.loc[0, "reasons_en"]
    "offers health management: would cover 2 of this community's 2 uncovered"
    """
    links = plan.naive_links if naive else plan.links
    rows = [
        {
            "community": link.community,
            "community_name": link.community_name or node_attribute(G, link.community, "name"),
            "street": node_attribute(G, link.community, "street"),
            "partner": link.partner,
            "partner_name": link.name or node_attribute(G, link.partner, "name"),
            "kind": link.kind,
            "gain": link.gain,
            "top_reason": link.reasons[0].code if link.reasons else None,
            "reasons_zh": "；".join(x.text_zh for x in link.reasons),
            "reasons_en": "; ".join(x.text_en for x in link.reasons),
        }
        for link in links
    ]
    columns = [
        "community",
        "community_name",
        "street",
        "partner",
        "partner_name",
        "kind",
        "gain",
        "top_reason",
        "reasons_zh",
        "reasons_en",
    ]
    return pd.DataFrame(rows, columns=columns)


def divergences_frame(plan: DistrictPlan) -> pd.DataFrame:
    """One row per community whose planned partner is not its list's #1, and why (the plan's ``divergences``:
    fill them with :func:`graphsvc.analysis.plan.district.with_divergences`), with the numbers behind the sentence.

    ``planned_for`` joins the communities the plan gives the list's #1 to instead (least gain first).

    Examples
    --------
    >>> from graphsvc.analysis import district_plan
    >>> from graphsvc.analysis.plan.divergences import with_divergences
    >>> from graphsvc.analysis.core.results import CommunityRecommendations, Recommendation
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", needs={"health": 3.0})
    >>> G.add_node("c2", kind="community", needs={"health": 4.0})
    >>> G.add_node("big", kind="organization", capacity=1, offers={"health": 4.0})
    >>> G.add_node("small", kind="organization", capacity=1, offers={"health": 2.0})
    >>> top = Recommendation(partner="big", kind="organization", score=2.4, gain=3.0, probability=0.8, reasons=[])
    >>> plan = with_divergences(G, district_plan(G), [CommunityRecommendations(community="c1", recommendations=[top])])
    >>> df = divergences_frame(plan)
    >>> numbers = ["community", "code", "top", "gain_here", "planned", "gain_planned", "planned_for", "gain_there"]
    >>> df[numbers].values.tolist()
    [['c1', 'planned_elsewhere', 'big', 3.0, 'small', 2.0, 'c2', 4.0]]
    """
    rows = [
        {
            **d.model_dump(exclude={"planned_for"}),
            "planned_for": ", ".join(place.community for place in d.planned_for),
        }
        for d in plan.divergences
    ]
    columns = [
        "community",
        "community_name",
        "code",
        "top",
        "top_name",
        "gain_here",
        "probability",
        "planned",
        "planned_name",
        "gain_planned",
        "planned_for",
        "gain_there",
        "text_zh",
        "text_en",
    ]
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
        street = node_attribute(G, c.community, "street")
        rows.append({**c.model_dump(), "street": street, "gain": round(c.after - c.before, 6)})
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
