"""Read endpoints over the tiny district: lists, paging, filters, details, stats, health."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graphsvc.cli import app as cli_app
from graphsvc.store import GraphStore, SQLiteStore
from tests.api.conftest import AUTH, ClientFactory

PROBLEM = "application/problem+json"


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_store_and_snapshot(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["edition"]["nodes"] == 5
    assert body["edition"]["edges"] == 3
    assert body["edition"]["stale"] is False


def test_communities_list_is_data_and_count(client: TestClient) -> None:
    body = client.get("/communities").json()
    assert [c["id"] for c in body["data"]] == ["c1", "c2"]
    assert body["count"] == 2
    assert body["data"][0] == {
        "id": "c1",
        "kind": "community",
        "name": "拱北第1社区",
        "name_en": None,
        "street": "拱北",
        "subtype": None,
        "capacity": None,
        "attributes": {},
    }


@pytest.mark.parametrize(
    ("query", "ids", "count"),
    [
        ("street=拱北", ["c1", "c2"], 2),
        ("street=吉大", [], 0),
        ("limit=1", ["c1"], 2),
        ("limit=1&offset=1", ["c2"], 2),
        ("offset=5", [], 2),
    ],
)
def test_communities_filter_and_paging(client: TestClient, query: str, ids: list[str], count: int) -> None:
    body = client.get(f"/communities?{query}").json()
    assert [c["id"] for c in body["data"]] == ids
    assert body["count"] == count


@pytest.mark.parametrize("query", ["limit=501", "limit=0", "offset=-1", "limit=ten"])
def test_bad_paging_is_a_422_problem(client: TestClient, query: str) -> None:
    response = client.get(f"/communities?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 422
    assert body["instance"] == "/communities"
    assert body["problems"][0]["field"] == query.split("=")[0]


def test_community_detail(client: TestClient) -> None:
    body = client.get("/communities/c1").json()
    assert body["entity"]["name"] == "拱北第1社区"
    assert body["needs"] == {"elderly_care": 3.0}
    assert body["partners"] == [
        {"id": "e1", "kind": "enterprise", "name": "爱心企业一", "link_kinds": ["funding"]},
        {"id": "hub", "kind": "organization", "name": "拱北星辰", "link_kinds": ["coordination"]},
    ]
    assert body["links"]["gaps"] == "/communities/c1/gaps"
    assert body["links"]["recommendations"] == "/communities/c1/recommendations"


@pytest.mark.parametrize("path", ["/communities/nope", "/entities/nope", "/communities/e1"])
def test_unknown_id_is_a_404_problem(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["title"] == "Not found"
    assert body["instance"] == path
    assert path.rsplit("/", 1)[1] in body["detail"]


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(("kind", "ids"), [("enterprise", ["e1"]), ("school", ["s1"]), ("社区", None)])
def test_entities_by_kind(client: TestClient, kind: str, ids: list[str] | None) -> None:
    response = client.get("/entities", params={"kind": kind})
    if ids is None:
        assert response.status_code == 422
        assert response.json()["problems"][0]["field"] == "kind"
    else:
        assert [e["id"] for e in response.json()["data"]] == ids


def test_entity_detail_uses_model_fields(client: TestClient) -> None:
    body = client.get("/entities/e1").json()
    assert body["capacity"] == 2
    assert body["attributes"] == {"contact": "王"}


def test_stats_is_the_cli_object(client: TestClient, tiny_store: GraphStore) -> None:
    body = client.get("/stats").json()
    assert body == tiny_store.counts().model_dump()
    assert body["entities"]["community"] == 2
    if isinstance(tiny_store, SQLiteStore):
        result = CliRunner().invoke(cli_app, ["stats", "--json", "--store", tiny_store.uri])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == body


def test_reads_can_require_a_key(make_client: ClientFactory) -> None:
    client = make_client(read_requires_key=True)
    assert client.get("/communities").status_code == 401
    assert client.get("/communities", headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/communities", headers=AUTH).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_cors_only_for_listed_origins(make_client: ClientFactory) -> None:
    client = make_client(cors_origins="https://planner.example")
    preflight = {"Access-Control-Request-Method": "GET"}
    allowed = client.options("/communities", headers={"Origin": "https://planner.example", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "https://planner.example"
    other = client.get("/communities", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_by_default(client: TestClient) -> None:
    response = client.get("/communities", headers={"Origin": "https://planner.example"})
    assert "access-control-allow-origin" not in response.headers


def test_openapi_documents_problems_and_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "synthetic" in schema["info"]["description"]
    get_community = schema["paths"]["/communities/{community_id}"]["get"]
    assert set(get_community["responses"]["404"]["content"]) == {PROBLEM}
    assert get_community["parameters"][0]["schema"]["examples"] == ["com-00001"]
    assert schema["paths"]["/imports"]["post"]["security"] == [{"ApiKey": []}]
    assert "security" not in schema["paths"]["/communities"]["get"]
    assert client.get("/docs").status_code == 200
