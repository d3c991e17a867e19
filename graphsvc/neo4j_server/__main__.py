"""python -m graphsvc.neo4j_server start|stop|status|wipe|install  (manual use; the last line of start is the URI)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import DEFAULT_PORT, Neo4jServerError, install, start, status, stop, wipe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graphsvc.neo4j_server", description="Local Neo4j Community server for graphsvc"
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="cache/data dir (default $GRAPHSVC_NEO4J_HOME or ~/.cache/graphsvc/neo4j)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start (install on first use); prints the URI last")
    p_start.add_argument("--port", type=int, default=DEFAULT_PORT)
    p_start.add_argument("--timeout", type=float, default=180)
    p_stop = sub.add_parser("stop", help="stop cleanly")
    p_stop.add_argument("--timeout", type=float, default=60)
    sub.add_parser("status", help="print status as JSON")
    sub.add_parser("wipe", help="delete the data directory (server must be stopped)")
    sub.add_parser("install", help="fetch Neo4j and compile the launcher only")
    args = parser.parse_args(argv)

    t0 = time.monotonic()
    try:
        if args.command == "start":
            uri = start(home=args.home, port=args.port, timeout=args.timeout)
            print(f"started in {time.monotonic() - t0:.1f} s", file=sys.stderr)
            print(uri)
        elif args.command == "stop":
            stopped = stop(home=args.home, timeout=args.timeout)
            print(f"stopped in {time.monotonic() - t0:.1f} s" if stopped else "not running")
        elif args.command == "status":
            print(json.dumps(status(home=args.home), indent=2))
        elif args.command == "wipe":
            print("data deleted" if wipe(home=args.home) else "no data")
        elif args.command == "install":
            print(install(home=args.home))
    except Neo4jServerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
