from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis import LinkModel, Recommender, UnsupportedGraph, explain_partner, recommend
from graphsvc.analysis.core.common import role_of
from graphsvc.analysis.gaps.find import community_gaps
from graphsvc.analysis.linkmodel.model_selection import RECENT_FITS, prior_model
from graphsvc.analysis.linkmodel.signals import SIGNALS
from graphsvc.analysis.plan.district import district_plan
from graphsvc.analysis.recommender.reference import recommend_reference
from graphsvc.errors import EntityNotFound
from graphsvc.research import sample_graph

from .conftest import node


def only(signal: str) -> LinkModel:
    w = np.zeros(len(SIGNALS))
    w[SIGNALS.index(signal)] = 1.0
    return LinkModel(signal, w, np.zeros(len(SIGNALS)))


def test_partner_at_capacity_is_never_recommended(one_street_graph: nx.Graph) -> None:
    # u is at capacity (1 of 1) although it offers exactly what c1 lacks
    for rank in ("gain", "likelihood", "gap"):
        recs = recommend(one_street_graph, "c1", k=10, model=prior_model(True), rank=rank)
        assert "u" not in [r.partner for r in recs.recommendations]
        ref = recommend_reference(one_street_graph, "c1", prior_model(True), rank=rank)
        assert "u" not in [r.partner for r in ref.recommendations]


def test_candidates_are_unlinked_partners(one_street_graph: nx.Graph) -> None:
    recs = recommend(one_street_graph, "c2", k=10, model=prior_model(True), others=True)
    # c2 is linked to o and u; candidates: h and e (c1 is a community, not a partner); neither offers elderly
    # care, all c2 lacks: the list is empty and says so, and both follow among the others
    assert recs.recommendations == [] and recs.closing == 0
    assert sorted(r.partner for r in recs.others) == ["e", "h"]
    assert recommend(one_street_graph, "c2", k=10, model=prior_model(True)).others == []  # only when asked


def test_likelihood_reasons_explain_the_score(one_street_graph: nx.Graph) -> None:
    recs = recommend(one_street_graph, "c2", k=2, model=prior_model(True), rank="likelihood")
    h = next(r for r in recs.recommendations if r.partner == "h")
    codes = [x.code for x in h.reasons]
    assert "street_hub" in codes and "same_street" in codes
    assert sum(x.contribution for x in h.reasons) == pytest.approx(h.score, abs=1e-5)
    hub = next(x for x in h.reasons if x.code == "street_hub")
    assert hub.text_zh == "本街道的枢纽组织" and hub.text_en == "the hub of this community's street"


def three_partners() -> nx.Graph:
    """c needs health 2 and youth 2; a and b offer health 2 each (a is nearer), y offers youth 1."""
    G = nx.Graph()
    node(G, "c", "community", street="S", needs={"health": 2.0, "youth": 2.0})
    node(G, "a", "organization", subtype="social_organization", street="S", offers={"health": 2.0})
    node(G, "b", "organization", subtype="social_organization", street="S", offers={"health": 2.0})
    node(G, "y", "organization", subtype="social_organization", street="T", offers={"youth": 1.0})
    return G


def test_marginal_gain_does_not_repeat_a_filled_gap() -> None:
    G = three_partners()
    for rank in ("gain", "gap"):
        recs = recommend(G, "c", k=2, model=prior_model(True), rank=rank)
        # a and b fill the same gap: after a, b closes nothing, so y (youth 1) comes second
        assert [r.partner for r in recs.recommendations] == ["a", "y"], rank
        assert [r.gain for r in recs.recommendations] == [2.0, 1.0]
        assert recs.coverage == 0.0 and recs.coverage_if_linked == 0.75
    # likelihood ranks the two health partners of the same street first
    likely = recommend(G, "c", k=2, model=prior_model(True), rank="likelihood")
    assert [r.partner for r in likely.recommendations] == ["a", "b"]
    assert [r.gain for r in likely.recommendations] == [2.0, 0.0]


def test_partner_whose_offer_is_used_up_closes_nothing() -> None:
    G = nx.Graph()
    node(G, "c", "community", needs={"health": 2.0})
    node(G, "d", "community", needs={"health": 2.0})
    node(G, "full", "organization", offers={"health": 2.0})  # d uses all of it
    node(G, "free", "organization", offers={"health": 1.0})
    G.add_edge("full", "d")
    rec = Recommender(G, prior_model(True))
    recs = rec.recommend("c", k=2, rank="gap")
    # c would take 1 of full's 2 and d would lose 1: full closes nothing, so it is not on the list
    assert [(r.partner, r.gain) for r in recs.recommendations] == [("free", 1.0)] and recs.closing == 1
    why = rec.explain("c", "full", k=2, rank="gap")
    assert why.gain == 0.0 and not why.listed and why.other and why.rank == 2


def test_resource_needs_are_closable() -> None:
    G = nx.Graph()
    node(G, "c", "community", needs={"funding": 3.0, "venue": 1.0})
    node(G, "bank", "enterprise", offers={"funding": 5.0})
    node(G, "hall", "organization", offers={"venue": 1.0})
    node(G, "media", "media", offers={"publicity": 4.0})
    recs = recommend(G, "c", k=3, model=prior_model(True))
    assert [(r.partner, r.gain) for r in recs.recommendations][:2] == [("bank", 3.0), ("hall", 1.0)]
    assert recs.recommendations[0].reasons[0].text_en == "offers funding: would cover 3 of this community's 3 uncovered"
    assert recs.coverage_if_linked == 1.0


@pytest.mark.parametrize("rank", ["gain", "likelihood", "gap"])
def test_contributions_sum_to_the_score(rank: str) -> None:
    G = sample_graph()
    rec = Recommender.fit(G, seed=0)
    for community in ["com-00001", "com-00040", "com-00090"]:
        for r in rec.recommend(community, k=10, rank=rank).recommendations:  # type: ignore[arg-type]
            assert sum(x.contribution for x in r.reasons) == pytest.approx(r.score, abs=1e-5)


def test_sample_district_gain_list_fills_gaps() -> None:
    G = sample_graph()
    recs = recommend(G, "com-00001", k=5)
    gaps = community_gaps(G, "com-00001")
    lacking = set(gaps.uncovered_categories)
    missing = {m.role for m in gaps.roles_missing}
    assert len(recs.recommendations) == 5
    for r in recs.recommendations:
        offers = {c for c, x in (G.nodes[r.partner].get("offers") or {}).items() if x > 0}
        assert offers & lacking or role_of(G, r.partner).value in missing
        assert r.gain > 0
        first = r.reasons[0]
        assert first.code.startswith("gap:")
        assert ("uncovered" in first.text_en and "未覆盖" in first.text_zh) or "missing" in first.text_en
    assert recs.coverage_if_linked > recs.coverage


def test_explain_each_kept_out_cause(one_street_graph: nx.Graph) -> None:
    rec = Recommender(one_street_graph, prior_model(True))
    codes = lambda p, **kw: [w.code for w in rec.explain("c1", p, **kw).kept_out]  # noqa: E731
    assert codes("o") == ["already_linked"]
    assert codes("u") == ["at_capacity"]
    G = three_partners()
    node(G, "m", "media", street="S", offers={"publicity": 1.0})
    rec = Recommender(G, prior_model(True))
    why = rec.explain("c", "m", k=2)  # a list of 2 holds a and y; m offers publicity only
    assert [w.code for w in why.kept_out] == ["offers_nothing_lacking"] and why.gain == 0.0
    assert [w.code for w in rec.explain("c", "y", kinds=["enterprise"]).kept_out] == ["filtered_out"]
    filled = rec.explain("c", "b", k=2)  # a (listed) fills the same gap: b follows a and y, among the others
    assert [w.code for w in filled.kept_out] == ["gap_filled_above"] and not filled.listed and filled.rank == 3
    assert filled.other
    below = rec.explain("c", "y", k=1)
    assert [w.code for w in below.kept_out] == ["below_top_k"] and below.rank == 2
    listed = rec.explain("c", "a", k=2)
    assert listed.listed and listed.kept_out == [] and listed.rank == 1
    assert sum(x.contribution for x in listed.reasons) == pytest.approx(listed.score)
    with pytest.raises(EntityNotFound):
        explain_partner(G, "c", "nope", model=prior_model(True))


def test_filters(one_street_graph: nx.Graph) -> None:
    rec = Recommender(one_street_graph, prior_model(True))
    assert [r.partner for r in rec.recommend("c2", kinds=["enterprise"], others=True).others] == ["e"]
    assert [r.partner for r in rec.recommend("c2", street="S", others=True).others] == ["h"]
    scores = {r.partner: r.score for r in rec.recommend("c2", rank="likelihood").recommendations}
    cut = max(scores.values())
    assert [r.partner for r in rec.recommend("c2", min_score=cut, rank="likelihood").recommendations] == [
        max(scores, key=lambda p: scores[p])
    ]


def test_json_shape(one_street_graph: nx.Graph) -> None:
    out = recommend(one_street_graph, "c2", k=1, model=prior_model(True)).model_dump(mode="json")
    assert set(out) == {
        *("community", "name", "rank", "recommendations", "others", "closing"),
        *("expected_gain", "coverage", "coverage_if_linked", "needs_recorded", "declined"),
    }
    [rec] = recommend(one_street_graph, "c2", k=1, model=prior_model(True), others=True).model_dump(mode="json")[
        "others"
    ]
    assert set(rec) == {"partner", "name", "name_en", "kind", "score", "gain", "probability", "long_shot", "reasons"}
    assert set(rec["reasons"][0]) == {"code", "contribution", "text_zh", "text_en"}


def test_unknown_and_unsupported(one_street_graph: nx.Graph) -> None:
    with pytest.raises(EntityNotFound):
        recommend(one_street_graph, "nope")
    with pytest.raises(EntityNotFound):
        recommend(one_street_graph, "o")
    with pytest.raises(UnsupportedGraph):
        recommend(nx.DiGraph([(1, 2)]), 1)
    with pytest.raises(ValueError, match="rank must be one of"):
        recommend(one_street_graph, "c1", rank="best")  # type: ignore[arg-type]


def test_generic_graph_keeps_node_ids() -> None:
    # bipartite-shaped graph: 0's only non-neighbour reachable by a path of length 3 is 3
    G = nx.Graph([(0, 1), (1, 2), (2, 3), (4, 5)])
    recs = Recommender(G, only("l3")).recommend(0, k=1)
    assert [r.partner for r in recs.recommendations] == [3] and recs.community == 0
    assert recs.recommendations[0].reasons[0].code == "l3"
    assert recs.model_dump(mode="json")["recommendations"][0]["partner"] == 3


def test_fit_is_deterministic_and_does_not_touch_graph(sample_district_graph: nx.Graph) -> None:
    edges = sample_district_graph.number_of_edges()
    a = Recommender.fit(sample_district_graph, seed=3)
    RECENT_FITS.clear()  # fitted again, not handed back from memory
    b = Recommender.fit(sample_district_graph, seed=3)
    assert a.model is not b.model
    assert a.model.name == b.model.name
    np.testing.assert_array_equal(a.model.weights, b.model.weights)
    assert a.model.calibration == b.model.calibration
    assert sample_district_graph.number_of_edges() == edges


@pytest.mark.parametrize("rank", ["gain", "likelihood", "gap"])
def test_fast_path_equals_reference(sample_district_graph: nx.Graph, rank: str) -> None:
    rec = Recommender.fit(sample_district_graph, seed=0)
    fast = rec.recommend_all(k=5, rank=rank)  # type: ignore[arg-type]
    assert len(fast) == 130
    for community in sorted(fast)[::26]:
        assert fast[community] == recommend_reference(sample_district_graph, community, rec.model, k=5, rank=rank)  # type: ignore[arg-type]
    # filtered requests agree too
    c = sorted(fast)[0]
    assert rec.recommend(c, k=5, kinds=["enterprise"], street="拱北", rank=rank) == recommend_reference(  # type: ignore[arg-type]
        sample_district_graph,
        c,
        rec.model,
        k=5,
        kinds=["enterprise"],
        street="拱北",
        rank=rank,  # type: ignore[arg-type]
    )


def test_a_list_says_when_no_needs_are_recorded() -> None:
    G = nx.Graph()
    node(G, "c", "community")  # a directory's area: offers around it, no needs recorded
    node(G, "d", "community", needs={"health": 1.0})
    node(G, "p", "organization", offers={"health": 2.0})
    rec = Recommender(G, prior_model(True))
    none, some = rec.recommend("c"), rec.recommend("d")
    assert not none.needs_recorded and none.recommendations == [] and none.closing == 0
    assert some.needs_recorded and [r.partner for r in some.recommendations] == ["p"]
    assert recommend_reference(G, "c", prior_model(True)).needs_recorded is False
    G.remove_node("d")
    nowhere = Recommender(G, prior_model(True))  # no need recorded anywhere: nobody closes a gap
    alone = nowhere.recommend("c", others=True)
    assert not alone.needs_recorded and alone.recommendations == [] and alone.closing == 0
    assert [r.partner for r in alone.others] == ["p"] and alone.others[0].gain == 0
    assert nowhere.explain("c", "p").other


def serving_graph() -> nx.Graph:
    """c1 and c2 both lack health; p offers it but its directory says it serves c1 only; q serves anywhere."""
    G = nx.Graph(policy="generic")
    node(G, "c1", "community", name="North Ward", needs={"health": 2.0})
    node(G, "c2", "community", name="South Ward", needs={"health": 2.0})
    node(G, "p", "organization", offers={"health": 4.0}, attributes={"serves_only": "c1"})
    node(G, "q", "organization", offers={"health": 1.0})
    return G


def test_a_partner_is_not_suggested_outside_where_it_may_serve() -> None:
    G = serving_graph()
    rec = Recommender(G, prior_model(True))
    for rank in ("gain", "likelihood", "gap"):
        for community, expected in (("c1", {"p", "q"}), ("c2", {"q"})):
            listed = rec.recommend(community, k=5, rank=rank, others=True)
            assert {r.partner for r in [*listed.recommendations, *listed.others]} == expected, (rank, community)
            reference = recommend_reference(G, community, prior_model(True), k=5, rank=rank)
            assert {r.partner for r in reference.recommendations} <= expected
    why = rec.explain("c2", "p")
    assert why.rank is None and [k.code for k in why.kept_out] == ["outside_service_area"]
    assert why.kept_out[0].text_en == "serves North Ward only" and "North Ward" in why.kept_out[0].text_zh
    plan = district_plan(G)
    assert ("c2", "p") not in {(link.community, link.partner) for link in plan.links}
    assert ("c1", "p") in {(link.community, link.partner) for link in plan.links}
