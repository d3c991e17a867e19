"""HEAD on every GET route, relative redirects (graphsvc.api.http_details), over the tiny district."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.model import Area, Dataset, Project
from graphsvc.store import GraphStore
from tests.api.conftest import ClientFactory, api_settings

PATH_VALUES = {
    "community_id": "c1",
    "partner_id": "s1",
    "entity_id": "e1",
    "street": "拱北",
    "level": "district",
    "name": "香洲",
    "project_id": "p1",
}
"""A value for each path parameter of the API: ids, a street and the district above it of the tiny district (as
the ``client`` below holds it), and its project."""

ASSET = "graphsvc-page.css"
"""The ``name`` of ``/pages/static/{name}``: a page asset."""


def get_routes() -> list[str]:
    """Every GET route the API documents (the OpenAPI schema), its parameters filled in with the tiny district's."""
    schema: dict[str, Any] = create_app(api_settings()).openapi()
    return sorted(
        path.format(**{**PATH_VALUES, "name": ASSET} if path.startswith("/pages/static/") else PATH_VALUES)
        for path, ops in schema["paths"].items()
        if "get" in ops
    )


@pytest.fixture
def client(make_client: ClientFactory, tiny_store: GraphStore) -> TestClient:
    """The tiny district with its street in a district (香洲) and one project, so that every route has a value."""
    project = Project(id="p1", community="c1", title="长者饭堂", covers={"elderly_care": 1}, budget=100)
    tiny_store.upsert(Dataset(areas=[Area(level="street", name="拱北", parent="香洲")], projects=[project]))
    return make_client()


def test_every_get_route_is_listed() -> None:
    routes = get_routes()
    assert {"/healthz", "/readyz", "/communities/c1/recommendations/s1", "/streets/拱北/gaps"} <= set(routes)
    assert len(routes) >= 15


@pytest.mark.parametrize("path", get_routes())
def test_head_answers_as_get_without_a_body(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200, got.text
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    for header in ("etag", "x-graphsvc-version"):
        assert head.headers.get(header) == got.headers.get(header)
    if path not in ("/readyz",):  # readiness tells which process answered and when its edition was built
        assert head.headers["content-length"] == str(len(got.content))


def test_head_of_an_unknown_id_is_the_get_s_404_without_a_body(client: TestClient) -> None:
    head = client.head("/communities/nope")
    assert head.status_code == 404
    assert head.headers["content-type"] == "application/problem+json"
    assert head.content == b""


def test_head_with_the_version_held_is_304(client: TestClient) -> None:
    etag = client.get("/communities/c1/gaps").headers["etag"]
    head = client.head("/communities/c1/gaps", headers={"If-None-Match": etag})
    assert head.status_code == 304 and head.headers["etag"] == etag


def test_head_of_a_write_only_route_is_not_allowed(client: TestClient) -> None:
    head = client.head("/imports")
    assert head.status_code == 405 and head.content == b""


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/communities/", "/communities"),
        ("/communities/?street=%E6%8B%B1%E5%8C%97", "/communities?street=%E6%8B%B1%E5%8C%97"),
    ],
)
def test_the_trailing_slash_redirect_never_names_the_host_sent(client: TestClient, path: str, location: str) -> None:
    moved = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == location
    followed = client.get(path)
    assert followed.status_code == 200 and followed.json()["count"] == 2
