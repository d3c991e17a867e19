"""Projects and the fair over the API: reads from the edition, writes with the key, the fair's three formats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graphsvc.analysis.fair.match import fair, first_come
from graphsvc.api.app import create_app
from graphsvc.fitted import stored_model
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore
from tests.api.conftest import AUTH, api_settings, settle

PROBLEM = "application/problem+json"


@pytest.fixture
def district(api_store: GraphStore) -> Iterator[tuple[TestClient, GraphStore]]:
    api_store.upsert(generate_district(communities=26, seed=1))
    with TestClient(create_app(api_settings(), store=api_store)) as client:
        yield client, api_store


def test_projects_are_read_with_their_labels_and_sponsors(district: tuple[TestClient, GraphStore]) -> None:
    client, store = district
    stored = store.list_projects()
    body = client.get("/projects", params={"limit": 500}).json()
    assert body["count"] == len(stored) > 0
    assert [p["id"] for p in body["data"]] == [p.id for p in stored]
    taken = next(p for p in body["data"] if p["sponsors"])
    assert taken["status_zh"] and taken["sponsors"][0]["name"]
    proposed = client.get("/projects", params={"status": "proposed"}).json()
    assert {p["status"] for p in proposed["data"]} == {"proposed"}
    one = stored[0]
    assert client.get(f"/projects/{one.id}").json()["covers"] == one.covers
    mine = client.get(f"/communities/{one.community}/projects").json()
    assert one.id in [p["id"] for p in mine["data"]]
    assert client.get("/projects/nope").status_code == 404
    assert client.get("/communities/nope/projects").status_code == 404


def test_writing_projects_needs_the_key_and_names_every_problem(district: tuple[TestClient, GraphStore]) -> None:
    client, _ = district
    doc = {
        "projects": [{"id": "prj-new", "community": "com-00001", "title": "新项目", "covers": "youth:1", "budget": 900}]
    }
    assert client.post("/projects", json=doc).status_code == 401
    bad = {"projects": [{**doc["projects"][0], "community": "ghost", "covers": "flying:1"}]}
    refused = client.post("/projects", json=bad, headers=AUTH)
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    fields = {(p["line"], p["field"]) for p in refused.json()["problems"]}
    assert {(1, "community"), (1, "covers")} <= fields
    other = client.post("/projects", json={**doc, "entities": []}, headers=AUTH)
    assert other.status_code == 422 and "POST /imports" in other.text
    assert client.post("/projects", content=b"{", headers=AUTH).status_code == 422
    assert client.post("/projects", json=doc, headers=AUTH).status_code == 201
    settle(client)
    assert client.get("/projects/prj-new").json()["title"] == "新项目"
    assert client.delete("/projects/prj-new").status_code == 401
    assert client.delete("/projects/prj-new", headers=AUTH).status_code == 204
    assert client.delete("/projects/prj-new", headers=AUTH).status_code == 404
    settle(client)
    assert client.get("/projects/prj-new").status_code == 404


def test_the_fair_is_the_analysis_result_in_three_formats(district: tuple[TestClient, GraphStore]) -> None:
    client, store = district
    answer = client.get("/fair")
    assert answer.status_code == 200
    G = store.snapshot()
    model, _ = stored_model(store, G)
    expected = fair(G, model=model)
    body = answer.json()
    assert body["matches"] == expected.model_dump(mode="json")["matches"]
    assert body["first_come_need_covered"] == first_come(G, model=model).need_covered
    sheet = client.get("/fair", params={"format": "html", "street": "拱北"})
    assert sheet.headers["content-type"].startswith("text/html") and "@page" in sheet.text
    table = client.get("/fair", params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    assert len(table.text.strip().splitlines()) == 1 + body["projects"]
    assert client.get("/fair", params={"street": "火星"}).status_code == 404
    assert client.get("/fair", params={"solver": "magic"}).status_code == 422


def test_a_fair_with_the_sponsors_given(district: tuple[TestClient, GraphStore]) -> None:
    client, _ = district
    sponsors = [{"partner": "ent-0001", "budget": 5000}]
    body = client.post("/fairs", json={"sponsors": sponsors}).json()
    assert {m["sponsor"] for m in body["matches"]} <= {"ent-0001"}
    assert sum(m["cost"] for m in body["matches"]) <= 5000
    refused = client.post("/fairs", json={"sponsors": [{"partner": "com-00001", "budget": 1}]})
    assert refused.status_code == 422 and "com-00001" in refused.text


def test_projects_and_the_fair_are_in_openapi(district: tuple[TestClient, GraphStore]) -> None:
    client, _ = district
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/projects"])
    assert "delete" in paths["/projects/{project_id}"]
    assert "get" in paths["/communities/{community_id}/projects"]
    assert "get" in paths["/fair"] and "post" in paths["/fairs"]


def test_the_fair_of_an_empty_store(api_store: GraphStore) -> None:
    with TestClient(create_app(api_settings(), store=api_store)) as client:
        body = client.get("/fair").json()
    assert body["projects"] == 0 and body["matches"] == [] and body["first_come_need_covered"] == 0
