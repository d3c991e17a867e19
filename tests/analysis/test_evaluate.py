from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis import UnsupportedGraph, evaluate
from graphsvc.analysis.linkmodel.linkpred import (
    per_link_metrics,
    ranking_metrics,
    sample_negatives,
    split_edges,
    task_for,
)
from graphsvc.analysis.linkmodel.model_selection import RECENT_FITS
from graphsvc.errors import ValidationFailed
from graphsvc.loaders.edge_list import read_edge_list

METHODS = {"graphsvc", "random", "popularity", "common_neighbors", "adamic_adar", "resource_allocation", "l3"}


def test_metrics_by_hand() -> None:
    # positive ranked 1st of 3, and tied with one of two negatives (rank 1 or 2, each half the time)
    m = ranking_metrics(np.array([5.0, 1.0]), [np.array([1.0, 2.0]), np.array([1.0, 0.0])], k=1)
    assert m["hits@1"] == pytest.approx((1 + 0.5) / 2)
    assert m["mrr"] == pytest.approx((1 + (1 + 1 / 2) / 2) / 2)
    assert m["auc"] == pytest.approx((2 + 1.5) / 4)


def test_constant_score_is_random_level() -> None:
    m = ranking_metrics(np.zeros(3), np.zeros((3, 99)), k=10)
    assert m["hits@10"] == pytest.approx(0.1) and m["auc"] == 0.5


def test_negatives_are_same_kind_and_unlinked(one_street_graph: nx.Graph) -> None:
    task = task_for(one_street_graph)
    negs = sample_negatives(one_street_graph, task, [("c2", "o")], per_positive=10, seed=0)
    # partners not linked to c2: h and e (never a community, never a neighbour)
    assert sorted(map(str, negs[0])) == ["e", "h"]


def test_split_hides_only_community_partner_links(sample_district_graph: nx.Graph) -> None:
    task = task_for(sample_district_graph)
    train, hidden = split_edges(sample_district_graph, task, fraction=0.2, seed=1)
    assert all(
        sample_district_graph.nodes[u]["kind"] == "community" and sample_district_graph.nodes[v]["kind"] != "community"
        for u, v in hidden
    )
    assert train.number_of_edges() == sample_district_graph.number_of_edges() - len(hidden)
    assert not any(train.has_edge(u, v) for u, v in hidden)
    _, by_date = split_edges(sample_district_graph, task, fraction=0.2, seed=1, by="date")
    cut = min(sample_district_graph.edges[e]["since"] for e in by_date)
    kept = [
        sample_district_graph.edges[e]["since"]
        for e in task.target_edges(sample_district_graph, np.random.default_rng(0))
        if e not in by_date
    ]
    assert max(kept) <= cut


def test_graphsvc_beats_every_baseline_on_sample_district(sample_district_graph: nx.Graph) -> None:
    result = evaluate(sample_district_graph, holdout=0.2, seed=0)
    assert set(result.methods) == METHODS
    hits = {m: v["hits@10"] for m, v in result.methods.items()}
    assert all(hits["graphsvc"] >= v for v in hits.values())
    assert result.split["pairs"] == "community-partner"
    dumped = result.model_dump(mode="json")
    assert set(dumped) == {"split", "methods", "modes"} and set(dumped["methods"]["l3"]) == {"hits@10", "mrr", "auc"}
    assert set(dumped["modes"]) == {"gain", "likelihood", "gap"}
    assert set(dumped["modes"]["gain"]) == {"hits@10", "mrr", "auc", "gap_closed@5", "gap_fit@5"}
    # likelihood mode is the graphsvc method of the link-prediction table
    assert dumped["modes"]["likelihood"]["hits@10"] == dumped["methods"]["graphsvc"]["hits@10"]


def test_gain_mode_trades_a_little_likelihood_for_much_more_need_closed() -> None:
    from graphsvc.research import sample_graph

    modes = evaluate(sample_graph(), holdout=0.2, seed=0).modes
    gain, likely, gap = modes["gain"], modes["likelihood"], modes["gap"]
    assert gain["gap_closed@5"] >= 2 * likely["gap_closed@5"]
    assert gain["hits@10"] >= 0.5 * likely["hits@10"]
    assert gain["gap_fit@5"] > likely["gap_fit@5"]
    # gap ignores plausibility: it closes the most need and finds the fewest held-out links
    assert gap["gap_closed@5"] >= gain["gap_closed@5"] and gap["hits@10"] <= gain["hits@10"]


def test_global_negatives_protocol(sample_district_graph: nx.Graph) -> None:
    result = evaluate(sample_district_graph, holdout=0.2, seed=0, negatives=20, protocol="global")
    assert result.split["negatives"] == "global"
    for figures in [*result.methods.values(), *result.modes.values()]:
        assert 0.0 <= figures["auc_global"] <= 1.0
    assert result.methods["random"]["auc_global"] == pytest.approx(0.5, abs=0.1)
    assert result.methods["graphsvc"]["auc_global"] > result.methods["random"]["auc_global"]


def test_evaluate_on_written_edge_list(tmp_path: Path) -> None:
    G = nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=4)
    path = tmp_path / "edges.txt"
    path.write_text("# node node\n" + "\n".join(f"{u}\t{v}" for u, v in G.edges()) + "\n")
    H = read_edge_list(path)
    assert H.number_of_edges() == G.number_of_edges()
    result = evaluate(H, holdout=0.2, seed=0, negatives=50)
    assert result.split["pairs"] == "any" and result.split["test_links"] == round(0.2 * G.number_of_edges())
    hits = {m: v["hits@10"] for m, v in result.methods.items()}
    # a ring lattice with shortcuts: neighbours of neighbours close triangles, so 2-hop signals beat random
    assert hits["common_neighbors"] > hits["random"]


def test_bipartite_edge_list(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    rows = [(f"city{i}", f"net{(i * 7 + j) % 15}") for i in range(40) for j in range(3)]
    path.write_text("\n".join(f"{a},{b}" for a, b in rows))
    B = read_edge_list(path, bipartite=True)
    assert {d for _, d in B.nodes(data="bipartite")} == {0, 1}
    task = task_for(B)
    assert task.kind == "bipartite"
    result = evaluate(B, holdout=0.2, seed=1, negatives=10)
    # city-network pairs share no neighbours: the 2-hop indices are exactly at random level
    assert result.methods["common_neighbors"]["auc"] == 0.5


def test_read_edge_list_rejects_garbage(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("lonely\n")
    with pytest.raises(ValidationFailed) as error:
        read_edge_list(path)
    assert [(p.line, p.file) for p in error.value.problems] == [(1, str(path))]


def test_evaluate_is_deterministic() -> None:
    G = nx.karate_club_graph()
    first = evaluate(G, seed=2, negatives=20)
    RECENT_FITS.clear()  # the second run fits again
    assert evaluate(G, seed=2, negatives=20) == first


def test_date_split_never_hides_every_link() -> None:
    G = nx.Graph()
    G.add_edge("a", "b", since="2020-01-01")
    G.add_edge("b", "c", since="2021-01-01")
    with pytest.raises(UnsupportedGraph, match="too few links"):
        split_edges(G, task_for(G), fraction=0.9, seed=0, by="date")


def test_above_the_threshold_a_seeded_sample_of_held_out_links_is_ranked() -> None:
    G = nx.karate_club_graph()  # 78 links: 16 held out
    full = evaluate(G, seed=2, negatives=20)
    assert full.split["test_links"] == 16 and "sample" not in full.split
    # at the threshold every held-out link is ranked: the same evaluation
    assert evaluate(G, seed=2, negatives=20, scored_links=16) == full
    assert evaluate(G, seed=2, negatives=20, scored_links=None) == full
    sampled = evaluate(G, seed=2, negatives=20, scored_links=10)
    assert sampled.split["test_links"] == 10
    sample = sampled.split["sample"]
    assert (sample["links"], sample["of"], sample["seed"]) == (10, 16, 2)
    # the split is the same: same training graph, same fitted model
    assert sampled.split["train_edges"] == full.split["train_edges"]
    assert sampled.split["graphsvc_model"] == full.split["graphsvc_model"]
    assert sampled == evaluate(G, seed=2, negatives=20, scored_links=10)  # seeded
    assert sampled.methods != full.methods  # fewer links, other figures
    assert set(sample["ci95"]["methods"]) == METHODS and sample["ci95"]["modes"] == {}
    for interval in sample["ci95"]["methods"].values():
        assert set(interval) == {"hits@10", "mrr"} and all(0 <= w < 1 for w in interval.values())
    # the random method's ranks vary from link to link: its interval is not zero
    assert sample["ci95"]["methods"]["random"]["mrr"] > 0


def test_a_sample_of_a_district_reports_every_rank_modes_interval(sample_district_graph: nx.Graph) -> None:
    result = evaluate(sample_district_graph, holdout=0.2, seed=0, scored_links=20)
    sample = result.split["sample"]
    assert result.split["test_links"] == sample["links"] == 20 < sample["of"]
    assert set(sample["ci95"]["modes"]) == {"gain", "likelihood", "gap"}
    assert set(result.modes["gain"]) == {"hits@10", "mrr", "auc", "gap_closed@5", "gap_fit@5"}


def test_ranking_metrics_are_the_means_of_the_per_link_figures() -> None:
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 4, size=30).astype(float), rng.integers(0, 4, size=(30, 12)).astype(float)
    per = per_link_metrics(pos, neg, k=3)
    means = ranking_metrics(pos, neg, k=3)
    assert means["hits@3"] == pytest.approx(per["hits@3"].mean()) and means["mrr"] == pytest.approx(per["mrr"].mean())
    assert np.all(per["below"] + per["tied"] <= per["negatives"]) and per["negatives"].tolist() == [12.0] * 30
