"""Paths at their edges: the why-not route asked about what is no candidate."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


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
