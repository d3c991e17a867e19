"""What planners see: interactive network pages (pyvis / vis-network), offline and safe.

* :func:`overview_page`, :func:`community_page`, :func:`street_page` -- pure
  builders: the snapshot graph plus analysis results in, one HTML string out;
* :func:`render_overview`, :func:`render_community`, :func:`render_street` --
  the same pages with the analyses run for you (CLI, API, notebooks);
* :func:`show` -- display a page inline in a notebook.

Pages carry (or are served with) their own scripts: nothing is loaded from the
internet. Every name is shown as text, never as HTML. See
``graphsvc/viz/static/README.md`` for the vendored vis-network build.
"""

from graphsvc.viz.display_graph import PageOptions, PageUrls, vis_options
from graphsvc.viz.html import ASSETS, VIS_NETWORK_VERSION, asset_text, render_page, script_json
from graphsvc.viz.layout import street_layout
from graphsvc.viz.notebook import iframe_html, show
from graphsvc.viz.pages import community_page, overview_page, street_page
from graphsvc.viz.panels import gap_shares_of
from graphsvc.viz.render import render_community, render_overview, render_street

__all__ = [
    "ASSETS",
    "VIS_NETWORK_VERSION",
    "PageOptions",
    "PageUrls",
    "asset_text",
    "community_page",
    "gap_shares_of",
    "iframe_html",
    "overview_page",
    "render_community",
    "render_overview",
    "render_page",
    "render_street",
    "script_json",
    "show",
    "street_layout",
    "street_page",
    "vis_options",
]
