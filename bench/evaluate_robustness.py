"""Evaluation robustness: graphsvc against the best single baseline on many generated graphs and seeds.

For every graph family below and every seed, the graph is generated (random families with that seed), then
:func:`graphsvc.analysis.evaluation.evaluate` hides 20% of the task's links with the same seed and ranks each against
100 negatives of the same kind of pair. A run counts as OK when graphsvc's Hits@10 is at least the best
baseline's (random, popularity, common neighbours, Adamic-Adar, resource allocation, L3) on that split.
Every graph is generated here with NetworkX or graphsvc's synthetic district; nothing is downloaded.

The last line printed is one JSON object:
``{"graphs": n, "runs": n, "graphsvc_ge_best": n, "worst_gap": x, ...}`` (gap = graphsvc - best baseline).

Run: ``python bench/evaluate_robustness.py [--seeds 0 1 2 3 4] [--graphs karate ba ...] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import networkx as nx

from graphsvc.analysis import BASELINES, evaluate
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district


def _bipartite_pa(seed: int) -> nx.Graph:
    """Bipartite preferential attachment: 300 side-0 nodes of degree 1..8, new side-1 nodes with p=0.3."""
    aseq = [1 + (i * 7) % 8 for i in range(300)]
    G = nx.bipartite.preferential_attachment_graph(aseq, 0.3, create_using=nx.Graph(), seed=seed)
    return nx.Graph(G)


def _sbm(seed: int) -> nx.Graph:
    sizes = [80, 120, 100, 100]
    probs = [[0.12 if i == j else 0.01 for j in range(4)] for i in range(4)]
    G = nx.stochastic_block_model(sizes, probs, seed=seed)
    H = nx.Graph()
    H.add_edges_from(G.edges())  # drop the 'block' graph attributes: a plain graph
    return H


def _plain(G: nx.Graph) -> nx.Graph:
    """Edges only (and the bipartite side where the generator set one)."""
    H = nx.Graph()
    for n, side in G.nodes(data="bipartite"):
        if side is None:
            H.add_node(n)
        else:
            H.add_node(n, bipartite=side)
    H.add_edges_from(G.edges())
    H.remove_edges_from(nx.selfloop_edges(H))
    return H


GRAPHS: dict[str, Callable[[int], nx.Graph]] = {
    "karate": lambda s: nx.karate_club_graph(),
    "les_miserables": lambda s: nx.les_miserables_graph(),
    "florentine": lambda s: nx.florentine_families_graph(),
    "davis_women": lambda s: nx.davis_southern_women_graph(),
    "barabasi_albert": lambda s: nx.barabasi_albert_graph(1000, 3, seed=s),
    "powerlaw_cluster": lambda s: nx.powerlaw_cluster_graph(1000, 4, 0.3, seed=s),
    "powerlaw_dense": lambda s: nx.powerlaw_cluster_graph(1222, 14, 0.1, seed=s),
    "watts_strogatz": lambda s: nx.connected_watts_strogatz_graph(500, 6, 0.1, seed=s),
    "sbm": _sbm,
    "random_bipartite": lambda s: nx.bipartite.random_graph(200, 300, 0.02, seed=s),
    "grid_2d": lambda s: nx.convert_node_labels_to_integers(nx.grid_2d_graph(20, 20)),
    "bipartite_pa": _bipartite_pa,
    "erdos_renyi": lambda s: nx.gnm_random_graph(600, 2400, seed=s),
    "district": lambda s: build_graph(generate_district(communities=130, seed=s)),
}


def run(name: str, seed: int) -> dict[str, object]:
    G = GRAPHS[name](seed)
    if name != "district":
        G = _plain(G)
    start = time.perf_counter()
    result = evaluate(G, holdout=0.2, seed=seed, k=10, negatives=100)
    seconds = time.perf_counter() - start
    hits = {m: v["hits@10"] for m, v in result.methods.items()}
    best = max(BASELINES, key=lambda m: (hits[m], result.methods[m]["mrr"]))
    return {
        "graph": name,
        "seed": seed,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "test_links": result.split["test_links"],
        "graphsvc": hits["graphsvc"],
        "best": best,
        "best_hits": hits[best],
        "gap": round(hits["graphsvc"] - hits[best], 6),
        "model": result.split["graphsvc_model"]["name"],
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--graphs", nargs="+", default=list(GRAPHS), choices=list(GRAPHS))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args()
    tasks = [(g, s) for g in args.graphs for s in args.seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(run, *zip(*tasks, strict=True)))
    print(
        f"{'graph':<18}{'seed':>5}{'nodes':>7}{'edges':>7}{'test':>6}  "
        f"{'graphsvc':>8}  {'best baseline':<28}{'gap':>8}  model"
    )
    for r in rows:
        ok = "" if float(r["gap"]) >= 0 else "  <-- below"  # type: ignore[arg-type]
        best = f"{r['best']} {float(r['best_hits']):.3f}"  # type: ignore[arg-type]
        print(
            f"{r['graph']:<18}{r['seed']:>5}{r['nodes']:>7}{r['edges']:>7}{r['test_links']:>6}  "
            f"{float(r['graphsvc']):>8.3f}  {best:<28}{float(r['gap']):>+8.3f}  {r['model']} ({r['seconds']}s){ok}"  # type: ignore[arg-type]
        )
    gaps = [float(r["gap"]) for r in rows]  # type: ignore[arg-type]
    summary = {
        "graphs": len(args.graphs),
        "runs": len(rows),
        "graphsvc_ge_best": sum(g >= 0 for g in gaps),
        "worst_gap": min(gaps),
        "mean_gap": round(sum(gaps) / len(gaps), 6),
        "below": [f"{r['graph']}/{r['seed']}" for r in rows if float(r["gap"]) < 0],  # type: ignore[arg-type]
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
