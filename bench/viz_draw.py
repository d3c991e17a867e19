"""Time to first complete draw of a 500-node page in headless Chromium: server-side layout vs pyvis defaults.

    python bench/viz_draw.py [--runs 3]
    python bench/viz_draw.py --tiny    # a smoke run: the 13-community district, one load of each page

Both pages hold the same 500 nodes and their edges (the synthetic district with
137 communities, less its last two self-organizations) and the same page script
and vis-network 9.1.9, inlined, opened from file:// in Debian's headless
Chromium (the tests' flags, offline). They differ only in layout:

* ``first_draw_ms``: graphsvc's page -- positions computed here by
  :func:`graphsvc.viz.street_layout`, physics off, straight edges;
* ``pyvis_default_ms``: pyvis's defaults (``Network().options``: barnesHut
  physics on, 1,000 stabilisation iterations, dynamic smooth edges), no positions.

"Complete draw" is the first ``afterDrawing`` event once the layout is final:
at once with fixed positions; after ``stabilizationIterationsDone`` with physics.
The time is ``performance.now()`` at that moment (from navigation start) in a
fresh tab, after one untimed warm-up load; the median of ``--runs`` loads (the
pyvis page once by default: it takes minutes). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pyvis.network import Network

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.analysis.gaps.find import all_community_gaps
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
from graphsvc.viz import gap_shares_of, overview_page
from graphsvc.viz.html import Page, render_page
from tests.viz.cdp import Browser, find_chromium, launch
from tests.viz.helpers import page_data

NODES = 500


def five_hundred_nodes() -> Any:
    G = build_graph(generate_district(communities=137, seed=0))
    extra = sorted(n for n in G if str(n).startswith("org-self-"))[-(G.number_of_nodes() - NODES) :]
    G.remove_nodes_from(extra)
    assert G.number_of_nodes() == NODES
    return G


def pyvis_default_page(graphsvc_html: str) -> str:
    """The same nodes and edges with pyvis's default options and no server-side positions."""
    data = page_data(graphsvc_html)
    nodes = [{k: v for k, v in n.items() if k not in ("x", "y")} for n in data["nodes"]]
    options = json.loads(Network().options.to_json())
    page = Page("overview", "pyvis 默认", "pyvis defaults", nodes, data["edges"], options, physics=True, freeze=False)
    return render_page(page)


def tiny_graph() -> Any:
    """The 13-community district (under the layout threshold: both pages run physics)."""
    return build_graph(generate_district(communities=13, seed=0))


def first_draw(browser: Browser, path: Path, nodes: int = NODES) -> float:
    """Milliseconds from navigation start to the first complete draw, in a fresh tab."""
    tab = browser.open_tab()
    try:
        tab.navigate(path.as_uri(), timeout=120)
        ms = float(tab.wait_for("window.graphsvc.drawn && window.graphsvc.firstDrawMs", timeout=900, poll=0.2))
        drawn = tab.evaluate("Object.keys(window.graphsvc.network.getPositions()).length")
        assert drawn == nodes, f"{path.name}: {drawn} nodes drawn"
        assert not tab.exceptions and not tab.console_errors, (tab.exceptions, tab.console_errors)
        return ms
    finally:
        tab.ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed loads of graphsvc's page (median reported)")
    parser.add_argument(
        "--pyvis-runs", type=int, default=1, help="timed loads of the pyvis-defaults page (each takes minutes)"
    )
    parser.add_argument("--tiny", action="store_true", help="smoke run: a 13-community district, one load each")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("Chromium not found: apt-get install -y chromium")
    if args.tiny:
        args.runs = args.pyvis_runs = 1

    G = tiny_graph() if args.tiny else five_hundred_nodes()
    nodes = G.number_of_nodes()
    t0 = time.perf_counter()
    shares = gap_shares_of(all_community_gaps(G))
    ours = overview_page(G, gap_shares=shares)
    build_ms = (time.perf_counter() - t0) * 1000
    if not args.tiny:
        assert page_data(ours)["physics"] is False, "500 nodes is past the layout threshold"
    theirs = pyvis_default_page(ours)
    print(f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges; page built in {build_ms:.0f} ms (Python)")

    with tempfile.TemporaryDirectory() as folder:
        paths = {"layout": Path(folder) / "layout.html", "pyvis": Path(folder) / "pyvis.html"}
        paths["layout"].write_text(ours, encoding="utf-8")
        paths["pyvis"].write_text(theirs, encoding="utf-8")
        times: dict[str, list[float]] = {"layout": [], "pyvis": []}
        with launch(chromium) as browser:
            first_draw(browser, paths["layout"], nodes)  # warm-up (untimed): the browser's first tab is slower
            for name, runs in (("layout", args.runs), ("pyvis", args.pyvis_runs)):
                for run in range(runs):
                    ms = first_draw(browser, paths[name], nodes)
                    times[name].append(ms)
                    print(f"{name:6s} run {run + 1}: first complete draw {ms:9.0f} ms", flush=True)
    first = statistics.median(times["layout"])
    default = statistics.median(times["pyvis"])
    speedup = round(default / first, 1)
    print(json.dumps({"first_draw_ms": round(first, 1), "pyvis_default_ms": round(default, 1), "speedup": speedup}))


if __name__ == "__main__":
    main()
