"""The Neo4j snapshot against the SQLite snapshot of the same data, in one run.

Either generate a district and load it into both stores (a new SQLite file in a temporary directory, and the
Neo4j database, which is cleared first: do not point it at data you want to keep)::

    GRAPHSVC_NEO4J_PASSWORD=... python bench/neo4j_snapshot.py --uri bolt://neo4j@127.0.0.1:7687 --communities 2000

or take two stores already holding the same data (loaded from the same files; nothing is written)::

    GRAPHSVC_NEO4J_PASSWORD=... python bench/neo4j_snapshot.py --uri bolt://neo4j@127.0.0.1:7687 \\
        --sqlite path/to/graph.db

Each store's ``snapshot_with_version()`` (what the API and the fitted model read) runs ``--repeat`` times,
alternating between the stores, and the best time of each counts (the machine may be shared). The two graphs
must be equal — same nodes, edges and attributes, in the same order — or the bench stops. Wall and CPU
seconds (of this process: the Neo4j server's own CPU is not in it) are printed per run. The last line is one
JSON object: ``{"communities": N, "sqlite_s": x, "neo4j_s": y, "ratio": y/x}``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import networkx as nx

from graphsvc.graph import communities
from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore
from graphsvc.store.base import GraphStore
from graphsvc.store.neo4j import Neo4jStore


def timed_snapshot(store: GraphStore) -> tuple[float, float, nx.Graph]:
    """Wall and CPU seconds of one ``snapshot_with_version()``, and the graph."""
    wall, cpu = time.perf_counter(), time.process_time()
    _, graph = store.snapshot_with_version()
    return time.perf_counter() - wall, time.process_time() - cpu, graph


def assert_same_graph(a: nx.Graph, b: nx.Graph) -> None:
    """The same nodes, edges and attributes, in the same order (what analyses iterate over)."""
    if not nx.utils.graphs_equal(a, b):
        raise SystemExit("the two snapshots differ: the stores do not hold the same data")
    if list(a.nodes(data=True)) != list(b.nodes(data=True)) or list(a.edges(data=True)) != list(b.edges(data=True)):
        raise SystemExit("the two snapshots hold the same graph in a different order")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uri", default=os.environ.get("GRAPHSVC_STORE", "bolt://neo4j@127.0.0.1:7687"))
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--communities", type=int, default=500, help="generate a district this large, load both")
    source.add_argument("--sqlite", type=Path, help="an existing SQLite store holding the Neo4j store's data")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated district")
    parser.add_argument("--repeat", type=int, default=3, help="snapshots per store (the best counts)")
    args = parser.parse_args()

    neo4j_store = Neo4jStore.from_uri(args.uri)
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as scratch:
        if args.sqlite is not None:
            if not args.sqlite.is_file():
                raise SystemExit(f"no SQLite store at {args.sqlite}")
            sqlite_store = SQLiteStore(args.sqlite)
        else:
            dataset = generate_district(communities=args.communities, seed=args.seed)
            sqlite_store = SQLiteStore(Path(scratch) / "graph.db")
            started = time.perf_counter()
            sqlite_store.upsert(dataset)
            loaded = time.perf_counter()
            neo4j_store.clear()
            neo4j_store.upsert(dataset)
            print(
                f"loaded {dataset.row_count()} rows: SQLite {loaded - started:.1f} s, "
                f"Neo4j {time.perf_counter() - loaded:.1f} s"
            )
        if sqlite_store.counts() != neo4j_store.counts():
            raise SystemExit(f"the stores hold different data: {sqlite_store.counts()} vs {neo4j_store.counts()}")

        best = {"sqlite": float("inf"), "neo4j": float("inf")}
        graphs: dict[str, nx.Graph] = {}
        for run in range(1, args.repeat + 1):
            for name, store in (("sqlite", sqlite_store), ("neo4j", neo4j_store)):
                graphs.pop(name, None)  # one graph of each store alive at a time
                wall, cpu, graphs[name] = timed_snapshot(store)
                best[name] = min(best[name], wall)
                print(f"run {run} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
            assert_same_graph(graphs["sqlite"], graphs["neo4j"])
        graph = graphs["sqlite"]
        n = len(communities(graph))
        print(f"{n} communities, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges: the same graph")
        sqlite_store.close()
    neo4j_store.close()
    ratio = best["neo4j"] / best["sqlite"]
    print(f"best of {args.repeat}: SQLite {best['sqlite']:.2f} s, Neo4j {best['neo4j']:.2f} s, ratio {ratio:.2f}")
    figures = {
        "communities": n,
        "sqlite_s": round(best["sqlite"], 2),
        "neo4j_s": round(best["neo4j"], 2),
        "ratio": round(ratio, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
