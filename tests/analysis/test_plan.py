from __future__ import annotations

from typing import Literal

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis import Recommender, district_plan
from graphsvc.analysis.core.common import community_degree
from graphsvc.analysis.core.coverage import link_gain
from graphsvc.analysis.core.results import CommunityRecommendations, Recommendation
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.analysis.plan.divergences import plan_divergences, with_divergences
from graphsvc.analysis.recommender.reasons import fmt


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


def test_plan_on_district(sample_district_graph: nx.Graph) -> None:
    plan = district_plan(sample_district_graph)
    assert plan.totals.after > plan.totals.before
    assert len(plan.communities) == 130
    H = sample_district_graph.copy()
    H.add_edges_from((x.community, x.partner) for x in plan.links)
    for p in {x.partner for x in plan.links}:
        cap = sample_district_graph.nodes[p]["capacity"]
        assert cap is None or community_degree(H, p) <= cap


def _two_streets() -> nx.Graph:
    # two streets; a shared partner with capacity 1 that both streets' communities want, and local ones
    G = nx.Graph()
    G.add_node("a1", kind="community", street="A", needs={"health": 2.0, "youth": 1.0})
    G.add_node("a2", kind="community", street="A", needs={"health": 1.0})
    G.add_node("b1", kind="community", street="B", needs={"health": 3.0, "legal_aid": 2.0})
    G.add_node("big", kind="organization", street="A", capacity=1, offers={"health": 4.0, "legal_aid": 2.0})
    G.add_node("local_a", kind="enterprise", street="A", capacity=2, offers={"health": 1.0, "youth": 1.0})
    G.add_node("local_b", kind="enterprise", street="B", offers={"legal_aid": 1.0})
    G.add_node("old", kind="school", street="B", capacity=3, offers={"health": 2.0})
    G.add_edge("old", "b1")
    return G


def test_scalable_plan_equals_exact_plan_on_small_graphs() -> None:
    for G in (_graph(), _two_streets()):
        exact = district_plan(G, method="exact")
        scalable = district_plan(G, method="scalable")
        assert scalable.totals == exact.totals
        assert sorted(x.gain for x in scalable.links) == sorted(x.gain for x in exact.links)
    # where the optimum is unique, the same links (in _graph any two of the three equal communities may take pop)
    assert district_plan(_two_streets(), method="scalable").links == district_plan(_two_streets(), method="exact").links
    plan = district_plan(_two_streets(), method="scalable")
    # big (capacity 1) serves b1 (health and legal aid: 3.0 + ... ) rather than a1; a1 and a2 share local_a
    assert [(x.community, x.partner) for x in plan.links] == [("a1", "local_a"), ("a2", "local_a"), ("b1", "big")]


def test_scalable_gains_are_link_gains(sample_district_graph: nx.Graph) -> None:
    from graphsvc.analysis.core.common import is_community, is_partner
    from graphsvc.analysis.plan.district import _GainTables

    comms = sorted((c for c in sample_district_graph if is_community(sample_district_graph, c)), key=str)
    partners = sorted((p for p in sample_district_graph if is_partner(sample_district_graph, p)), key=str)
    tables = _GainTables(sample_district_graph, comms, partners)
    for c in comms[:25]:
        unlinked = np.array([i for i, p in enumerate(partners) if not sample_district_graph.has_edge(c, p)])
        fast = tables.gains(tables.cidx[c], unlinked)
        slow = [link_gain(sample_district_graph, c, partners[i]) for i in unlinked.tolist()]
        np.testing.assert_allclose(fast, slow, atol=1e-9)


def test_scalable_plan_with_unbounded_reach_reaches_the_exact_optimum(sample_district_graph: nx.Graph) -> None:
    exact = district_plan(sample_district_graph, method="exact")
    scalable = district_plan(sample_district_graph, method="scalable", reach=10_000)
    # the same candidates and the same flow: the same optimal sum of gains (ties may pick other links)
    assert sum(x.gain for x in scalable.links) == pytest.approx(sum(x.gain for x in exact.links), abs=1e-4)
    assert len(scalable.links) == len(exact.links)


def test_plan_and_recommendations_agree_on_what_a_link_is_worth(sample_district_graph: nx.Graph) -> None:

    from graphsvc.analysis import Recommender
    from graphsvc.analysis.linkmodel.model_selection import prior_model
    from graphsvc.analysis.recommender.gain import GainState

    plan = district_plan(sample_district_graph)
    rec = Recommender(sample_district_graph, prior_model(True))
    assert rec.scorer.tables is not None and plan.links
    for link in plan.links[::7]:  # the recommender's gain of the link alone (its fast path) = the plan's
        state = GainState(rec.scorer.tables, rec.scorer.engine.index[link.community])
        gain = state.gains(np.array([rec.scorer.engine.index[link.partner]]))[0]
        assert gain == pytest.approx(link.gain, abs=1e-6)


@pytest.mark.parametrize("method", ["exact", "scalable"])
def test_plan_reports_progress_per_community_then_the_flow(method: Literal["exact", "scalable"]) -> None:
    calls: list[tuple[int, int]] = []
    district_plan(_two_streets(), method=method, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]  # 3 communities scored, then the flow


# -- the plan explains itself ----------------------------------------------------------------------------------------


def _contest() -> nx.Graph:
    """``big`` (room for one) closes 3 at c1 and 4 at c2; ``small`` (room for one) closes 2 at either.

    Plan: c2 takes big (4), c1 takes small (2): 6 in all, against 3 + 2 = 5 the other way round.
    """
    G = nx.Graph()
    G.add_node("c1", kind="community", name="东村", street="S", needs={"health": 3.0})
    G.add_node("c2", kind="community", name="西村", street="S", needs={"health": 4.0})
    G.add_node("big", kind="organization", name="大中心", street="S", capacity=1, offers={"health": 4.0})
    G.add_node("small", kind="organization", name="小站", street="S", capacity=1, offers={"health": 2.0})
    return G


def _top(community: str, partner: str, gain: float, probability: float) -> CommunityRecommendations:
    """A list whose #1 is ``partner`` (what plan_divergences reads of a list)."""
    first = Recommendation(
        partner=partner, kind="organization", score=gain * probability, gain=gain, probability=probability, reasons=[]
    )
    return CommunityRecommendations(community=community, recommendations=[first])


def test_planned_links_carry_names_and_the_lists_gap_reasons() -> None:
    G = _contest()
    plan = district_plan(G)
    by_community = {x.community: x for x in plan.links}
    assert {c: x.partner for c, x in by_community.items()} == {"c1": "small", "c2": "big"}
    c1 = by_community["c1"]
    assert (c1.community_name, c1.name) == ("东村", "小站")
    assert [(r.code, r.contribution) for r in c1.reasons] == [("gap:health", 2.0)]
    assert c1.reasons[0].text_en == "offers health management: would cover 2 of this community's 3 uncovered"
    assert plan.communities[0].name == "东村"
    # the sentences are those of the list ranked by need closed alone (gap mode), term for term: with big at
    # capacity (as the plan leaves it), small is c1's #1
    H = G.copy()
    H.add_edge("big", "c2")
    [listed] = Recommender(H, prior_model(True)).recommend("c1", k=2, rank="gap").recommendations
    assert [(r.code, r.text_en) for r in listed.reasons] == [(r.code, r.text_en) for r in c1.reasons]


def test_the_divergence_names_the_partner_sent_where_it_closes_more() -> None:
    G = _contest()
    plan = district_plan(G)
    lists = Recommender(G, prior_model(True)).recommend_all(k=1)
    assert str(lists["c1"].recommendations[0].partner) == "big"  # the list wants big for c1 too
    [why] = plan_divergences(G, plan, lists.values())  # c2's #1 is big, planned for it: no divergence
    gain = {(x.community, x.partner): x.gain for x in plan.links}
    assert (why.community, why.code, why.top, why.planned) == ("c1", "planned_elsewhere", "big", "small")
    assert [p.community for p in why.planned_for] == ["c2"]
    assert (why.gain_here, why.gain_there, why.gain_planned) == (3.0, 4.0, 2.0)
    assert why.gain_there == gain["c2", "big"] and why.gain_planned == gain["c1", "small"]
    assert why.gain_here == pytest.approx(lists["c1"].recommendations[0].gain, abs=1e-6)  # the list's own figure
    assert why.text_en == "big (大中心) is planned for c2 (西村), where it closes 4; here it would close 3"
    assert why.text_zh == "big (大中心)已安排给c2 (西村)，在那里可补 4；在本社区可补 3"
    assert with_divergences(G, plan, lists.values()).divergences == [why]
    assert plan.divergences == []  # the plan alone needs no link model


def test_a_partner_with_room_left_diverges_by_likelihood() -> None:
    G = _contest()
    G.add_node("far", kind="enterprise", offers={"health": 3.0})  # no capacity set: room for every community
    G.add_node("near", kind="enterprise", offers={"health": 2.0})
    plan = district_plan(G)
    assert {(x.community, x.partner) for x in plan.links} == {("c1", "far"), ("c2", "big")}
    [why] = plan_divergences(G, plan, [_top("c1", "near", 2.0, 0.48)])
    assert (why.code, why.gain_here, why.gain_planned, why.planned, why.planned_for) == (
        "weighs_likelihood",
        2.0,
        3.0,
        "far",
        [],
    )
    assert why.text_en.endswith(
        "the plan weighs need closed alone; the list weighs it by how likely the partnership is (48%)"
    )


def test_a_partner_the_plan_did_not_weigh_is_said_so() -> None:
    G = _contest()
    G.nodes["small"]["offers"] = {"health": 1.5}
    plan = district_plan(G, candidates=1)  # each community weighs only big: c1 is left without a link
    assert [(x.community, x.partner) for x in plan.links] == [("c2", "big")]
    [why] = plan_divergences(G, plan, [_top("c1", "small", 1.5, 0.3)])
    assert (why.code, why.gain_here, why.planned, why.gain_planned) == ("not_weighed", 1.5, None, 0.0)


def test_no_divergence_for_the_planned_partner_or_an_empty_list() -> None:
    G = _contest()
    plan = district_plan(G)
    empty = CommunityRecommendations(community="c1", recommendations=[])
    assert plan_divergences(G, plan, [_top("c2", "big", 4.0, 0.5), empty]) == []


def test_every_planned_link_off_the_lists_first_says_why(sample_district_graph: nx.Graph) -> None:
    G = sample_district_graph
    plan = district_plan(G)
    rec = Recommender.fit(G, seed=0)
    lists = {str(c): recs for c, recs in rec.recommend_all(k=1).items()}
    divergences = {d.community: d for d in plan_divergences(G, plan, lists.values())}
    gain = {(x.community, x.partner): x.gain for x in plan.links}
    off = [x for x in plan.links if lists[x.community].recommendations[0].partner != x.partner]
    assert off and {x.community for x in off} == set(divergences)
    for x in off:
        why, top = divergences[x.community], lists[x.community].recommendations[0]
        assert why.top == top.partner and why.planned == x.partner and why.gain_planned == x.gain
        assert why.gain_here == pytest.approx(top.gain, abs=1e-5)  # one gain: the plan's kernel, the list's figure
        assert why.probability == top.probability
        assert why.code != "no_room"  # the plan and the list agree on who has room
        for place in why.planned_for:
            assert place.gain == gain[place.community, why.top]
        if why.code == "planned_elsewhere":
            assert why.gain_there == min(p.gain for p in why.planned_for)
            assert f"closes {fmt(why.gain_there)}" in why.text_en and f"close {fmt(why.gain_here)}" in why.text_en
        else:
            assert why.code == "weighs_likelihood" and why.gain_planned >= why.gain_here
            assert f"({why.probability:.0%})" in why.text_en


def test_reasons_add_up_to_the_gain(sample_district_graph: nx.Graph) -> None:
    plan = district_plan(sample_district_graph)
    for x in [*plan.links, *plan.naive_links]:
        assert x.reasons and x.name is not None and x.community_name is not None
        assert sum(r.contribution for r in x.reasons) == pytest.approx(x.gain, abs=1e-5)
        assert x.reasons[0].code.startswith("gap:") and all(r.code != "other" for r in x.reasons)


def test_the_plan_and_the_list_read_one_statement_of_capacity(sample_district_graph: nx.Graph) -> None:
    from graphsvc.analysis.core.common import headroom, is_partner
    from graphsvc.analysis.linkmodel.signals import SignalEngine

    G = sample_district_graph
    engine = SignalEngine(G)
    for p in (n for n in G if is_partner(G, n)):
        room = headroom(G, p)
        assert engine.headroom[engine.index[p]] == (-1 if room is None else room)
