"""Helpers of the page tests and the draw benchmark: hostile names, reading a page's embedded data, a live API."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graphsvc.model import Dataset, Entity, Link, Need, Offer
from graphsvc.store import GraphStore

XSS_IMG = "<img src=x onerror=alert(1)> href"
"""A name that would run script if it reached innerHTML; "href" is what flips pyvis's template to innerHTML."""
XSS_SCRIPT = "</script><script>alert(1)</script>"
"""A name that would close an inline script block if embedded JSON were not escaped."""
LINE_SEP = "行\u2028分隔"


def hostile_entities() -> tuple[list[Entity], list[Link], list[Need], list[Offer]]:
    """A community and an enterprise with hostile names, in street 拱北, linked to each other."""
    entities = [
        Entity(id="com-xss", kind="community", name=XSS_IMG, name_en=XSS_SCRIPT, street="拱北"),
        Entity(id="ent-xss", kind="enterprise", name=XSS_SCRIPT, name_en=XSS_IMG, street="拱北"),
    ]
    links = [Link(source="ent-xss", target="com-xss", kind="funding", project=XSS_IMG)]
    needs = [Need(community="com-xss", category="elderly_care", weight=2)]
    offers = [Offer(partner="ent-xss", category="funding", capacity=3)]
    return entities, links, needs, offers


def with_hostile(ds: Dataset, *more: Entity) -> Dataset:
    """``ds`` plus the :func:`hostile_entities` and their link, need and offer (plus ``more`` entities)."""
    entities, links, needs, offers = hostile_entities()
    return Dataset(
        entities=[*ds.entities, *entities, *more],
        links=[*ds.links, *links],
        needs=[*ds.needs, *needs],
        offers=[*ds.offers, *offers],
    )


def page_data(html: str) -> dict[str, Any]:
    """The JSON a page embeds for its script (nodes, edges, options...)."""
    match = re.search(r'<script type="application/json" id="graphsvc-data">(.*?)</script>', html, re.S)
    assert match, "the page embeds its data"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def nodes_by_id(html: str) -> dict[str, dict[str, Any]]:
    return {str(n["id"]): n for n in page_data(html)["nodes"]}


@contextmanager
def serve_api(store: GraphStore, **settings: Any) -> Iterator[str]:
    """The app over ``store`` (``settings`` over one key, ``k``, and any more settings given) under uvicorn on a
    free loopback port, in a thread; its base URL."""
    import uvicorn

    from graphsvc.api.app import create_app
    from graphsvc.settings import Settings

    values: dict[str, Any] = {"store": "sqlite://:memory:", "api_keys": "k", "cors_origins": "", **settings}
    application = create_app(Settings(**values), store=store)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
