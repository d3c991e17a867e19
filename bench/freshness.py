"""Seconds from an acknowledged write until every worker serves it, at city size (issue 24).

Writes the synthetic district (``graphsvc sample --communities 20000``), loads it into a fresh SQLite store
(or ``--store URI``), serves it with ``graphsvc serve --workers 2`` on loopback, and then makes ``--writes``
writes through the API, one after another: importing a new community, then deleting it, in turns. After
each write is acknowledged (201/204) it asks, in bursts of simultaneous new connections, both ``/readyz``
(which worker, and the version of the edition it has in service) and ``/streets`` (an answer from the
edition, with its version), until every worker has the write's version in service. It counts the answers
from an older version (``stale_answers_after_1s`` those more than 1 s after the acknowledgement; any older
answer at all breaks the freshness promise) and the 503 ``stale`` answers (allowed: the worker says it is
rebuilding). Bounded: ``--writes`` writes, each watched at most ``--fresh-timeout`` seconds.

Last line::

    {"p99_seconds_to_fresh": x, "stale_answers_after_1s": n, "older_answers": n, "stale_503": n, ...}

    python bench/freshness.py [--communities 20000] [--writes 5] [--tiny]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from _served import ASK_AT_ONCE, AUTH, Server, get, load_sample, machine, readyz_burst

from graphsvc.store import open_store


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def write(base: str, i: int) -> int:
    """The ``i``-th write: import community ``fresh-N`` (even ``i``), delete it (odd); its HTTP status."""
    cid = f"fresh-{i // 2}"
    if i % 2 == 0:
        csv = f"id,kind,name,street\n{cid},community,新鲜社区{i // 2},拱北\n".encode()
        files = [("files", ("entities.csv", csv, "text/csv"))]
        return httpx.post(f"{base}/imports", files=files, headers=AUTH, timeout=120).status_code
    return httpx.delete(f"{base}/entities/{cid}", headers=AUTH, timeout=120).status_code


def streets_burst(base: str) -> list[tuple[int, int | None]]:
    """``/streets`` from simultaneous new connections: (status, version) of each."""

    def one(_: int) -> tuple[int, int | None]:
        try:
            answer = get(f"{base}/streets", timeout=30)
        except httpx.HTTPError:
            return (0, None)
        version = answer.headers.get("x-graphsvc-version")
        return (answer.status_code, int(version) if version else None)

    with ThreadPoolExecutor(ASK_AT_ONCE) as pool:
        return list(pool.map(one, range(ASK_AT_ONCE)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=20_000, help="size of the synthetic district")
    parser.add_argument("--writes", type=int, default=5, help="writes to make (bounded loop)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", help="a store URI to load into (default: a new SQLite file in a temp dir)")
    parser.add_argument("--fresh-timeout", type=float, default=900, help="most seconds to watch one write")
    parser.add_argument("--start-timeout", type=float, default=1800, help="most seconds for the workers to start")
    parser.add_argument("--tiny", action="store_true", help="smoke test: 20 communities, 2 writes")
    args = parser.parse_args()
    if args.tiny:
        args.communities, args.writes, args.fresh_timeout, args.start_timeout = 20, 2, 60, 120

    with tempfile.TemporaryDirectory(prefix="graphsvc-fresh-") as tmp:
        workdir = Path(tmp)
        store = args.store or f"sqlite:///{workdir / 'fresh.db'}"
        started = time.monotonic()
        load_sample(store, args.communities, workdir, replace=args.store is not None)
        print(f"district of {args.communities} communities loaded in {time.monotonic() - started:.0f} s", flush=True)
        server = Server(store, args.workers, workdir / "serve.log")
        try:
            started = time.monotonic()
            pids = server.wait_ready(args.start_timeout)
            print(f"{len(pids)} workers ready in {time.monotonic() - started:.0f} s ({machine()})", flush=True)
            result = watch_writes(server, store, args)
        finally:
            server.stop()
    print(json.dumps(result))


def watch_writes(server: Server, store: str, args: argparse.Namespace) -> dict[str, Any]:
    to_fresh: list[float] = []
    late = older = stale_503 = errors = 0
    with open_store(store) as reader:
        for i in range(args.writes):
            status = write(server.base, i)
            acked = time.monotonic()
            if status not in (201, 204):
                errors += 1
                continue
            target = reader.data_version()
            fresh_at: dict[int, float] = {}
            while len(fresh_at) < len(server.pids) and time.monotonic() - acked < args.fresh_timeout:
                for status, version in streets_burst(server.base):
                    now = time.monotonic()
                    if status == 503:
                        stale_503 += 1
                    elif status != 200 or version is None:
                        errors += 1
                    elif version < target:
                        older += 1
                        late += now - acked > 1.0
                for body in readyz_burst(server.base):
                    if body["edition"]["version"] >= target:
                        fresh_at.setdefault(body["process"], time.monotonic() - acked)
            seconds = max(fresh_at.values()) if len(fresh_at) == len(server.pids) else math.inf
            to_fresh.append(seconds)
            print(f"write {i + 1}: version {target}, every worker fresh after {seconds:.2f} s", flush=True)
    return {
        "p99_seconds_to_fresh": round(p99(to_fresh), 2) if to_fresh and math.isfinite(p99(to_fresh)) else None,
        "stale_answers_after_1s": late,
        "older_answers": older,
        "stale_503": stale_503,
        "errors": errors,
        "writes": args.writes,
        "communities": args.communities,
        "workers": args.workers,
    }


if __name__ == "__main__":
    main()
