"""Drill-down in a real browser: a territory too large to draw node by node, from the overview's areas to a
street and a community, in headless Chromium against the API (as planners open the served pages).

The sample at 400 communities has 31 streets in 4 districts (about 1,450 nodes, over the overview's
aggregation threshold); the app is told to draw at most 10 areas, so the overview draws the 4 districts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore
from tests.viz.cdp import Browser, CdpError, Tab
from tests.viz.helpers import serve_api

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

BUDGET = 10


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("drill") / "graph.db"
    with SQLiteStore(db) as store:
        store.upsert(generate_district(communities=400, seed=0))
        with serve_api(store, page_area_budget=BUDGET) as base:
            yield base


def settle(tab: Tab, page: str, timeout: float = 90) -> None:
    """Wait until the tab shows a drawn page of kind ``page`` (across a navigation the tab started itself)."""
    deadline = time.monotonic() + timeout
    expression = f"document.body && document.body.dataset.page === {page!r} && window.graphsvc && window.graphsvc.drawn"
    while time.monotonic() < deadline:
        try:
            if tab.evaluate(expression):
                return
        except CdpError:  # the old document went away mid-evaluation
            pass
        tab.pump(0.1)
    raise AssertionError(f"no drawn {page} page after {timeout} s: {tab.evaluate('location.href')}")


def table_rows(tab: Tab) -> list[list[str]]:
    return tab.evaluate(  # type: ignore[no-any-return]
        "[...document.querySelector('aside table').querySelectorAll('tbody tr')]"
        ".map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def test_overview_areas_street_community(browser: Browser, api: str, tmp_path: Path) -> None:
    tab = browser.open_tab()
    try:
        tab.navigate(api + "/pages/overview", timeout=120)
        settle(tab, "areas")
        nodes = tab.evaluate("window.graphsvc.nodes.get()")
        assert 1 < len(nodes) <= BUDGET
        assert {n["label"].splitlines()[0] for n in nodes} == {"香洲", "金湾", "斗门", "横琴"}
        assert all(n["url"].startswith("/pages/areas/district/") for n in nodes)
        rows = table_rows(tab)
        uncovered = [float(r[2]) for r in rows]
        assert uncovered == sorted(uncovered, reverse=True), "the side table is worst first"
        assert [r[0] for r in rows] == [n["label"].splitlines()[0] for n in nodes]  # tiles in the table's order
        tab.screenshot(tmp_path / "overview.png")

        # the worst district, from the table's link: its streets as tiles, worst first
        tab.evaluate("document.querySelector('aside table a').click()")
        settle(tab, "areas")
        assert tab.evaluate("decodeURIComponent(location.pathname)") == f"/pages/areas/district/{rows[0][0]}"
        streets = tab.evaluate("window.graphsvc.nodes.get()")
        assert 1 < len(streets) <= 10 and all(n["url"].startswith("/pages/streets/") for n in streets)
        street_rows = table_rows(tab)
        assert [float(r[2]) for r in street_rows] == sorted((float(r[2]) for r in street_rows), reverse=True)

        # the worst street, by double-clicking its tile: the street's page with its communities
        worst = streets[0]
        tab.evaluate(
            f"void window.graphsvc.network.body.emitter.emit('doubleClick', {{nodes: [{worst['id']!r}], edges: []}})"
        )
        settle(tab, "street")
        assert tab.evaluate("decodeURIComponent(location.pathname)") == f"/pages/streets/{worst['area']}"
        assert tab.evaluate("[...document.querySelectorAll('aside a')].some(a => a.href.includes('/reports/'))")

        # a community from the street's table
        tab.evaluate("[...document.querySelectorAll('aside a')].find(a => a.href.includes('/communities/')).click()")
        settle(tab, "community")
        assert tab.exceptions == [] and tab.console_errors == []
    finally:
        tab.ws.close()


def test_search_opens_the_page_of_anything_in_the_territory(browser: Browser, api: str) -> None:
    tab = browser.open_tab()
    try:
        tab.navigate(api + "/pages/overview", timeout=120)
        settle(tab, "areas")
        tab.evaluate("window.graphsvc.find('com-00123')")  # a community by id: its page
        settle(tab, "community")
        assert tab.evaluate("decodeURIComponent(location.pathname)") == "/pages/communities/com-00123"
        tab.navigate(api + "/pages/overview", timeout=120)
        settle(tab, "areas")
        tab.evaluate("window.graphsvc.find('爱心企业7（示例）')")  # a partner by name: the street it works in
        settle(tab, "street")
        tab.navigate(api + "/pages/overview", timeout=120)
        settle(tab, "areas")
        tab.evaluate("window.graphsvc.find('吉大2')")  # a street by name
        settle(tab, "street")
        assert tab.evaluate("decodeURIComponent(location.pathname)") == "/pages/streets/吉大2"
    finally:
        tab.ws.close()
