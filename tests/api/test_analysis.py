"""Gaps and recommendations over the API: the same objects the analysis functions return."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.gaps.find import community_gaps, street_gaps
from graphsvc.analysis.plan.district import district_plan
from graphsvc.analysis.plan.divergences import with_divergences
from graphsvc.analysis.recommender.recommend import Recommender, recommend
from graphsvc.api.app import create_app
from graphsvc.cli import app as cli_app
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore
from tests.api.conftest import AUTH, api_settings, settle

PROBLEM = "application/problem+json"


@pytest.fixture
def district_client(api_store: GraphStore) -> Iterator[tuple[TestClient, GraphStore]]:
    api_store.upsert(generate_district(communities=13, seed=1))
    with TestClient(create_app(api_settings(), store=api_store)) as client:
        yield client, api_store


def test_recommendations_are_the_analysis_result(district_client: tuple[TestClient, GraphStore]) -> None:
    client, store = district_client
    response = client.get("/communities/com-00002/recommendations")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = recommend(store.snapshot(), "com-00002", k=10, seed=0)
    assert response.json() == expected.model_dump(mode="json")
    body = response.json()
    assert 0 < len(body["recommendations"]) <= 10 and body["rank"] == "gain" and body["others"] == []
    assert all(r["gain"] > 0 and r["name"] for r in body["recommendations"])
    padded = client.get("/communities/com-00002/recommendations", params={"others": "true"}).json()
    assert padded["recommendations"] == body["recommendations"]  # the same list, then the others up to k
    assert len(padded["recommendations"]) + len(padded["others"]) == 10
    assert all(r["gain"] == 0 for r in padded["others"])
    assert all(r["reasons"] and r["reasons"][0]["text_en"] for r in body["recommendations"])
    likely = client.get("/communities/com-00002/recommendations", params={"rank": "likelihood"}).json()
    assert likely == recommend(store.snapshot(), "com-00002", k=10, seed=0, rank="likelihood").model_dump(mode="json")
    scores = [r["score"] for r in likely["recommendations"]]
    assert scores == sorted(scores, reverse=True)


def test_explain_one_partner(district_client: tuple[TestClient, GraphStore]) -> None:
    client, _ = district_client
    partners = [p["id"] for p in client.get("/communities/com-00003").json()["partners"]]
    linked = client.get(f"/communities/com-00003/recommendations/{partners[0]}", params={"rank": "gap"})
    assert linked.status_code == 200
    body = linked.json()
    assert body["rank_mode"] == "gap" and body["rank"] is None and not body["listed"]
    assert [k["code"] for k in body["kept_out"]] == ["already_linked"]
    top = client.get("/communities/com-00003/recommendations?k=3").json()["recommendations"][0]["partner"]
    mine = client.get(f"/communities/com-00003/recommendations/{top}?k=3").json()
    assert mine["listed"] and mine["kept_out"] == [] and mine["rank"] == 1
    assert sum(r["contribution"] for r in mine["reasons"]) == pytest.approx(mine["score"], abs=1e-5)
    assert client.get("/communities/com-00003/recommendations/nope").status_code == 404
    assert client.get(f"/communities/com-00003/recommendations/{top}?rank=best").status_code == 422


def test_rank_mode_is_documented_in_openapi(district_client: tuple[TestClient, GraphStore]) -> None:
    client, _ = district_client
    spec = client.get("/openapi.json").json()
    for path in [
        "/communities/{community_id}/recommendations",
        "/communities/{community_id}/recommendations/{partner_id}",
    ]:
        [rank] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "rank"]
        assert "expected need closed" in rank["description"]
        schema = rank["schema"]
        if "$ref" in schema:  # the modes' enum, from the registry, as a component of its own
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        assert schema["enum"] == ["gain", "likelihood", "gap"]


def test_other_k_uses_the_snapshot_recommender(district_client: tuple[TestClient, GraphStore]) -> None:
    client, store = district_client
    body = client.get("/communities/com-00002/recommendations", params={"k": 3}).json()
    expected = Recommender.fit(store.snapshot(), seed=0).recommend("com-00002", k=3)
    assert body == expected.model_dump(mode="json")
    assert 0 < len(body["recommendations"]) <= 3


def test_recommendations_never_repeat_current_partners(district_client: tuple[TestClient, GraphStore]) -> None:
    client, _ = district_client
    partners = {p["id"] for p in client.get("/communities/com-00003").json()["partners"]}
    recommended = {
        r["partner"] for r in client.get("/communities/com-00003/recommendations?k=50").json()["recommendations"]
    }
    assert recommended
    assert not partners & recommended


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ({"kind": ["enterprise"]}, lambda r: r["kind"] == "enterprise"),
        ({"kind": ["school", "media"]}, lambda r: r["kind"] in ("school", "media")),
        ({"min_score": 0.5, "rank": "likelihood"}, lambda r: r["score"] >= 0.5),
        ({"min_score": 0.01}, lambda r: r["score"] >= 0.01 and r["gain"] > 0),
    ],
)
def test_recommendation_filters(
    district_client: tuple[TestClient, GraphStore], query: dict[str, object], check: object
) -> None:
    client, _ = district_client
    body = client.get("/communities/com-00001/recommendations", params={"k": 20, "others": True, **query}).json()  # type: ignore[arg-type]
    assert body["recommendations"] or body["others"]
    assert all(check(r) for r in [*body["recommendations"], *body["others"]])  # type: ignore[operator]


def test_repeated_question_is_served_from_the_cache(district_client: tuple[TestClient, GraphStore]) -> None:
    client, _ = district_client
    first = client.get("/communities/com-00004/recommendations?k=3&min_score=0.1")
    second = client.get("/communities/com-00004/recommendations?k=3&min_score=0.1")
    assert first.content == second.content
    service = client.app.state.graphsvc.editions.loaded.fitted  # type: ignore[attr-defined]
    assert service.cached(("com-00004", RecommendationOptions(k=3, min_score=0.1))) == first.content


@pytest.mark.parametrize(
    "query", ["k=0", "k=101", "kind=community", "kind=alien", "min_score=nan", "min_score=abc", "rank=best"]
)
def test_bad_recommendation_parameters_are_422(district_client: tuple[TestClient, GraphStore], query: str) -> None:
    client, _ = district_client
    response = client.get(f"/communities/com-00001/recommendations?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("path", ["/communities/{}/recommendations", "/communities/{}/gaps"])
@pytest.mark.parametrize("entity", ["nope", "ent-0001"])
def test_analysis_of_unknown_community_is_404(
    district_client: tuple[TestClient, GraphStore], path: str, entity: str
) -> None:
    client, _ = district_client
    response = client.get(path.format(entity))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_community_gaps_are_the_analysis_result(district_client: tuple[TestClient, GraphStore]) -> None:
    client, store = district_client
    body = client.get("/communities/com-00001/gaps").json()
    assert body == community_gaps(store.snapshot(), "com-00001").model_dump(mode="json")
    assert body["uncovered"] == pytest.approx(body["need"] - body["covered"])


def test_street_gaps(district_client: tuple[TestClient, GraphStore]) -> None:
    client, store = district_client
    streets = client.get("/streets").json()
    assert streets["count"] == 1
    assert streets["data"] == [{"street": "拱北", "communities": 13}]
    body = client.get("/streets/拱北/gaps").json()
    assert body == street_gaps(store.snapshot(), "拱北").model_dump(mode="json")
    missing = client.get("/streets/吉大/gaps")
    assert missing.status_code == 404
    assert "吉大" in missing.json()["detail"]


def test_writes_refresh_recommendations(district_client: tuple[TestClient, GraphStore]) -> None:
    client, _ = district_client
    top = client.get("/communities/com-00005/recommendations?k=1").json()["recommendations"][0]["partner"]
    assert client.delete(f"/entities/{top}", headers=AUTH).status_code == 204
    version = settle(client)
    after = client.get("/communities/com-00005/recommendations?k=10").json()["recommendations"]
    assert top not in [r["partner"] for r in after]
    assert client.get("/readyz").json()["edition"]["version"] == version


def test_empty_store_answers_without_errors(api_store: GraphStore) -> None:
    with TestClient(create_app(api_settings(), store=api_store)) as client:
        assert client.get("/communities").json() == {"data": [], "count": 0}
        assert client.get("/streets").json() == {"data": [], "count": 0}
        assert client.get("/communities/c1/recommendations").status_code == 404
        assert client.get("/streets/拱北/gaps").status_code == 404


def test_plan_is_the_analysis_result(district_client: tuple[TestClient, GraphStore]) -> None:
    client, store = district_client
    G = store.snapshot()
    lists = Recommender.fit(G, seed=0).recommend_all(k=1).values()  # the recommender of the edition
    body = client.get("/plan").json()
    assert body == with_divergences(G, district_plan(G), lists).model_dump(mode="json")
    two = client.get("/plan", params={"per_community": 2}).json()
    assert two == with_divergences(G, district_plan(G, per_community=2), lists).model_dump(mode="json")
    assert client.get("/plan", params={"per_community": 0}).status_code == 422


def test_the_plan_says_why_not_the_lists_first(district_client: tuple[TestClient, GraphStore]) -> None:
    client, _ = district_client
    body = client.get("/plan").json()
    assert all(x["name"] and x["community_name"] and x["reasons"] for x in body["links"])
    why = {d["community"]: d for d in body["divergences"]}
    gain = {(x["community"], x["partner"]): x["gain"] for x in body["links"]}
    for link in body["links"]:
        community = link["community"]
        first = client.get(f"/communities/{community}/recommendations").json()["recommendations"][0]
        if first["partner"] == link["partner"]:
            assert community not in why
            continue
        d = why[community]
        assert (d["top"], d["top_name"], d["planned"]) == (first["partner"], first["name"], link["partner"])
        assert d["gain_here"] == pytest.approx(first["gain"], abs=1e-5) and d["gain_planned"] == link["gain"]
        assert all(place["gain"] == gain[place["community"], d["top"]] for place in d["planned_for"])


def test_plan_of_an_empty_store_is_409(api_store: GraphStore) -> None:
    with TestClient(create_app(api_settings(), store=api_store)) as client:
        response = client.get("/plan")
        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM


def test_recommendations_match_the_cli_json(district_client: tuple[TestClient, GraphStore]) -> None:
    client, store = district_client  # the CLI reaches the same store by its URI (Neo4j: password from the environment)
    result = CliRunner().invoke(cli_app, ["recommend", "com-00006", "--json", "--store", store.uri])
    assert result.exit_code == 0, result.output
    assert client.get("/communities/com-00006/recommendations").json() == json.loads(result.stdout)
