"""Showing a page in a notebook: the same HTML, in a sandbox-free ``srcdoc`` iframe.

The page keeps its own Content-Security-Policy and inline scripts, so it draws
without a server and without network access, exactly as the saved file does.

>>> frame = iframe_html("<p>社区</p>", height=300)
>>> frame.startswith("<iframe") and "&lt;p&gt;社区&lt;/p&gt;" in frame and 'height="300"' in frame
True
"""

from __future__ import annotations

import html as html_lib
import importlib
from typing import Any


def iframe_html(page: str, *, height: int = 720) -> str:
    """An ``<iframe srcdoc=...>`` element holding ``page`` (attribute-escaped)."""
    return (
        f'<iframe srcdoc="{html_lib.escape(page, quote=True)}" width="100%" height="{int(height)}" '
        'style="border: 1px solid #dde3ea" loading="lazy"></iframe>'
    )


def show(page: str, *, height: int = 720) -> Any:
    """Display a page in Jupyter: ``show(render_overview(G))`` as the last line of a cell.

    Returns an ``IPython.display.HTML`` object (IPython is imported only here).
    """
    display = importlib.import_module("IPython.display")
    return display.HTML(f"<div>{iframe_html(page, height=height)}</div>")  # a bare <iframe> makes IPython warn
