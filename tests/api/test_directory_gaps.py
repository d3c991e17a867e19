"""A directory without needs over the API: gaps say ``needs_recorded: false`` (documented in OpenAPI), name the
policy profile, which the setting ``GRAPHSVC_POLICY`` chooses; the pages colour it grey, never green."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.errors import ConfigError
from graphsvc.loaders import load_paths
from graphsvc.settings import load_settings
from graphsvc.store import SQLiteStore
from graphsvc.viz.style import GAP_LEVELS, NO_NEEDS_GAP
from tests.api.conftest import AUTH, api_settings, in_service, settle
from tests.viz.helpers import nodes_by_id

V1 = Path(__file__).parents[1] / "loaders" / "hsds_v1"


@pytest.fixture
def directory_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "dir.db") as store:
        load_paths(store, [V1])
        yield store  # type: ignore[misc]


def client_of(store: SQLiteStore, **overrides: object) -> TestClient:
    client = TestClient(create_app(api_settings(**overrides), store=store))
    client.__enter__()
    in_service(client)
    return client


def test_gaps_say_no_needs_recorded_under_the_directory_default(directory_store: SQLiteStore) -> None:
    client = client_of(directory_store)
    try:
        body = client.get("/communities/city:Bay Town/gaps").json()
        assert body["needs_recorded"] is False and body["coverage"] is None
        assert body["profile"] == "generic" and body["roles_missing"] == [] and body["reached_by_hub"] is None
        district = client.get("/gaps").json()
        assert district["needs_recorded"] is False and district["coverage"] is None
        assert district["profile"] == "generic" and district["policy"]["checks"] == []
        assert [d["community"] for d in district["service_deserts"]] == [
            "city:Bay Town",
            "city:Harbor City",
            "city:拱北",
        ]
        schema = client.get("/openapi.json").json()["components"]["schemas"]["CommunityGaps"]["properties"]
        assert "needs table" in schema["needs_recorded"]["description"]
        assert "hub or generic" in schema["profile"]["description"]
        overview = nodes_by_id(client.get("/pages/overview").text)
        colours = {overview[c]["color"] for c in ("city:Bay Town", "city:Harbor City", "city:拱北")}
        assert colours == {NO_NEEDS_GAP.color} and NO_NEEDS_GAP.color not in {g.color for g in GAP_LEVELS}
        page = client.get("/pages/communities/city:Bay Town").text
        assert "no needs recorded" in page and "100%" not in page.split("需求缺口 Gaps")[1].split("</section>")[0]
        assert "service deserts" in page and "not residents&#39; needs" in page
        assert [c["category"] for c in body["service_deserts"]] == ["youth", "children"]
        assert "supply-side gap" in schema["service_deserts"]["description"]
    finally:
        client.__exit__(None, None, None)


def test_the_policy_setting_chooses_the_profile(directory_store: SQLiteStore) -> None:
    client = client_of(directory_store, policy="hub")
    try:
        body = client.get("/communities/city:Bay Town/gaps").json()
        assert body["profile"] == "hub" and len(body["roles_missing"]) == 3 and body["reached_by_hub"] is False
        assert client.get("/gaps").json()["policy"]["profile"] == "hub"
    finally:
        client.__exit__(None, None, None)
    with pytest.raises(ConfigError, match=r"GRAPHSVC_POLICY.*hub or generic"):
        load_settings(policy="xiangzhou")


def test_import_keep_going_writes_the_consistent_rows(directory_store: SQLiteStore) -> None:
    entities = f"id,kind,name\nc9,community,Nine\nc10,community,{'x' * 600}\n".encode()
    links = b"source,target,kind\norg-1,c9,service\norg-1,c10,service\norg-1,nobody,service\n"
    files = [("files", (name, data, "text/csv")) for name, data in (("entities.csv", entities), ("links.csv", links))]
    client = client_of(directory_store)
    try:
        refused = client.post("/imports", files=files, headers=AUTH)
        assert refused.status_code == 422 and "keep_going=true" in refused.json()["detail"]
        assert client.get("/entities/c9").status_code == 404
        done = client.post("/imports", params={"keep_going": "true"}, files=files, headers=AUTH)
        assert done.status_code == 201, done.text
        body = done.json()
        assert body["keep_going"] and body["skipped_rows"] == 3
        assert sorted((s["file"], s["line"]) for s in body["skipped"]) == [
            ("entities.csv", 3),
            ("links.csv", 3),
            ("links.csv", 4),
        ]
        assert body["skipped_by_reason"]["[target] no entity with id … in this load or the store"] == 2
        assert (body["after"]["links"] - body["before"]["links"]) == 1
        settle(client)
        assert client.get("/entities/c9").status_code == 200
    finally:
        client.__exit__(None, None, None)


def test_district_gaps_of_an_empty_store_are_a_conflict(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "empty.db") as store:
        client = client_of(store)
        try:
            response = client.get("/gaps")
            assert response.status_code == 409 and "no communities" in response.json()["detail"]
            assert client.get("/pages/overview").status_code == 200
        finally:
            client.__exit__(None, None, None)
