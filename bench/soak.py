"""Worker memory under write churn: mixed reads and writes against ``graphsvc serve --workers 2`` (issue 24).

Loads the synthetic district (``--communities``, default 500) into a fresh SQLite store (``--store sqlite``) or
into the Neo4j server at ``--neo4j-uri`` (``--store neo4j``: the database is REPLACED by the district; the
password comes from ``GRAPHSVC_NEO4J_PASSWORD``), serves it with two workers on loopback and runs, for
``--minutes`` (default 10): ``--readers`` threads reading gaps, recommendations, streets and records of random
communities, and one writer that every ``--write-every`` seconds imports a community ``soak-N`` (a fixed set
of ids, renamed each time, with a need) or deletes one — churn without growth. Every ``--sample-every``
seconds it records each worker's resident set (VmRSS). At the end it checks that every acknowledged write is
in the store (``lost_writes``: an imported name not there, or a deleted id still there).

``errors`` counts transport errors and statuses other than 200/201/204/304/404 and 503 ``stale`` (a worker
saying it is rebuilding: counted apart, ``stale_503``). RSS figures are the two workers' sum, in MB;
``rss_last_5min_growth_mb`` is the growth over the last five minutes (over the whole run if shorter).

Last line::

    {"minutes": m, "rss_start_mb": x, "rss_end_mb": x, "rss_last_5min_growth_mb": x, "errors": n, "lost_writes": n}

    python bench/soak.py [--store sqlite|neo4j] [--minutes 10] [--communities 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _served import AUTH, TLS, Server, load_sample, machine, rss_mb

SOAK_IDS = 20
"""The ids the writer churns over: the data never grows beyond them."""


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = self.errors = self.stale = 0
        self.first_errors: list[str] = []

    def note(self, answer: httpx.Response | None, what: str) -> None:
        with self.lock:
            self.requests += 1
            if answer is not None and answer.status_code == 503 and answer.text.find("/stale") >= 0:
                self.stale += 1
            elif answer is None or answer.status_code not in (200, 201, 204, 304, 404):
                self.errors += 1
                if len(self.first_errors) < 5:
                    self.first_errors.append(f"{what}: {answer.status_code if answer else 'no answer'}")


def read_loop(base: str, communities: list[str], until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60, verify=TLS, headers={"Connection": "close"}) as client:
        while time.monotonic() < until:
            community = rng.choice(communities)
            path = rng.choice(
                [
                    f"/communities/{community}/gaps",
                    f"/communities/{community}/recommendations",
                    f"/communities/{community}/recommendations?k=5&rank=likelihood",
                    f"/entities/{community}",
                    "/streets",
                    f"/entities/soak-{rng.randrange(SOAK_IDS)}",
                ]
            )
            try:
                answer: httpx.Response | None = client.get(path)
            except httpx.HTTPError:
                answer = None
            tally.note(answer, path)


def write_loop(base: str, until: float, every: float, tally: Tally, expected: dict[str, str | None]) -> None:
    """Import or delete ``soak-N`` ids; ``expected`` gets what each acknowledged write left (name or ``None``)."""
    rng = random.Random(7)
    n = 0
    with httpx.Client(base_url=base, timeout=60, verify=TLS, headers={"Connection": "close", **AUTH}) as client:
        while time.monotonic() < until:
            n += 1
            cid = f"soak-{rng.randrange(SOAK_IDS)}"
            try:
                if expected.get(cid) is not None and rng.random() < 0.3:
                    answer: httpx.Response | None = client.delete(f"/entities/{cid}")
                    if answer is not None and answer.status_code == 204:
                        expected[cid] = None
                else:
                    name = f"浸泡社区{n}"
                    entities = f"id,kind,name,street\n{cid},community,{name},拱北\n".encode()
                    needs = f"community,category,weight\n{cid},legal_aid,{1 + n % 3}\n".encode()
                    files = [
                        ("files", ("entities.csv", entities, "text/csv")),
                        ("files", ("needs.csv", needs, "text/csv")),
                    ]
                    answer = client.post("/imports", files=files)
                    if answer.status_code == 201:
                        expected[cid] = name
            except httpx.HTTPError:
                answer = None
            tally.note(answer, "write")
            time.sleep(every)


def lost(base: str, expected: dict[str, str | None]) -> int:
    missing = 0
    for cid, name in expected.items():
        answer = httpx.get(f"{base}/entities/{cid}", timeout=60, verify=TLS)
        if name is None:
            missing += answer.status_code != 404
        else:
            missing += answer.status_code != 200 or answer.json().get("name") != name
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "neo4j"], default="sqlite")
    parser.add_argument("--neo4j-uri", default=os.environ.get("GRAPHSVC_TEST_NEO4J_URI"), help="for --store neo4j")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--communities", type=int, default=500)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--write-every", type=float, default=0.5, help="seconds between writes")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--tiny", action="store_true", help="smoke test: 20 communities, 0.2 minutes")
    args = parser.parse_args()
    if args.tiny:
        args.communities, args.minutes, args.sample_every = 20, 0.2, 2.0
    if args.store == "neo4j" and not args.neo4j_uri:
        parser.error("--store neo4j needs --neo4j-uri (or GRAPHSVC_TEST_NEO4J_URI)")

    with tempfile.TemporaryDirectory(prefix="graphsvc-soak-") as tmp:
        workdir = Path(tmp)
        store = f"sqlite:///{workdir / 'soak.db'}" if args.store == "sqlite" else args.neo4j_uri
        load_sample(store, args.communities, workdir, replace=args.store == "neo4j")
        server = Server(store, 2, workdir / "serve.log")
        try:
            pids = sorted(server.wait_ready(600))
            print(f"workers {pids} ready ({machine()})", flush=True)
            result = soak(server, pids, args)
        finally:
            server.stop()
    print(json.dumps(result))


def minute_median(samples: list[tuple[float, float]], start: float) -> float:
    """The median RSS of the samples taken in the minute from ``start`` (seconds since the soak began)."""
    return statistics.median([rss for t, rss in samples if start <= t <= start + 60] or [samples[-1][1]])


def soak(server: Server, pids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    listed = httpx.get(f"{server.base}/entities", params={"kind": "community", "limit": 500}, verify=TLS).json()
    communities = [e["id"] for e in listed["data"]]
    tally = Tally()
    expected: dict[str, str | None] = {}
    start = time.monotonic()
    until = start + args.minutes * 60
    threads = [
        threading.Thread(target=read_loop, args=(server.base, communities, until, tally, seed))
        for seed in range(args.readers)
    ]
    threads.append(threading.Thread(target=write_loop, args=(server.base, until, args.write_every, tally, expected)))
    for thread in threads:
        thread.start()
    samples: list[tuple[float, float]] = []  # (seconds since start, MB of both workers)
    while True:
        now = time.monotonic()
        samples.append((now - start, sum(rss_mb(pid) for pid in pids)))
        print(f"{samples[-1][0]:6.0f} s  rss {samples[-1][1]:7.1f} MB  requests {tally.requests}", flush=True)
        if now >= until:
            break
        time.sleep(min(args.sample_every, max(0.0, until - now)))
    for thread in threads:
        thread.join(120)
    end_time = samples[-1][0]
    # A rebuild holds two editions for a moment: each figure is the median of a minute's samples, not one sample.
    start_rss = minute_median(samples, 0.0)
    end_rss = minute_median(samples, max(0.0, end_time - 60))
    at_window = minute_median(samples, max(0.0, end_time - 300))
    if tally.first_errors:
        print("first errors:", "; ".join(tally.first_errors), flush=True)
    return {
        "minutes": round(end_time / 60, 2),
        "rss_start_mb": round(start_rss, 1),
        "rss_end_mb": round(end_rss, 1),
        "rss_last_5min_growth_mb": round(end_rss - at_window, 1),
        "rss_last_5min_growth_pct": round(100 * (end_rss - at_window) / at_window, 1) if at_window else None,
        "rss_max_mb": round(max(rss for _, rss in samples), 1),
        "errors": tally.errors,
        "lost_writes": lost(server.base, expected),
        "requests": tally.requests,
        "stale_503": tally.stale,
        "store": args.store,
        "communities": args.communities,
    }


if __name__ == "__main__":
    main()
