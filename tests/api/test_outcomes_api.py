"""``/outcomes``: recorded with an API key, listed like the other reads; a decline leaves a partner off the list."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graphsvc.store import GraphStore
from tests.api.conftest import AUTH, settle

PROBLEM = "application/problem+json"
DECLINE = {"community": "c2", "partner": "s1", "status": "已婉拒", "reason": "too far", "at": "2026-03-05", "by": "王"}


def listed(client: TestClient) -> list[str]:
    answer = client.get("/communities/c2/recommendations", params={"k": 5})
    assert answer.status_code == 200, answer.text
    return [r["partner"] for r in answer.json()["recommendations"]]


def test_a_recorded_decline_leaves_the_partner_off_the_list(client: TestClient, tiny_store: GraphStore) -> None:
    assert "s1" in listed(client)
    posted = client.post("/outcomes", json=DECLINE, headers=AUTH)
    assert posted.status_code == 201, posted.text
    assert posted.json() == {
        **{"community": "c2", "partner": "s1", "status": "declined", "at": "2026-03-05", "reason": "too_far"},
        **{"by": "王", "rank": None, "probability": None},
    }
    settle(client)
    assert "s1" not in listed(client)
    assert client.get("/communities/c2/recommendations").json()["declined"] == ["s1"]
    why = client.get("/communities/c2/recommendations/s1").json()
    assert [(k["code"], k["text_en"]) for k in why["kept_out"]] == [("declined", "declined on 2026-03-05: too far")]
    found = client.get("/outcomes", params={"partner": "s1"}).json()
    assert found["count"] == 1 and found["data"][0]["reason"] == "too_far"
    assert client.get("/outcomes", params={"community": "c1"}).json() == {"data": [], "count": 0}
    assert tiny_store.counts().outcomes == 1


def test_recording_needs_the_write_key(client: TestClient, tiny_store: GraphStore) -> None:
    response = client.post("/outcomes", json=DECLINE, headers={"X-API-Key": "wrong"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert tiny_store.list_outcomes() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": None}, None),
        ({"status": "maybe"}, "status"),
        ({"reason": "busy"}, "reason"),
        ({"partner": "ghost"}, "partner"),
        ({"partner": "c1"}, "partner"),
        ({"community": "e1"}, "community"),
        ({"rank": "best"}, "rank"),
        ({"probability": 1.5}, "probability"),
        ({"at": "someday"}, "at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_outcome_is_a_422_naming_the_field(
    client: TestClient, tiny_store: GraphStore, change: dict[str, object], field: str | None
) -> None:
    body = {k: v for k, v in {**DECLINE, **change}.items() if v is not None}
    response = client.post("/outcomes", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problems = response.json()["problems"]
    assert [p["field"] for p in problems] == [field]
    assert all(p["reason"] for p in problems)
    assert tiny_store.list_outcomes() == []


def test_outcomes_are_documented_in_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    post, get = schema["paths"]["/outcomes"]["post"], schema["paths"]["/outcomes"]["get"]
    assert post["tags"] == get["tags"] == ["outcomes"]
    assert {"201", "401", "403", "422"} <= set(post["responses"])
    assert "API key" in post["summary"]
    body = schema["components"]["schemas"]["OutcomeCreate"]
    assert {"community", "partner", "status"} <= set(body["required"])
    assert "no_capacity" in body["properties"]["reason"]["description"]
    assert body["examples"][0]["status"] == "declined"
    assert {p["name"] for p in get["parameters"]} == {"community", "partner"}
    assert "outcomes" in {t["name"] for t in schema["tags"]}


def test_include_declined_lists_them_again(client: TestClient) -> None:
    assert client.post("/outcomes", json=DECLINE, headers=AUTH).status_code == 201
    settle(client)
    asked = client.get("/communities/c2/recommendations", params={"k": 5, "include_declined": "true"}).json()
    assert "s1" in [r["partner"] for r in asked["recommendations"]]
    assert asked["declined"] == []
    why = client.get("/communities/c2/recommendations/s1", params={"include_declined": "true"}).json()
    assert "declined" not in [k["code"] for k in why["kept_out"]] and why["listed"]
    assert "s1" not in listed(client)  # the default list still leaves it out
