"""Screenshots of the three pages (overview, community com-00001, street 拱北) at 1400x900, and of the fair's
printable sheet for 拱北 as it prints (A4 at 96 dpi, print media), for the docs.

    python3 scripts/screenshots.py [OUTDIR]              # default docs/screenshots
    python3 scripts/screenshots.py [OUTDIR] --fair-only  # only fair-sheet-gongbei.png

Renders the pages of the synthetic sample district (130 communities) as the CLI does, opens each in
headless Chromium (Debian's ``chromium``, driven by the browser tests' ``tests/viz/cdp.py``), waits
until the page says it has drawn and its layout has settled, and writes one PNG per page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphsvc.graph import build_graph  # noqa: E402
from graphsvc.sample import generate_district  # noqa: E402
from graphsvc.viz import render_community, render_overview, render_street  # noqa: E402
from tests.viz.cdp import Browser, find_chromium, launch  # noqa: E402

if TYPE_CHECKING:
    import networkx as nx


A4_PIXELS = (794, 1123)
"""An A4 page at 96 dpi (210 x 297 mm), the size the fair's sheet is shot at."""


def fair_sheet(browser: Browser, G: nx.Graph, out: Path, tmp: Path) -> Path:
    """The fair's sheet for 拱北 (the link model fitted on ``G``, default sponsors), shot as it prints."""
    from graphsvc.analysis.fair.match import fair
    from graphsvc.analysis.linkmodel.model_selection import fit_model
    from graphsvc.viz.fair_sheet import fair_sheet_html

    page = tmp / "fair-sheet-gongbei.html"
    page.write_text(fair_sheet_html(fair(G, model=fit_model(G, seed=0), street="拱北")), encoding="utf-8")
    tab = browser.open_tab()
    width, height = A4_PIXELS
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1.5, "mobile": False},
    )
    tab.call("Emulation.setEmulatedMedia", {"media": "print"})
    tab.navigate(page.as_uri())
    tab.wait_for("document.readyState === 'complete'", timeout=60)
    tab.pump(0.5)
    return tab.screenshot(out / "fair-sheet-gongbei.png")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    fair_only = "--fair-only" in sys.argv[1:]
    out = Path(args[0]) if args else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    G = build_graph(generate_district())
    if fair_only:
        with tempfile.TemporaryDirectory() as tmp, launch(chromium, offline=True) as browser:
            print(fair_sheet(browser, G, out, Path(tmp)))
        return
    pages = {
        "overview": render_overview(G),
        "community-com-00001": render_community(G, "com-00001", k=5),
        "street-gongbei": render_street(G, "拱北"),
    }
    with tempfile.TemporaryDirectory() as tmp, launch(chromium, offline=True) as browser:
        for name, html in pages.items():
            page = Path(tmp) / f"{name}.html"
            page.write_text(html, encoding="utf-8")
            tab = browser.open_tab()
            tab.navigate(page.as_uri())
            tab.wait_for("window.graphsvc && window.graphsvc.drawn", timeout=120)
            tab.pump(1.0)
            tab.screenshot(out / f"{name}.png")
            print(out / f"{name}.png")
        print(fair_sheet(browser, G, out, Path(tmp)))


if __name__ == "__main__":
    main()
