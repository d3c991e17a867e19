from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis import (
    LinkModel,
    Recommender,
    UnsupportedGraph,
    prior_model,
    recommend,
    recommend_reference,
)
from graphsvc.analysis.signals import FEATURES
from graphsvc.errors import EntityNotFound


def only(signal: str) -> LinkModel:
    w = np.zeros(len(FEATURES))
    w[FEATURES.index(signal)] = 1.0
    return LinkModel(signal, w, np.zeros(len(FEATURES)))


def test_partner_at_capacity_is_never_recommended(tiny: nx.Graph) -> None:
    # u is at capacity (1 of 1) although it offers exactly what c1 lacks
    recs = recommend(tiny, "c1", k=10, model=prior_model(True))
    assert "u" not in [r.partner for r in recs.recommendations]
    assert "u" not in [r.partner for r in recommend_reference(tiny, "c1", prior_model(True)).recommendations]


def test_candidates_are_unlinked_partners(tiny: nx.Graph) -> None:
    recs = recommend(tiny, "c2", k=10, model=prior_model(True))
    # c2 is linked to o and u; candidates: h and e (c1 is a community, not a partner)
    assert sorted(r.partner for r in recs.recommendations) == ["e", "h"]


def test_reasons_explain_the_score(tiny: nx.Graph) -> None:
    recs = recommend(tiny, "c2", k=2, model=prior_model(True))
    h = next(r for r in recs.recommendations if r.partner == "h")
    codes = [x.code for x in h.reasons]
    assert "street_hub" in codes and "same_street" in codes
    assert all(x.contribution > 0 for x in h.reasons)
    assert [x.contribution for x in h.reasons] == sorted((x.contribution for x in h.reasons), reverse=True)
    # with prior weights and zero means the contributions add up to the score
    assert sum(x.contribution for x in h.reasons) == pytest.approx(h.score, abs=1e-5)
    hub = next(x for x in h.reasons if x.code == "street_hub")
    assert hub.text_zh == "本街道的枢纽组织" and hub.text_en == "the hub of this community's street"


def test_gap_reason_names_the_largest_gap() -> None:
    G = nx.Graph()
    G.add_node("c", kind="community", street="S", needs={"elderly_care": 5.0, "health": 1.0})
    G.add_node("a", kind="organization", subtype="social_organization", offers={"elderly_care": 5.0})
    G.add_node("b", kind="organization", subtype="social_organization", offers={"health": 5.0})
    recs = recommend(G, "c", k=2, model=only("gap_fit"))
    assert [r.partner for r in recs.recommendations] == ["a", "b"]
    assert recs.recommendations[0].reasons[0].text_zh == "提供养老服务，本社区缺口最大"
    assert recs.recommendations[0].reasons[0].text_en == "offers elderly care, this community's largest gap"
    assert "17%" in recs.recommendations[1].reasons[0].text_en  # closes 1 of 6


def test_filters(tiny: nx.Graph) -> None:
    rec = Recommender(tiny, prior_model(True))
    assert [r.partner for r in rec.recommend("c2", kinds=["enterprise"]).recommendations] == ["e"]
    assert [r.partner for r in rec.recommend("c2", street="S").recommendations] == ["h"]
    scores = {r.partner: r.score for r in rec.recommend("c2").recommendations}
    cut = max(scores.values())
    assert [r.partner for r in rec.recommend("c2", min_score=cut).recommendations] == [
        max(scores, key=lambda p: scores[p])
    ]


def test_json_shape(tiny: nx.Graph) -> None:
    out = recommend(tiny, "c2", k=1, model=prior_model(True)).model_dump(mode="json")
    assert set(out) == {"community", "recommendations"}
    [rec] = out["recommendations"]
    assert set(rec) == {"partner", "kind", "score", "reasons"}
    assert set(rec["reasons"][0]) == {"code", "contribution", "text_zh", "text_en"}


def test_unknown_and_unsupported(tiny: nx.Graph) -> None:
    with pytest.raises(EntityNotFound):
        recommend(tiny, "nope")
    with pytest.raises(EntityNotFound):
        recommend(tiny, "o")
    with pytest.raises(UnsupportedGraph):
        recommend(nx.DiGraph([(1, 2)]), 1)


def test_generic_graph_l3_candidate() -> None:
    # bipartite-shaped graph: 0's only non-neighbour reachable by a path of length 3 is 3
    G = nx.Graph([(0, 1), (1, 2), (2, 3), (4, 5)])
    recs = Recommender(G, only("l3")).recommend(0, k=1)
    assert [r.partner for r in recs.recommendations] == ["3"]
    assert recs.recommendations[0].reasons[0].code == "l3"


def test_fit_is_deterministic_and_does_not_touch_graph(district: nx.Graph) -> None:
    edges = district.number_of_edges()
    a = Recommender.fit(district, seed=3)
    b = Recommender.fit(district, seed=3)
    assert a.model.name == b.model.name
    np.testing.assert_array_equal(a.model.weights, b.model.weights)
    assert district.number_of_edges() == edges


def test_fast_path_equals_reference(district: nx.Graph) -> None:
    rec = Recommender.fit(district, seed=0)
    fast = rec.recommend_all(k=10)
    assert len(fast) == 130
    for community in sorted(fast)[::13]:
        assert fast[community] == recommend_reference(district, community, rec.model, k=10)
    # filtered requests agree too
    c = sorted(fast)[0]
    assert rec.recommend(c, k=5, kinds=["enterprise"], street="拱北") == recommend_reference(
        district, c, rec.model, k=5, kinds=["enterprise"], street="拱北"
    )


def test_single_request_after_fit_is_fast(district: nx.Graph) -> None:
    import time

    rec = Recommender.fit(district, seed=0)
    rec.recommend("com-00001")
    start = time.perf_counter()
    for _ in range(20):
        rec.recommend("com-00001", k=10)
    assert (time.perf_counter() - start) / 20 < 0.01
