"""graphsvc against the best single baseline on generated graphs of different shapes (fast version).

The full matrix, with more graph families and seeds and the runs that still fall short, is
``bench/evaluate_robustness.py`` (figures in ``bench/README.md``, "Evaluation robustness").
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest

from graphsvc.analysis import BASELINES, evaluate


def _plain(G: nx.Graph) -> nx.Graph:
    H = nx.Graph()
    H.add_nodes_from((n, {"bipartite": s} if s is not None else {}) for n, s in G.nodes(data="bipartite"))
    H.add_edges_from(G.edges())
    return H


GRAPHS: dict[str, Callable[[int], nx.Graph]] = {
    "davis_women": lambda s: nx.davis_southern_women_graph(),
    "barabasi_albert": lambda s: nx.barabasi_albert_graph(300, 3, seed=s),
    "powerlaw_cluster": lambda s: nx.powerlaw_cluster_graph(300, 4, 0.3, seed=s),
    "watts_strogatz": lambda s: nx.connected_watts_strogatz_graph(200, 6, 0.1, seed=s),
    "grid_2d": lambda s: nx.convert_node_labels_to_integers(nx.grid_2d_graph(12, 12)),
    "bipartite_pa": lambda s: nx.bipartite.preferential_attachment_graph(
        [1 + (i * 7) % 8 for i in range(120)], 0.3, create_using=nx.Graph(), seed=s
    ),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graphsvc_at_least_best_baseline(name: str, seed: int) -> None:
    G = _plain(GRAPHS[name](seed))
    result = evaluate(G, holdout=0.2, seed=seed, negatives=50)
    hits = {m: v["hits@10"] for m, v in result.methods.items()}
    best = max(BASELINES, key=hits.__getitem__)
    assert hits["graphsvc"] >= hits[best], (best, hits, result.split["graphsvc_model"]["name"])
