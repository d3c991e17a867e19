"""``GET /timeline``: the same years and fragile partnerships as ``graphsvc timeline``, 4xx for bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.store import GraphStore
from tests.api.conftest import api_settings
from tests.cli.test_timeline_cli import small


@pytest.fixture
def client(api_store: GraphStore) -> Iterator[TestClient]:
    api_store.upsert(small())
    with TestClient(create_app(api_settings(), store=api_store)) as client:
        yield client


def test_timeline_by_street_and_fragile(client: TestClient) -> None:
    body = client.get("/timeline", params={"on": "2026-06-01"}).json()
    assert [(y["year"], y["formed"], y["lapsed"], y["held"]) for y in body["years"]] == [
        (2022, 1, 0, 1),
        (2023, 0, 0, 1),
        (2024, 1, 0, 2),
        (2025, 1, 0, 3),
    ]
    assert [f["partner"] for f in body["fragile"]] == ["e2"]
    a = client.get("/timeline", params={"street": "A", "on": "2026-06-01", "within": 10}).json()
    assert (a["street"], a["partnerships"], a["fragile"], a["by_street"]) == ("A", 2, [], {})
    ended = client.get("/timeline", params={"on": "2026-07-01"}).json()  # p1 ended, no link holds c1-e2
    assert (ended["lapsed"], ended["years"][-1]["year"], ended["years"][-1]["lapsed"]) == (1, 2026, 1)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"street": "Z"}, 404),
        ({"on": "someday"}, 422),
        ({"on": "2026-13-45"}, 422),
        ({"on": "0"}, 422),
        ({"on": "20260101"}, 422),
        ({"on": ""}, 422),
        ({"within": "-1"}, 422),
    ],
)
def test_bad_timeline_requests_are_4xx_with_a_body(client: TestClient, params: dict[str, str], status: int) -> None:
    done = client.get("/timeline", params=params)
    assert done.status_code == status
    assert done.headers["content-type"].startswith("application/problem+json") and done.json()["detail"]
