"""``graphsvc render overview`` of a large territory: the area tiles against the street view it replaced.

    python bench/area_overview.py [--communities 20000]
    python bench/area_overview.py --communities 400 --area-budget 10    # a smoke run

The synthetic sample (``--communities``; beyond 130 it has districts of 10 streets) is loaded into a SQLite
store in a temporary folder; then ``graphsvc render overview`` runs as a person runs it (its own process,
``--links`` so every tile is linked), twice:

* ``render_s``: the page as it is drawn now -- past the aggregate threshold, with more streets than
  ``--area-budget``, the lowest level of the hierarchy that fits, as tiles;
* ``street_view_s``: the baseline, measured in the same run -- the same command with a budget no territory
  reaches, which draws the street view the overview drew before (every street a node, with hubs and partners).

The page's embedded data is read back: ``items`` (tiles drawn; the issue's bound is 400), how many carry a
label and a link. The last line printed is one JSON object: ``communities``, ``render_s``, ``street_view_s``,
``render_vs_street_view``, ``items``, ``labelled``, ``linked``, ``page_mb``, ``street_view_nodes``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphsvc.sample import generate_district  # noqa: E402
from graphsvc.store import SQLiteStore  # noqa: E402

NO_BUDGET = 10**9


def render(db: Path, out: Path, budget: int) -> float:
    """Seconds of one ``graphsvc render overview`` in its own process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "graphsvc", "render", "overview", "-o", str(out), "--store", f"sqlite://{db}"]
    command += ["--area-budget", str(budget), "--links", "/pages"]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def page_data(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="graphsvc-data">(.*?)</script>', html, re.S)
    if match is None:
        raise SystemExit("the page embeds no data")
    value: dict[str, Any] = json.loads(match.group(1))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--area-budget", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp:
        db = Path(tmp) / "graph.db"
        with SQLiteStore(db) as store:
            store.upsert(generate_district(communities=args.communities))
        tiles, streets = Path(tmp) / "tiles.html", Path(tmp) / "streets.html"
        street_view_s = render(db, streets, NO_BUDGET)
        render_s = render(db, tiles, args.area_budget)
        print(f"street view (baseline): {street_view_s:.1f} s; area tiles: {render_s:.1f} s")
        nodes = page_data(tiles.read_text(encoding="utf-8"))["nodes"]
        before = page_data(streets.read_text(encoding="utf-8"))["nodes"]
        result = {
            "communities": args.communities,
            "render_s": round(render_s, 1),
            "street_view_s": round(street_view_s, 1),
            "render_vs_street_view": round(render_s / street_view_s, 2),
            "items": len(nodes),
            "labelled": sum(bool(n.get("label")) for n in nodes),
            "linked": sum(bool(n.get("url")) for n in nodes),
            "page_mb": round(tiles.stat().st_size / 1e6, 1),
            "street_view_nodes": len(before),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
