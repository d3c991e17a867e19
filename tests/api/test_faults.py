"""Adversarial requests against the API that the loaders' and stores' fault tests do not reach."""

from __future__ import annotations

import unicodedata

from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.model import Entity
from graphsvc.store import GraphStore
from tests.api.conftest import api_settings


def test_an_id_spelt_decomposed_in_a_path_names_the_stored_entity(sqlite_store: GraphStore) -> None:
    sqlite_store.upsert_entities([Entity(id="café", kind="community", name="咖啡社区")])
    decomposed = unicodedata.normalize("NFD", "café")
    with TestClient(create_app(api_settings(), store=sqlite_store)) as client:
        assert client.get(f"/entities/{decomposed}").json()["id"] == "café"
        assert client.get(f"/communities/{decomposed}").status_code == 200
