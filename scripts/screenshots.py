"""Screenshots of the three pages (overview, community com-00001, street 拱北) at 1400x900, for the docs.

    python3 scripts/screenshots.py [OUTDIR]     # default docs/screenshots

Renders the pages of the synthetic sample district (130 communities) as the CLI does, opens each in
headless Chromium (Debian's ``chromium``, driven by the browser tests' ``tests/viz/cdp.py``), waits
until the page says it has drawn and its layout has settled, and writes one PNG per page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphsvc.graph import build_graph  # noqa: E402
from graphsvc.sample import generate_district  # noqa: E402
from graphsvc.viz import render_community, render_overview, render_street  # noqa: E402
from tests.viz.cdp import find_chromium, launch  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    G = build_graph(generate_district())
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


if __name__ == "__main__":
    main()
