"""graphsvc's recommendations for every community beside what a user would pick instead, on the same district.

Three contenders, each run in its own child process (so that its time and peak memory are its own), alternately
for ``--runs`` rounds (the order swapped each round), on one synthetic district (``--communities N``):

* ``graphsvc``: ``recommend_all(G, k=10, workers=1)`` -- the fit and every community's list (graphsvc does more:
  the need closed, probabilities, reasons, capacity, set-wise lists);
* ``plain``: a plain networkx + scipy Adamic-Adar top-10 (:func:`plain_top10`, written here): for each community,
  the partners it is not linked to, scored by the shared neighbours' ``1 / log(degree)``;
* ``gds``: with ``--uri`` of a server started by ``graphsvc neo4j start --with-gds``, Neo4j GDS
  ``gds.nodeSimilarity.filtered.stream`` top-10 from communities to partners (projection + similarity + filter;
  the district is loaded into that database first, not timed: it is cleared, do not point it at data you want);
* ``graphsvc_cores`` (with ``gds`` only): ``graphsvc`` again with the lists shared among as many processes as the
  machine has CPUs, as GDS uses every CPU: what its wall is compared with.

The last line printed is one JSON object: ``{"communities", "graphsvc_s", "plain_s", "gds_s",
"graphsvc_vs_plain", "graphsvc_vs_gds", "lists_full", "graphsvc_parts_s", "lists_vs_plain", "wall_s", "peak_mb",
"load_avg"}``: ``graphsvc_s`` and ``plain_s`` are CPU seconds (median of the rounds) and ``graphsvc_vs_plain`` their
ratio; ``graphsvc_parts_s`` splits graphsvc's into the link model's fit and the lists, and ``lists_vs_plain`` is the
lists alone against the plain pipeline (what a kept model -- ``graphsvc fit``, the API -- leaves to compute);
``gds_s`` is wall seconds (the work is in the server, on every CPU) and ``graphsvc_vs_gds`` the wall of
``graphsvc_cores`` over it (both null without ``--uri``); ``lists_full`` counts, per contender, the communities
given a full list of 10::

    python bench/peers.py --communities 20000
    GRAPHSVC_NEO4J_PASSWORD=... python bench/peers.py --communities 20000 --uri bolt://neo4j@127.0.0.1:7687
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

K = 10


def plain_top10(G: nx.Graph, k: int = K) -> dict[Any, list[Any]]:
    """Adamic-Adar top-``k`` partners (non-community nodes not yet linked) of every community, with scipy.

    >>> G = nx.Graph([("c1", "hub"), ("hub", "p1"), ("c2", "hub"), ("c2", "p2")])
    >>> for n in ("c1", "c2"):
    ...     G.nodes[n]["kind"] = "community"
    >>> plain_top10(G)
    {'c1': ['p1'], 'c2': ['p1']}
    """
    nodes = list(G.nodes)
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr")
    degree = np.asarray(A.sum(axis=1)).ravel()
    inverse_log = np.zeros_like(degree, dtype=float)
    shared = degree > 1
    inverse_log[shared] = 1.0 / np.log(degree[shared])
    is_community = np.array([G.nodes[n].get("kind") == "community" for n in nodes])
    rows = np.flatnonzero(is_community)
    partners = np.flatnonzero(~is_community)
    S = (A[rows] @ sp.diags(inverse_log) @ A[:, partners]).tocsr()  # communities x partners
    linked = A[rows][:, partners].tocsr()
    S = (S - S.multiply(linked)).tocsr()  # partners already linked are not recommended
    S.eliminate_zeros()
    top: dict[Any, list[Any]] = {}
    for r, row in enumerate(rows):
        start, end = S.indptr[r], S.indptr[r + 1]
        cols, scores = S.indices[start:end], S.data[start:end]
        best = cols[np.lexsort((cols, -scores))[:k]]
        top[nodes[row]] = [nodes[partners[c]] for c in best]
    return top


GDS_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS types"
GDS_PROJECT = """
CALL gds.graph.project('graphsvc_peers', ['Community', 'Organization', 'Enterprise', 'School', 'Media'],
  $relationships)
YIELD nodeCount RETURN nodeCount
"""
GDS_SIMILAR = """
MATCH (p:Entity) WHERE NOT p:Community
WITH collect(p) AS partners
CALL gds.nodeSimilarity.filtered.stream('graphsvc_peers',
  {sourceNodeFilter: 'Community', targetNodeFilter: partners, topK: $k})
YIELD node1, node2
WITH node1, count(node2) AS listed
RETURN count(*) AS communities, sum(CASE WHEN listed >= $k THEN 1 ELSE 0 END) AS full
"""
GDS_DROP = "CALL gds.graph.drop('graphsvc_peers', false) YIELD graphName RETURN graphName"


def run_contender(name: str, graph_file: Path, uri: str | None) -> dict[str, Any]:
    """Run one contender in this (child) process: its CPU and wall seconds and how many lists are full."""
    from graphsvc.analysis import Recommender
    from graphsvc.analysis.core.options import RecommendationOptions
    from graphsvc.store.neo4j import Neo4jStore
    from graphsvc.store.neo4j_queries import LINK_TYPES

    with open(graph_file, "rb") as f:
        G: nx.Graph = pickle.load(f)
    cpu, wall = time.process_time(), time.perf_counter()  # imports and the graph's read are not timed
    parts: dict[str, float] = {}
    if name in ("graphsvc", "graphsvc_cores"):
        rec = Recommender.fit(G, seed=0, k=K)  # what recommend_all(G, k=K) does, in its two parts
        parts["fit_cpu_s"] = time.process_time() - cpu
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        answers = rec.answer_all(RecommendationOptions(k=K), workers=1 if name == "graphsvc" else cores)
        parts["lists_cpu_s"] = time.process_time() - cpu - parts["fit_cpu_s"]
        full = sum(len(a.recommendations) >= K for a in answers.values())
    elif name == "plain":
        full = sum(len(top) >= K for top in plain_top10(G).values())
    else:
        with Neo4jStore.from_uri(str(uri)) as store:
            store._read(GDS_DROP)
            present = set(store._read(GDS_TYPES)[0]["types"])  # GDS refuses a type the database does not hold
            links = {t: {"orientation": "UNDIRECTED"} for t in LINK_TYPES.values() if t in present}
            store._read(GDS_PROJECT, relationships=links)
            full = int(store._read(GDS_SIMILAR, k=K)[0]["full"])
            store._read(GDS_DROP)
    return {
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
        "full": full,
        **parts,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=20000, help="size of the generated district")
    parser.add_argument("--runs", type=int, default=2, help="rounds (each runs every contender once)")
    parser.add_argument("--uri", default=None, help="a Neo4j server with GDS (graphsvc neo4j start --with-gds)")
    parser.add_argument("--child", nargs=2, metavar=("CONTENDER", "GRAPH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_contender(args.child[0], Path(args.child[1]), args.uri)))
        return

    from graphsvc.graph import build_graph
    from graphsvc.sample import generate_district

    load_start = os.getloadavg()[0]
    dataset = generate_district(communities=args.communities, seed=0)
    G = build_graph(dataset)
    contenders = ["graphsvc", "plain"]
    if args.uri:
        from graphsvc.errors import ConfigError
        from graphsvc.model import Counts
        from graphsvc.store.neo4j import Neo4jStore

        with Neo4jStore.from_uri(args.uri) as store:
            if store.counts() == Counts.of(dataset):
                print("the Neo4j database holds this district already: kept", file=sys.stderr)
            else:
                store.clear()
                try:
                    store.bulk_upsert(dataset)  # the local server restarts, with GDS as it was started
                except ConfigError:  # not the local server of `graphsvc neo4j start`
                    store.upsert(dataset)
                store._forget_bookmarks()
            has_gds = store._read("SHOW PROCEDURES YIELD name WHERE name = 'gds.version' RETURN count(*) AS n")
        if has_gds[0]["n"]:
            contenders += ["gds", "graphsvc_cores"]
        else:
            print(f"no GDS on {args.uri}: start it with `graphsvc neo4j start --with-gds`", file=sys.stderr)
    print(f"district: {args.communities} communities, {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
    figures: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    with tempfile.TemporaryDirectory(prefix="graphsvc-peers-") as tmp:
        graph_file = Path(tmp) / "district.pickle"
        with open(graph_file, "wb") as f:
            pickle.dump(G, f, protocol=pickle.HIGHEST_PROTOCOL)
        for round_ in range(args.runs):
            for name in contenders if round_ % 2 == 0 else contenders[::-1]:
                cmd = [sys.executable, __file__, "--child", name, str(graph_file)]
                cmd += ["--uri", args.uri] if args.uri else []
                done = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    sys.exit(f"{name} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                figures[name].append(result)
                print(
                    f"round {round_ + 1} {name:8}: {result['cpu_s']:6.1f} s CPU, {result['wall_s']:6.1f} s wall, "
                    f"{result['peak_mb']:,.0f} MB, {result['full']} full lists, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in figures[name])

    gds_s = median("gds", "wall_s") if "gds" in figures else None
    print(
        json.dumps(
            {
                "communities": args.communities,
                "graphsvc_s": round(median("graphsvc", "cpu_s"), 2),
                "plain_s": round(median("plain", "cpu_s"), 2),
                "gds_s": round(gds_s, 2) if gds_s is not None else None,
                "graphsvc_vs_plain": round(median("graphsvc", "cpu_s") / median("plain", "cpu_s"), 2),
                "graphsvc_vs_gds": round(median("graphsvc_cores", "wall_s") / gds_s, 2) if gds_s else None,
                "lists_full": {name: runs[-1]["full"] for name, runs in figures.items()},
                "graphsvc_parts_s": {
                    "fit": round(median("graphsvc", "fit_cpu_s"), 2),
                    "lists": round(median("graphsvc", "lists_cpu_s"), 2),
                },
                "lists_vs_plain": round(median("graphsvc", "lists_cpu_s") / median("plain", "cpu_s"), 2),
                "wall_s": {name: round(median(name, "wall_s"), 2) for name in figures},
                "peak_mb": {name: round(median(name, "peak_mb")) for name in figures},
                "load_avg": [round(load_start, 1), round(os.getloadavg()[0], 1)],
            }
        )
    )


if __name__ == "__main__":
    main()
