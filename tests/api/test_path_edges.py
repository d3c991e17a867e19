"""Paths at their edges: a street whose name holds "/", and the why-not route asked about what is no candidate."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from graphsvc.model import Entity, Need
from graphsvc.store import GraphStore
from tests.api.conftest import ClientFactory, settle


def test_a_street_named_with_a_slash_is_reachable(make_client: ClientFactory, tiny_store: GraphStore) -> None:
    tiny_store.upsert_entities([Entity(id="c9", kind="community", name="斜杠社区", street="a/b")])
    tiny_store.upsert_needs([Need(community="c9", category="legal_aid", weight=2)])
    client = make_client()
    settle(client)
    listed = [s["street"] for s in client.get("/streets").json()["data"]]
    assert "a/b" in listed
    gaps = client.get(f"/streets/{quote('a/b', safe='')}/gaps")
    assert gaps.status_code == 200, gaps.text
    assert gaps.json()["street"] == "a/b" and gaps.json()["uncovered"] == 2
    assert client.get("/streets/a/b/gaps").json() == gaps.json()  # the same street, "/" sent as it is
    page = client.get(f"/pages/streets/{quote('a/b', safe='')}")
    assert page.status_code == 200 and "斜杠社区" in page.text
    assert client.get("/streets/a/gaps").status_code == 404  # a street "a" does not exist
    assert client.get("/communities", params={"street": "a/b"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("partner", "detail"),
    [
        ("c2", "'c2' is a community, not a partner: only partners are recommended to a community"),
        ("c1", "'c1' is the community asked about: it is not a partner of its own"),
        ("nope", "no entity with id 'nope'"),
    ],
)
def test_why_not_something_that_is_no_partner_says_what_it_is(client: TestClient, partner: str, detail: str) -> None:
    answer = client.get(f"/communities/c1/recommendations/{partner}")
    assert answer.status_code == 404
    assert answer.json()["detail"] == detail


def test_why_not_a_partner_already_linked_is_answered(client: TestClient) -> None:
    answer = client.get("/communities/c1/recommendations/hub")
    assert answer.status_code == 200
    assert [kept["code"] for kept in answer.json()["kept_out"]] == ["already_linked"]
