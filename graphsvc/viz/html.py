"""From a built :class:`Page` to one HTML document: escaping, embedded data, assets, CSP.

Safety rules, in one place:

* Every text in the HTML (titles, legend, panels, filter options) goes through
  Jinja's autoescaping.
* The network's data is embedded as JSON in a ``<script type="application/json">``
  block, with ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX``
  escapes (:func:`script_json`), so no name can close the block or open a tag.
  It is read with ``JSON.parse(textContent)``.
* The page's own script shows data with ``textContent`` only; node labels are
  drawn on a canvas, and tooltips are plain strings, which vis-network 9 shows
  with ``innerText``. pyvis's HTML template is never used: it switches to an
  ``innerHTML`` tooltip when a title contains ``href`` and loads its scripts
  from CDNs.
* A Content-Security-Policy allows only the page's own scripts (by SHA-256 hash
  when inlined, same origin when served), so even an injected ``<script>`` or
  ``onerror=`` attribute would not run; nothing is fetched from the network.

>>> script_json({"name": "</script><script>alert(1)</script>"})
'{"name": "\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

VIS_NETWORK_VERSION = "9.1.9"
"""The vendored vis-network standalone build (see ``graphsvc/viz/static/README.md``)."""

ASSETS: dict[str, str] = {
    "vis-network.min.js": "text/javascript; charset=utf-8",
    "graphsvc-page.js": "text/javascript; charset=utf-8",
    "graphsvc-page.css": "text/css; charset=utf-8",
}
"""The files a served page loads, with their media types; nothing else under ``static/`` is served."""

TEMPLATE = "page.html.j2"
"""The Jinja template of every page (autoescaped), beside the assets."""

_SOURCE_MAP = "//# sourceMappingURL=vis-network.min.js.map"


@cache
def asset_text(name: str) -> str:
    """The text of one of :data:`ASSETS` (``KeyError`` for any other name).

    The vendored script's source-map comment is dropped: the map is not shipped,
    and browsers would ask the server for it.
    """
    if name not in ASSETS:
        raise KeyError(name)
    text = resources.files("graphsvc.viz").joinpath("static", name).read_text(encoding="utf-8")
    return text.replace(_SOURCE_MAP, "")


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``<``, ``>``, ``&``, U+2028/2029)."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in text)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@dataclass(frozen=True)
class Cell:
    """One table cell; ``href`` only ever holds a URL graphsvc built."""

    text: str
    href: str | None = None
    cls: str = ""
    detail: str = ""  # a second, smaller line under the text (long lists go here rather than in a narrow column)


@dataclass(frozen=True)
class Item:
    """One entry of a panel's list, with optional lines under it."""

    text: str
    href: str | None = None
    cls: str = ""
    sub: tuple[str, ...] = ()


@dataclass(frozen=True)
class Panel:
    """A titled block of the side panel: a note, a table and/or a list."""

    title: str
    note: str = ""
    columns: tuple[str, ...] = ()
    numeric: frozenset[int] = frozenset()
    rows: tuple[tuple[Cell, ...], ...] = ()
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: a glyph (``symbol``) in ``color``, or a line sample (``line``/``dash``)."""

    label: str
    color: str = ""
    symbol: str = ""
    line: str = ""


@dataclass
class Page:
    """Everything one page shows, before it becomes HTML."""

    kind: str
    title_zh: str
    title_en: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    physics: bool
    notices: list[str] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    kind_filters: list[tuple[str, str]] = field(default_factory=list)
    category_filters: list[tuple[str, str]] = field(default_factory=list)
    street_filters: list[str] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    png_name: str = "graphsvc.png"
    freeze: bool = True  # with physics: stop it once the layout has stabilised (nodes then stay where dragged)
    street_labels: dict[str, str] = field(default_factory=dict)  # street -> label drawn above its communities
    search: list[list[str]] = field(default_factory=list)  # [id, name, kind, street, tile]: found beyond the nodes
    links: dict[str, str] = field(default_factory=dict)  # where pages are served, for the search index's entries

    def data(self) -> dict[str, Any]:
        """What the page's script reads from the embedded JSON."""
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "options": self.options,
            "physics": self.physics,
            "freezeAfterStabilizing": self.physics and self.freeze,
            "pngName": self.png_name,
            "streetLabels": self.street_labels,
            "search": self.search,
            "links": self.links,
        }


@cache
def _template() -> Any:
    source = resources.files("graphsvc.viz").joinpath("static", TEMPLATE).read_text(encoding="utf-8")
    return Environment(autoescape=True, keep_trailing_newline=True).from_string(source)


def csp(*, inline: bool) -> str:
    """The page's Content-Security-Policy: its own scripts only, no network access."""
    if inline:
        scripts = " ".join(_sha256(asset_text(name)) for name in ("vis-network.min.js", "graphsvc-page.js"))
    else:
        scripts = "'self'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def render_page(page: Page, *, asset_url: str | None = None) -> str:
    """The HTML document of ``page``.

    With ``asset_url=None`` (the default) the page carries its scripts and style
    inline and works as a single file, offline; otherwise it loads
    ``vis-network.min.js``, ``graphsvc-page.js`` and ``graphsvc-page.css`` from
    ``asset_url`` (e.g. ``/pages/static``), as the API serves them.
    """
    inline = asset_url is None
    html: str = _template().render(
        page=page,
        inline=inline,
        asset_url=(asset_url or "").rstrip("/"),
        csp=csp(inline=inline),
        vis_version=VIS_NETWORK_VERSION,
        css=Markup(asset_text("graphsvc-page.css")) if inline else "",
        vis_js=Markup(asset_text("vis-network.min.js")) if inline else "",
        page_js=Markup(asset_text("graphsvc-page.js")) if inline else "",
        data_json=Markup(script_json(page.data())),
    )
    return html
