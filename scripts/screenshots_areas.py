"""Screenshots of the area overview at 20,000 communities and of the street report, for the docs.

    python3 scripts/screenshots_areas.py [OUTDIR]     # default docs/screenshots
    python3 scripts/screenshots_areas.py --report-only [OUTDIR]   # the report's only (minutes faster)

Writes, at 1400x900 unless said otherwise:

* ``overview-20000.png`` -- the overview of the synthetic sample at 20,000 communities (154 districts), as
  the API serves it (tiles linked to their pages);
* ``district-20000.png`` -- the page of its worst district (its streets as tiles);
* ``report-gongbei.png`` -- the first screen of the report of street 拱北 (sample, 130 communities);
* ``report-gongbei-print.png`` -- its first printed page (print media, A4 at 96 dpi: 794x1123);
* ``report-gongbei.pdf`` -- the report printed to PDF by Chromium (``Page.printToPDF``, A4).

Needs Debian's ``chromium`` (driven by the browser tests' ``tests/viz/cdp.py``).
"""

from __future__ import annotations

import base64
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphsvc.analysis.areas.rollup import area_totals  # noqa: E402
from graphsvc.analysis.gaps.find import all_community_gaps  # noqa: E402
from graphsvc.graph import build_graph  # noqa: E402
from graphsvc.sample import generate_district  # noqa: E402
from graphsvc.viz import PageUrls, overview_page  # noqa: E402
from graphsvc.viz.areas import area_page  # noqa: E402
from graphsvc.viz.panels import gap_shares_of  # noqa: E402
from graphsvc.viz.render import render_street_report  # noqa: E402
from tests.viz.cdp import Browser, find_chromium, launch  # noqa: E402

A4_PX = (794, 1123)


def shoot(browser: Browser, page: Path, png: Path, *, drawn: bool = True) -> None:
    tab = browser.open_tab()
    tab.navigate(page.as_uri(), timeout=180)
    if drawn:
        tab.wait_for("window.graphsvc && window.graphsvc.drawn", timeout=180)
    tab.pump(1.0)
    tab.screenshot(png)
    print(png)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--report-only"]
    report_only = "--report-only" in sys.argv[1:]
    out = Path(args[0]) if args else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    urls = PageUrls("/pages")
    pages: dict[str, str] = {}
    if not report_only:
        started = time.perf_counter()
        big = build_graph(generate_district(communities=20_000))
        gaps = all_community_gaps(big)
        pages["overview-20000"] = overview_page(big, gaps=gaps, gap_shares=gap_shares_of(gaps), urls=urls)
        worst = area_totals(big, gaps, "district")[0].name
        pages["district-20000"] = area_page(big, gaps, "district", worst, urls=urls)
        print(f"20,000 communities: pages built in {time.perf_counter() - started:.0f} s")
    small = build_graph(generate_district())
    pages["report-gongbei"] = render_street_report(small, "拱北")
    with tempfile.TemporaryDirectory() as tmp, launch(chromium, offline=True) as browser:
        files = {}
        for name, html in pages.items():
            files[name] = Path(tmp) / f"{name}.html"
            files[name].write_text(html, encoding="utf-8")
        for name in ("overview-20000", "district-20000"):
            if name in files:
                shoot(browser, files[name], out / f"{name}.png")
        shoot(browser, files["report-gongbei"], out / "report-gongbei.png", drawn=False)
        tab = browser.open_tab()
        width, height = A4_PX
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        tab.call("Emulation.setEmulatedMedia", {"media": "print"})
        tab.navigate(files["report-gongbei"].as_uri())
        tab.pump(1.0)
        tab.screenshot(out / "report-gongbei-print.png")
        print(out / "report-gongbei-print.png")
        pdf = tab.call("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True})
        (out / "report-gongbei.pdf").write_bytes(base64.b64decode(pdf["data"]))
        print(out / "report-gongbei.pdf")


if __name__ == "__main__":
    main()
