from __future__ import annotations

import networkx as nx

from graphsvc.analysis import district_plan, link_gain
from graphsvc.analysis.common import community_degree


def _graph() -> nx.Graph:
    # one popular partner (capacity 2, serving nobody yet) and one small one; three communities need health
    G = nx.Graph()
    for c in ("c1", "c2", "c3"):
        G.add_node(c, kind="community", needs={"health": 2.0})
    G.add_node("pop", kind="organization", capacity=2, offers={"health": 6.0})
    G.add_node("small", kind="enterprise", capacity=1, offers={"health": 1.0})
    return G


def test_gain_counts_what_others_lose() -> None:
    G = _graph()
    assert link_gain(G, "c1", "pop") == 2.0
    G.add_edge("pop", "c1")
    G.add_edge("pop", "c2")
    # pop's 6 units now serve 2 + 2; a third community gets 6*2/6 = 2 and nobody loses (all capped at 2)
    assert link_gain(G, "c3", "pop") == 2.0


def test_plan_respects_capacity_and_beats_naive() -> None:
    G = _graph()
    plan = district_plan(G)
    assert sorted((x.community, x.partner) for x in plan.links) == [("c1", "pop"), ("c2", "pop"), ("c3", "small")]
    assert (plan.totals.before, plan.totals.after) == (0.0, 5.0)
    # naive: everyone picks pop (gain 2 > 1): 3 communities on a capacity of 2, 6 units over 3 = all covered,
    # but pop is overloaded
    assert plan.totals.naive_overloaded == ["pop"]
    assert plan.totals.naive == 6.0
    H = G.copy()
    H.add_edges_from((x.community, x.partner) for x in plan.links)
    assert community_degree(H, "pop") <= 2 and community_degree(H, "small") <= 1
    assert G.number_of_edges() == 0  # the caller's graph is untouched


def test_partner_at_capacity_gets_nothing() -> None:
    G = _graph()
    G.add_node("c0", kind="community", needs={})
    G.add_edge("small", "c0")  # small is now at capacity 1
    plan = district_plan(G)
    assert "small" not in {x.partner for x in plan.links}


def test_plan_on_district(district: nx.Graph) -> None:
    plan = district_plan(district)
    assert plan.totals.after > plan.totals.before
    assert len(plan.communities) == 130
    H = district.copy()
    H.add_edges_from((x.community, x.partner) for x in plan.links)
    for p in {x.partner for x in plan.links}:
        cap = district.nodes[p]["capacity"]
        assert cap is None or community_degree(H, p) <= cap
