"""``/docs`` (Swagger UI) and ``/redoc`` render in a real browser with no network.

The API runs under uvicorn on 127.0.0.1 over a five-community district; headless
Chromium (the ``browser`` fixture of ``tests/viz/conftest.py``) runs with every
other host unresolvable. Each page must draw the API's operations from the
app's own assets, raise no JavaScript error and fetch nothing from any other host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore
from tests.viz.cdp import Browser
from tests.viz.helpers import serve_api

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with SQLiteStore(tmp_path_factory.mktemp("docs") / "graph.db") as store:
        store.upsert(generate_district(communities=5))
        with serve_api(store) as url:
            yield url


REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

DRAWN = {
    "/docs": "document.querySelectorAll('.swagger-ui .opblock').length",
    "/redoc": "document.querySelectorAll('redoc [data-section-id^=\"operation/\"]').length",
}


@pytest.mark.parametrize("page", list(DRAWN))
def test_docs_render_offline(browser: Browser, api_url: str, page: str, tmp_path: Path) -> None:
    tab = browser.open_tab()
    try:
        tab.navigate(api_url + page)
        operations = tab.wait_for(DRAWN[page], timeout=60)
        assert operations >= 10  # every route of the API, drawn from /openapi.json
        assert "communities" in tab.evaluate("document.body.innerText")
        assert tab.exceptions == []
        outside = [url for url in tab.requests if not url.startswith((api_url, "data:", "blob:", "about:"))]
        # ReDoc's bundle always asks for Redocly's logo; the page's CSP refuses it before any network use.
        assert outside in ([], [REDOCLY_LOGO] if page == "/redoc" else []), tab.requests
        for url in outside:
            assert any(url in error and "Content Security Policy" in error for error in tab.console_errors)
        assert all("Content Security Policy" in error for error in tab.console_errors), tab.console_errors
        assert any(url.endswith(".js") for url in tab.requests)
        assert tab.screenshot(tmp_path / f"{page.strip('/')}.png").stat().st_size > 10_000
    finally:
        tab.ws.close()
