"""The whole `graphsvc load` command into Neo4j against the same command into SQLite, on the same files.

Writes a synthetic district with ``graphsvc sample --communities N``, then, alternately for ``--runs`` rounds
(the order swapped each round), times the wall clock of the whole command as a person runs it, each into an
empty store: ``graphsvc load DIR`` into a new SQLite file; ``graphsvc load DIR --bulk`` into Neo4j (the
offline importer, run by the local server's launcher in its JVM); and, with ``--ordinary``, ``graphsvc load
DIR`` into Neo4j (the ordinary path: batched transactions). The Neo4j database is cleared before each Neo4j
run (not timed): do not point it at data you want to keep. It must be the local server of ``graphsvc neo4j
start`` (``--home``, default ``$GRAPHSVC_NEO4J_HOME``)::

    GRAPHSVC_NEO4J_PASSWORD=... python bench/load_command.py --uri bolt://neo4j@127.0.0.1:7687 --communities 20000

The last line printed is one JSON object: ``{"communities", "rows", "sqlite_s", "neo4j_s", "rows_per_s",
"neo4j_vs_sqlite", "ordinary_s", "ordinary_rows_per_s", "ordinary_vs_sqlite", "client_cpu_s", "server_cpu_s",
"load_avg"}`` -- medians of the rounds; ``rows_per_s`` and ``neo4j_vs_sqlite`` are the bulk path's (the
``ordinary_*`` ones null without ``--ordinary``); CPU seconds are per command (the client's, the Neo4j server's).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graphsvc.neo4j_server import default_home, status
from graphsvc.store.neo4j import Neo4jStore


def server_cpu(pid: int | None) -> float:
    """CPU seconds the process ``pid`` has used so far (0 if unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_load(directory: Path, store: str, *extra: str, home: Path) -> tuple[float, float, float]:
    """Wall seconds, client CPU seconds and Neo4j server CPU seconds of one ``graphsvc load`` command."""
    env = dict(os.environ, GRAPHSVC_STORE=store, GRAPHSVC_NEO4J_HOME=str(home))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pid = status(home=home)["pid"]
    server_before = server_cpu(pid)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "load", str(directory), "--json", *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"graphsvc load into {store} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    now = status(home=home)["pid"]
    server = server_cpu(pid) - server_before if now == pid else server_cpu(now)  # an older launcher restarts: its start
    return wall, client, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uri", default=os.environ.get("GRAPHSVC_STORE", "bolt://neo4j@127.0.0.1:7687"))
    parser.add_argument("--home", type=Path, default=None, help="the Neo4j server's home (default: its usual one)")
    parser.add_argument("--communities", type=int, default=20000, help="size of the generated district")
    parser.add_argument("--runs", type=int, default=2, help="rounds (each times every contender once)")
    parser.add_argument("--ordinary", action="store_true", help="also time the ordinary path into Neo4j")
    args = parser.parse_args()
    home = (args.home or default_home()).resolve()

    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="graphsvc-load-bench-") as tmp:
        work = Path(tmp)
        district = work / "district"
        subprocess.run(
            [sys.executable, "-m", "graphsvc", "sample", str(district), "--communities", str(args.communities)],
            check=True,
            capture_output=True,
        )
        rows = sum(len(p.read_text("utf-8").splitlines()) - 1 for p in district.glob("*.csv"))
        print(f"district: {args.communities} communities, {rows} rows; Neo4j {args.uri} (home {home})")
        store = Neo4jStore.from_uri(args.uri)
        contenders = ["sqlite", "bulk"] + (["ordinary"] if args.ordinary else [])
        walls: dict[str, list[float]] = {c: [] for c in contenders}
        cpus: dict[str, list[tuple[float, float]]] = {c: [] for c in contenders}
        for round_ in range(args.runs):
            for name in contenders if round_ % 2 == 0 else contenders[::-1]:
                if name == "sqlite":
                    target = f"sqlite:///{work / f'run{round_}.db'}"
                    wall, client, server = timed_load(district, target, home=home)
                else:
                    store.clear()
                    extra = ("--bulk",) if name == "bulk" else ()
                    wall, client, server = timed_load(district, args.uri, *extra, home=home)
                    store._forget_bookmarks()  # a bulk load replaced the database
                walls[name].append(wall)
                cpus[name].append((client, server))
                print(
                    f"round {round_ + 1} {name:8}: {wall:6.1f} s wall ({rows / wall:,.0f} rows/s), "
                    f"client {client:.1f} s CPU, server {server:.1f} s CPU, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        store.clear()
        store.close()

    median = {name: statistics.median(times) for name, times in walls.items()}
    ordinary = median.get("ordinary")
    figures = {
        "communities": args.communities,
        "rows": rows,
        "sqlite_s": round(median["sqlite"], 1),
        "neo4j_s": round(median["bulk"], 1),
        "rows_per_s": round(rows / median["bulk"]),
        "neo4j_vs_sqlite": round(median["bulk"] / median["sqlite"], 2),
        "ordinary_s": round(ordinary, 1) if ordinary else None,
        "ordinary_rows_per_s": round(rows / ordinary) if ordinary else None,
        "ordinary_vs_sqlite": round(ordinary / median["sqlite"], 2) if ordinary else None,
        "client_cpu_s": {n: round(statistics.median(c for c, _ in v), 1) for n, v in cpus.items()},
        "server_cpu_s": {n: round(statistics.median(s for _, s in v), 1) for n, v in cpus.items() if n != "sqlite"},
        "load_avg": [round(load_start, 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
