"""The split's fast paths agree with the plain ones they replace, to the order and the last draw."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.linkmodel.linkpred import held_out, split_edges, task_for, without_links


def graphs(district: nx.Graph) -> list[nx.Graph]:
    bipartite = nx.complete_bipartite_graph(4, 5)
    bipartite.remove_edges_from([(0, 5), (2, 7)])
    mixed = nx.Graph([("b", 2), (1, "a"), ("a", "b"), (2, 1), (3, "a")])  # two node types: sorted by type name
    return [district, nx.karate_club_graph(), bipartite, mixed, nx.empty_graph(3)]


@pytest.mark.parametrize("case", range(5))
def test_target_edges_are_the_plain_loops(sample_district_graph: nx.Graph, case: int) -> None:
    G = graphs(sample_district_graph)[case]
    task = task_for(G)
    fast_rng, plain_rng = np.random.default_rng(7), np.random.default_rng(7)
    fast, plain = task.target_edges(G, fast_rng), task.target_edges_reference(G, plain_rng)
    assert fast == plain
    assert (len(fast) > 0) == (G.number_of_edges() > 0)
    assert fast_rng.random() == plain_rng.random()  # the same number of draws taken from the generator


def test_held_out_links_are_the_split_ones(sample_district_graph: nx.Graph) -> None:
    task = task_for(sample_district_graph)
    H, hidden = split_edges(sample_district_graph, task, fraction=0.2, seed=3)
    assert held_out(sample_district_graph, task, fraction=0.2, seed=3) == hidden
    light = without_links(sample_district_graph, hidden)
    assert list(light.nodes(data=True)) == list(H.nodes(data=True)) and light.graph == H.graph
    assert all(list(light[n]) == list(H[n]) for n in H)  # every neighbour in the copy's order
    assert light.number_of_edges() == sample_district_graph.number_of_edges() - len(hidden)


@pytest.mark.parametrize("case", range(4))
def test_held_out_with_the_callers_edges_hides_the_same_links(sample_district_graph: nx.Graph, case: int) -> None:
    G = graphs(sample_district_graph)[case]
    task = task_for(G)
    edges = task.target_edges(G, np.random.default_rng(0))  # on the 'any' task (karate) not used: drawn again
    alone = held_out(G, task, fraction=0.3, seed=9)
    assert held_out(G, task, fraction=0.3, seed=9, edges=edges) == alone and alone
