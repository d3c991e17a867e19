"""Neo4j store: batched load vs one query per row, and snapshot extraction vs a drain-only read.

Runs against a real Neo4j (``graphsvc neo4j start`` prints the URI)::

    GRAPHSVC_NEO4J_PASSWORD=... python bench/neo4j_load.py --uri bolt://neo4j@127.0.0.1:7687 --communities 500

Both sides of each ratio run in this one process, on the same rows, against the same server. The last line
printed is one JSON object: ``{"batched_vs_per_row": x, "batched_rows_per_s": x, "snapshot_vs_drain": x}``.
The database is wiped before each measurement: do not point it at data you want to keep.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

from graphsvc.model import Dataset
from graphsvc.sample import generate_district
from graphsvc.store.neo4j import Neo4jStore, entity_props, link_row
from graphsvc.store.neo4j_queries import (
    MERGE_NEEDS,
    MERGE_OFFERS,
    SNAPSHOT_PAGE,
    merge_entities_query,
    merge_links_query,
)


def timed(work: Callable[[], object], repeat: int = 1) -> float:
    """The median wall time of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_row_load(store: Neo4jStore, dataset: Dataset) -> None:
    """The naive way: the store's own statements, sent once per row, each in its own transaction.

    ``load=None`` is what the store sends for a load in one transaction: ``$load`` marks what a load batched over
    several transactions creates, so that a failed batch can be undone; a one-transaction load marks nothing.
    """
    run = store.driver.execute_query
    db = store.database
    for e in dataset.entities:
        run(merge_entities_query(e.kind), rows=[{"id": e.id, "props": entity_props(e)}], load=None, database_=db)
    for link in dataset.links:
        run(merge_links_query(link.kind), rows=[link_row(link)], load=None, database_=db)
    for n in dataset.needs:
        run(MERGE_NEEDS, rows=[n.model_dump()], load=None, database_=db)
    for o in dataset.offers:
        run(MERGE_OFFERS, rows=[o.model_dump()], load=None, database_=db)


def drain(store: Neo4jStore) -> None:
    """Run the snapshot's query, page after page, and only pull every page, doing nothing with its rows."""
    with store.driver.session(database=store.database) as session:
        start = ""
        while True:
            page = session.run(SNAPSHOT_PAGE, {"from": start, "page": store.snapshot_page}).single(strict=True)
            if len(page["rows"]) < store.snapshot_page:
                break
            start = page["last"] + "\0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uri", default=os.environ.get("GRAPHSVC_STORE", "bolt://neo4j@127.0.0.1:7687"))
    parser.add_argument("--communities", type=int, default=500, help="size of the generated district")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read measurement (median taken)")
    args = parser.parse_args()

    dataset = generate_district(communities=args.communities, seed=0)
    rows = dataset.row_count()
    store = Neo4jStore.from_uri(args.uri)
    print(f"district: {args.communities} communities, {rows} rows; server {args.uri}")

    # Warm up both ways on a small district first, so both are measured with their query plans cached.
    warm = generate_district(communities=13, seed=1)
    store.clear()
    per_row_load(store, warm)
    store.clear()
    store.upsert(warm)

    store.clear()
    per_row_s = timed(lambda: per_row_load(store, dataset))
    print(f"one query per row: {per_row_s:.2f} s ({rows / per_row_s:.0f} rows/s)")

    store.clear()
    batched_s = timed(lambda: store.upsert(dataset))
    print(f"batched UNWIND load: {batched_s:.2f} s ({rows / batched_s:.0f} rows/s)")

    drain(store)  # warm the page cache and the query plans for both reads
    store.snapshot()
    drain_s = timed(lambda: drain(store), args.repeat)
    snapshot_s = timed(store.snapshot, args.repeat)
    print(f"drain-only read: {drain_s * 1000:.0f} ms; snapshot graph: {snapshot_s * 1000:.0f} ms")
    store.clear()
    store.close()

    figures = {
        "batched_vs_per_row": round(per_row_s / batched_s, 1),
        "batched_rows_per_s": round(rows / batched_s),
        "snapshot_vs_drain": round(snapshot_s / drain_s, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
