"""graphsvc.research: frames are thin shapes over the analysis results, checked on tiny graphs by hand."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from graphsvc import research
from graphsvc.analysis import (
    Evaluation,
    PlannedLink,
    Recommender,
    community_gaps,
    district_gaps,
    district_plan,
    evaluate,
    recommend,
)
from graphsvc.analysis.core.results import CommunityRecommendations, Recommendation
from graphsvc.analysis.evaluation.evaluate import BASELINES
from graphsvc.analysis.linkmodel.signals import SIGNALS
from graphsvc.analysis.plan.divergences import with_divergences
from graphsvc.errors import EntityNotFound, NotFound
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
from graphsvc.store import open_store


def node(G: nx.Graph, node_id: str, kind: str, **attrs: object) -> None:
    base = {"kind": kind, "name": f"{node_id}-name", "street": None, "subtype": None, "capacity": None}
    G.add_node(node_id, **{**base, "needs": {}, "offers": {}, **attrs})


@pytest.fixture
def two_street_graph() -> nx.Graph:
    """Street 拱北: c1 (elderly_care 4, health 2), c2 (elderly_care 2), hub h; street 吉大: c3 (youth 1).

    o offers elderly_care 3 to c1 and c2 (c1 gets 2, c2 gets 1); e offers health 1 to c1;
    u (a student society, capacity 1) works with c2 and is full; h coordinates c1.
    """
    G = nx.Graph()
    node(G, "c1", "community", street="拱北", needs={"elderly_care": 4.0, "health": 2.0})
    node(G, "c2", "community", street="拱北", needs={"elderly_care": 2.0})
    node(G, "c3", "community", street="吉大", needs={"youth": 1.0})
    node(G, "h", "organization", subtype="street_hub", street="拱北", capacity=10)
    node(G, "o", "organization", subtype="social_organization", street="拱北", capacity=3, offers={"elderly_care": 3.0})
    node(G, "e", "enterprise", street="吉大", capacity=3, offers={"health": 1.0, "youth": 2.0})
    node(G, "u", "school", subtype="student_society", street="拱北", capacity=1, offers={"health": 5.0})
    G.add_edge("o", "c1", kinds=("service",), weight=1.0, since=None, projects=())
    G.add_edge("o", "c2", kinds=("service",), weight=1.0, since=None, projects=())
    G.add_edge("e", "c1", kinds=("funding", "volunteering"), weight=3.0, since="2021-03-05", projects=("p1",))
    G.add_edge("h", "c1", kinds=("coordination",), weight=1.0, since=None, projects=())
    G.add_edge("u", "c2", kinds=("internship",), weight=1.0, since=None, projects=())
    return G


# -- graphs and the graph itself --------------------------------------------------------------------------------


def test_sample_graph_is_the_sample_district() -> None:
    G = research.sample_graph(communities=13, seed=2)
    assert nx.utils.graphs_equal(G, build_graph(generate_district(communities=13, seed=2)))
    assert sum(k == "community" for _, k in G.nodes(data="kind")) == 13


def test_store_graph_by_uri_and_by_store(tmp_path: Path) -> None:
    uri = f"sqlite://{tmp_path / 'g.db'}"
    with open_store(uri) as store:
        store.upsert(generate_district(communities=13, seed=1))
        by_store = research.store_graph(store)
        store.counts()  # a store passed in is left open
    by_uri = research.store_graph(uri)
    assert nx.utils.graphs_equal(by_store, by_uri)
    assert by_uri.number_of_nodes() == len(generate_district(communities=13, seed=1).entities)


def test_store_graph_default_follows_graphsvc_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"sqlite://{tmp_path / 'env.db'}"
    with open_store(uri) as store:
        store.upsert(generate_district(communities=13, seed=1))
    monkeypatch.setenv("GRAPHSVC_STORE", uri)
    assert research.store_graph().number_of_nodes() == research.store_graph(uri).number_of_nodes() > 13


def test_entities_frame(two_street_graph: nx.Graph) -> None:
    df = research.entities_frame(two_street_graph).set_index("id")
    assert len(df) == 7
    assert df.loc["c1", ["kind", "street", "degree", "need", "offer"]].tolist() == ["community", "拱北", 3, 6.0, 0.0]
    assert df.loc["e", ["degree", "offer", "capacity"]].tolist() == [1, 3.0, 3]


def test_links_frame(two_street_graph: nx.Graph) -> None:
    df = research.links_frame(two_street_graph)
    assert len(df) == two_street_graph.number_of_edges() == 5
    row = df[(df["source"] == "e") | (df["target"] == "e")].iloc[0]
    assert row["kinds"] == "funding;volunteering" and row["weight"] == 3.0 and row["projects"] == "p1"
    assert {row["source_kind"], row["target_kind"]} == {"enterprise", "community"}


def test_frames_of_an_empty_graph_keep_their_columns() -> None:
    G = nx.Graph()
    assert research.entities_frame(G).columns[0] == "id" and research.entities_frame(G).empty
    assert research.links_frame(G).columns.tolist()[:2] == ["source", "target"]
    assert research.gaps_frame(G).empty and "uncovered" in research.gaps_frame(G).columns


def test_centrality_frame_on_a_path() -> None:
    G = nx.path_graph(["c1", "hub", "c2"])
    nx.set_node_attributes(G, {"c1": "community", "c2": "community", "hub": "organization"}, "kind")
    df = research.centrality_frame(G)
    assert df["id"].tolist()[0] == "hub"
    assert df.set_index("id").loc["hub", ["degree", "communities", "betweenness"]].tolist() == [2, 2, 1.0]
    assert df["pagerank"].sum() == pytest.approx(1.0)
    assert research.centrality_frame(G, kinds=["organization"])["id"].tolist() == ["hub"]


# -- gaps -----------------------------------------------------------------------------------------------------------


def test_gaps_frame_rows_are_community_by_category(two_street_graph: nx.Graph) -> None:
    df = research.gaps_frame(two_street_graph)
    assert len(df) == 4  # c1: 2 categories, c2: 1, c3: 1
    rows = {(r.community, r.category): r for r in df.itertuples()}
    c1_elderly = rows["c1", "elderly_care"]
    assert (c1_elderly.need, c1_elderly.covered, c1_elderly.uncovered) == (4.0, 2.0, 2.0)
    assert c1_elderly.status == "partial" and c1_elderly.partners == "o" and c1_elderly.category_zh == "养老服务"
    assert rows["c2", "elderly_care"].covered == 1.0
    assert rows["c3", "youth"].status == "uncovered" and rows["c3", "youth"].partners == ""
    assert rows["c1", "health"].covered == 1.0


def test_gaps_frame_agrees_with_community_gaps(two_street_graph: nx.Graph) -> None:
    df = research.gaps_frame(two_street_graph, community="c1")
    g = community_gaps(two_street_graph, "c1")
    assert df["category"].tolist() == [c.category for c in g.categories]
    assert df["uncovered"].tolist() == [c.uncovered for c in g.categories]


def test_gaps_frame_filters_by_street(two_street_graph: nx.Graph) -> None:
    assert set(research.gaps_frame(two_street_graph, street="拱北")["community"]) == {"c1", "c2"}
    assert set(research.gaps_frame(two_street_graph, street="吉大")["community"]) == {"c3"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"street": "nowhere"}, NotFound), ({"community": "o"}, EntityNotFound), ({"community": "zz"}, EntityNotFound)],
)
def test_gaps_frame_unknown_ids(two_street_graph: nx.Graph, kwargs: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        research.gaps_frame(two_street_graph, **kwargs)


def test_communities_frame(two_street_graph: nx.Graph) -> None:
    df = research.communities_frame(two_street_graph).set_index("community")
    assert df.loc["c1", "coverage"] == pytest.approx(0.5)  # 3 of 6
    assert bool(df.loc["c1", "reached_by_hub"]) and not bool(df.loc["c2", "reached_by_hub"])
    assert bool(df.loc["c2", "university_link"]) and not bool(df.loc["c1", "university_link"])
    assert df.loc["c1", "critical_partner"] == "o"  # o covers 2, e covers 1
    assert df.loc["c2", "roles_missing"] == 2  # has a social organization and a university society
    assert "社工（主力）" in df.loc["c2", "roles_missing_zh"]
    assert research.communities_frame(two_street_graph, street="吉大")["community"].tolist() == ["c3"]


def test_five_society_frame(two_street_graph: nx.Graph) -> None:
    df = research.five_society_frame(two_street_graph).set_index("community")
    assert df.loc["c1", ["social_organization", "social_worker", "university_society", "social_forces"]].tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert df["roles_present"].to_dict() == {"c1": 2, "c2": 2, "c3": 0}
    assert set(df.attrs["labels"]) == {"social_organization", "social_worker", "university_society", "social_forces"}


def test_streets_frame_matches_district_gaps(two_street_graph: nx.Graph) -> None:
    df = research.streets_frame(two_street_graph)
    d = district_gaps(two_street_graph)
    assert df["street"].tolist() == [s.street for s in d.streets] == ["吉大", "拱北"]
    assert df["street_en"].tolist() == ["Jida", "Gongbei"]
    assert df["coverage"].tolist() == [s.coverage for s in d.streets]
    assert df.set_index("street").loc["拱北", "covered"] == 4.0  # 2 + 1 (elderly care) + 1 (health)


def test_street_en() -> None:
    assert research.street_en("湾仔") == "Wanzai"
    assert research.street_en("湾仔3") == "Wanzai 3"
    assert research.street_en("某街道") == "某街道"
    assert research.street_en(None) is None


def test_categories_frame_sums_the_gaps(two_street_graph: nx.Graph) -> None:
    df = research.categories_frame(two_street_graph).set_index("category")
    gaps = research.gaps_frame(two_street_graph).groupby("category")[["need", "covered", "uncovered"]].sum()
    pd.testing.assert_frame_equal(df[["need", "covered", "uncovered"]].sort_index(), gaps.sort_index())
    assert df.loc["elderly_care", "communities_uncovered"] == 2
    assert research.categories_frame(two_street_graph, street="吉大")["category"].tolist() == ["youth"]


def test_policy_frame(two_street_graph: nx.Graph) -> None:
    df = research.policy_frame(two_street_graph).set_index("code")
    assert not df.loc["street_service_organization", "passed"]
    assert df.loc["street_service_organization", "who"] == ["吉大"]
    assert df.loc["community_university_link", "failing"] == 2  # c1 and c3


# -- recommendations ------------------------------------------------------------------------------------------------


def test_recommendations_frame_is_recommend(two_street_graph: nx.Graph) -> None:
    df = research.recommendations_frame(two_street_graph, community="c3", k=5)
    recs = recommend(two_street_graph, "c3", k=5).recommendations
    assert df["partner"].tolist() == [r.partner for r in recs]
    assert df["score"].tolist() == [r.score for r in recs]
    assert df["rank"].tolist() == list(range(1, len(recs) + 1))
    assert "u" not in set(df["partner"])  # at capacity
    assert "e" in set(df["partner"])  # offers youth, c3's gap
    row = df.set_index("partner").loc["e"]
    reasons = next(r for r in recs if r.partner == "e").reasons
    assert row["reasons_zh"] == "；".join(x.text_zh for x in reasons)
    assert row["reasons_en"] == "; ".join(x.text_en for x in reasons)
    assert row["top_reason"] == reasons[0].code
    assert row["partner_name"] == "e-name" and row["community_name"] == "c3-name"


def test_recommendations_frame_for_a_street_equals_one_by_one() -> None:
    G = research.sample_graph(communities=26, seed=4)
    street = G.nodes["com-00001"]["street"]
    by_street = research.recommendations_frame(G, street=street, k=3)
    members = sorted(c for c, d in G.nodes(data=True) if d["kind"] == "community" and d["street"] == street)
    assert sorted(by_street["community"].unique()) == members
    assert by_street.groupby("community").size().max() <= 3
    one = research.recommendations_frame(G, community=members[0], k=3)
    pd.testing.assert_frame_equal(by_street[by_street["community"] == members[0]].reset_index(drop=True), one)


def test_recommendations_frame_reuses_a_recommender(two_street_graph: nx.Graph) -> None:
    rec = Recommender.fit(two_street_graph, seed=1, k=2)
    df = research.recommendations_frame(two_street_graph, community="c3", k=2, recommender=rec, others=True)
    listed = rec.recommend("c3", k=2, others=True)
    assert df["partner"].tolist() == [r.partner for r in [*listed.recommendations, *listed.others]]
    assert len(df) == 2 and df["other"].tolist() == [False, True]  # c3 lacks youth only: one partner offers it
    every = research.recommendations_frame(two_street_graph, k=2, recommender=rec, others=True)
    assert sorted(every["community"].unique()) == ["c2", "c3"]
    assert research.recommendations_frame(two_street_graph, k=2, recommender=rec)["community"].unique() == [
        "c3"
    ]  # c1 is linked to every partner with room left
    assert research.recommendations_frame(two_street_graph, community="c1", recommender=rec).empty


def test_recommendations_frame_filters(two_street_graph: nx.Graph) -> None:
    df = research.recommendations_frame(two_street_graph, community="c3", k=5, kinds=["organization"], others=True)
    assert set(df["kind"]) <= {"organization"} and not df.empty
    df = research.recommendations_frame(two_street_graph, community="c3", k=5, partner_street="吉大")
    assert set(df["partner"]) <= {"e"}
    with pytest.raises(NotFound):
        research.recommendations_frame(two_street_graph, street="nowhere")


def test_reasons_frame_is_the_long_form(two_street_graph: nx.Graph) -> None:
    wide = research.recommendations_frame(two_street_graph, community="c3", k=3)
    long = research.reasons_frame(two_street_graph, community="c3", k=3)
    recs = recommend(two_street_graph, "c3", k=3).recommendations
    assert len(long) == sum(len(r.reasons) for r in recs)
    assert long.groupby("partner")["text_en"].agg("; ".join).to_dict() == dict(
        zip(wide["partner"], wide["reasons_en"], strict=True)
    )
    listed = long.groupby("partner")["contribution"].sum()
    for r in recs:  # the terms add up to the score (an "other:" line folds the signals that lower it)
        assert listed[r.partner] == pytest.approx(r.score, abs=1e-5)
    gap_terms = long[long["reason"].str.startswith("gap:")]
    assert (gap_terms["contribution"] > 0).all()
    assert gap_terms["signal_value"].isna().all()


def test_reasons_frame_keeps_the_indices_and_their_raw_values() -> None:
    G = research.sample_graph()
    long = research.reasons_frame(G, community="com-00001", k=5, rank="likelihood")
    signals = long[long["reason"].isin(SIGNALS)]
    assert len(signals) and signals["signal_value"].notna().all()
    shared = signals[signals["reason"] == "common_neighbors"]
    for count, text in zip(shared["signal_value"], shared["text_en"], strict=True):  # the sentence's count
        assert f"shares {count:.0f} partner" in text
    assert not long["other"].any()
    folded = long[long["reason"].str.startswith("other:")]
    assert len(folded) and folded["reason"].str.split(":").str[1].str.split(",").map(set(SIGNALS).issuperset).all()


def test_explain_recommendation_is_the_recommenders(two_street_graph: nx.Graph) -> None:
    rec = Recommender.fit(two_street_graph, seed=0)
    why = research.explain_recommendation(two_street_graph, "c3", "e", partner_street="拱北", recommender=rec)
    assert why == rec.explain("c3", "e", street="拱北")  # partner_street is the street of the list
    assert [out.code for out in why.kept_out] == ["filtered_out"]  # e works in 吉大
    fitted = research.explain_recommendation(two_street_graph, "c3", "e", k=1, rank="gap")
    assert fitted == rec.explain("c3", "e", k=1, rank="gap") and fitted.listed


# -- plans ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def contested() -> nx.Graph:
    """The plan docstring's case: big (capacity 1) is best for both; the plan sends c1 to small."""
    G = nx.Graph()
    node(G, "c1", "community", street="S", needs={"health": 2.0})
    node(G, "c2", "community", street="T", needs={"health": 2.0, "youth": 2.0})
    node(G, "big", "organization", capacity=1, offers={"health": 2.0, "youth": 2.0})
    node(G, "small", "organization", capacity=1, offers={"health": 2.0})
    return G


def test_plan_frames(contested: nx.Graph) -> None:
    plan = district_plan(contested)
    links = research.plan_frame(plan, contested)
    assert list(zip(links["community"], links["partner"], strict=True)) == [("c1", "small"), ("c2", "big")]
    assert links["street"].tolist() == ["S", "T"] and links["partner_name"].tolist() == ["small-name", "big-name"]
    assert links["top_reason"].tolist() == ["gap:health", "gap:health"]
    assert links["reasons_en"][0] == "offers health management: would cover 2 of this community's 2 uncovered"
    naive = research.plan_frame(plan, naive=True)
    assert naive["partner"].tolist() == [link.partner for link in plan.naive_links]
    assert naive["community_name"].tolist() == ["c1-name", "c2-name"]  # the plan carries the names
    assert naive["street"].isna().all()  # no graph, no streets

    coverage = research.coverage_frame(plan, contested).set_index("community")
    assert coverage.loc["c2", ["need", "before", "after", "gain"]].tolist() == [4.0, 0.0, 4.0, 4.0]
    assert coverage["street"].tolist() == ["S", "T"]

    summary = research.plan_summary_frame(plan).set_index("choice")
    assert summary["covered"].tolist() == [0.0, 6.0, 4.0]
    assert summary.loc["plan", "coverage"] == 1.0 and summary.loc["naive top-1", "over_capacity"] == 1
    assert summary.attrs["need"] == 6.0


def test_divergences_frame_has_the_plans_numbers(contested: nx.Graph) -> None:
    plan = district_plan(contested)
    big = Recommendation(partner="big", kind="organization", score=1.0, gain=2.0, probability=0.5, reasons=[])
    explained = with_divergences(contested, plan, [CommunityRecommendations(community="c1", recommendations=[big])])
    frame = research.divergences_frame(explained)
    assert research.divergences_frame(plan).empty  # a plan without lists has no divergences
    row = frame.set_index("community").loc["c1"]
    assert (row["code"], row["top"], row["top_name"], row["planned"]) == (
        "planned_elsewhere",
        "big",
        "big-name",
        "small",
    )
    assert (row["gain_here"], row["gain_there"], row["gain_planned"], row["planned_for"]) == (2.0, 4.0, 2.0, "c2")
    assert row["text_en"].startswith("big (big-name) is planned for c2 (c2-name), where it closes 4")


def test_apply_plan_is_the_plan_after(contested: nx.Graph) -> None:
    plan = district_plan(contested)
    edges = contested.number_of_edges()
    H = research.apply_plan(contested, plan)
    assert contested.number_of_edges() == edges  # the caller's graph is not changed
    assert H.number_of_edges() == edges + 2
    assert H.edges["c1", "small"]["planned"] and H.edges["c1", "small"]["kinds"] == ()
    assert district_gaps(H).covered == pytest.approx(plan.totals.after)
    assert district_gaps(research.apply_plan(contested, plan, naive=True)).covered == pytest.approx(plan.totals.naive)


def test_apply_plan_takes_links_and_keeps_existing_edges(two_street_graph: nx.Graph) -> None:
    links = [PlannedLink(community="c1", partner="o", kind="organization", gain=0.0)]  # already linked
    H = research.apply_plan(two_street_graph, links)
    assert H.edges["c1", "o"]["kinds"] == ("service",) and "planned" not in H.edges["c1", "o"]


# -- evaluation -----------------------------------------------------------------------------------------------------


def test_evaluation_frame_keeps_every_method() -> None:
    ev = evaluate(nx.karate_club_graph(), holdout=0.2, seed=1, negatives=10, k=5)
    df = research.evaluation_frame(ev)
    assert df["method"].tolist() == list(ev.methods) and set(df["method"]) == {"graphsvc", *BASELINES}
    assert df.columns.tolist() == ["method", "baseline", "hits@5", "mrr", "auc"]
    assert df.set_index("method")["baseline"].to_dict() == {m: m != "graphsvc" for m in ev.methods}
    assert df.set_index("method").loc["graphsvc", "mrr"] == ev.methods["graphsvc"]["mrr"]
    assert df.attrs["split"]["test_links"] == ev.split["test_links"]


def test_hits_at_k_frame() -> None:
    evs = [
        Evaluation(split={"k": 1}, methods={"graphsvc": {"hits@1": 0.3, "mrr": 0.2}, "random": {"hits@1": 0.1}}),
        Evaluation(split={"k": 3}, methods={"graphsvc": {"hits@3": 0.6, "mrr": 0.2}, "random": {"hits@3": 0.2}}),
    ]
    df = research.hits_at_k_frame(evs)
    assert df.values.tolist() == [["graphsvc", 1, 0.3], ["random", 1, 0.1], ["graphsvc", 3, 0.6], ["random", 3, 0.2]]
    assert df.pivot(index="k", columns="method", values="hits").loc[3, "graphsvc"] == 0.6


# -- presentation ---------------------------------------------------------------------------------------------------


def test_bilingual_renames_a_copy() -> None:
    df = pd.DataFrame({"community": ["c1"], "uncovered": [1.0], "mine": [0]})
    out = research.bilingual(df, {"mine": "我的 mine"})
    assert out.columns.tolist() == ["社区 community", "未覆盖 uncovered", "我的 mine"]
    assert df.columns.tolist() == ["community", "uncovered", "mine"]


def test_show_overview_and_community() -> None:
    G = research.sample_graph(communities=13, seed=1)
    overview = research.show_overview(G, height=300)
    assert "<iframe" in overview.data and 'height="300"' in overview.data
    rec = Recommender.fit(G, seed=0)
    page = research.show_community(G, "com-00001", k=2, recommender=rec)
    assert "<iframe" in page.data and "com-00001" in page.data
    with pytest.raises(EntityNotFound):
        research.show_community(G, "ent-0001")


def test_use_cjk_font_puts_an_installed_font_first() -> None:
    mpl = pytest.importorskip("matplotlib")
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    with mpl.rc_context():
        name = research.use_cjk_font()
        if name is None:
            assert not installed & set(research.CJK_FONTS)
        else:
            assert name in installed and name in research.CJK_FONTS
            assert mpl.rcParams["font.sans-serif"][0] == name


def test_reasons_frame_follows_the_list_with_the_others_when_asked() -> None:
    G = research.sample_graph()
    rec = Recommender.fit(G, seed=0)
    wide = research.recommendations_frame(G, community="com-00001", k=12, others=True, recommender=rec)
    long = research.reasons_frame(G, community="com-00001", k=12, others=True, recommender=rec)
    assert wide["other"].any()  # the list is shorter than 12: others follow
    ranks = long.groupby("rank")[["partner", "other"]].first()
    assert ranks["partner"].tolist() == wide["partner"].tolist()
    assert ranks["other"].tolist() == wide["other"].tolist()
