"""Fixtures for the API tests: a fresh store per test, an app built by ``create_app`` over it, a client.

``api_store`` is parametrised over :data:`API_STORES`; the Neo4j store joins by
adding ``NEO4J_PARAM`` there (it then comes from the ``neo4j_store`` fixture of
``tests/neo4j_fixtures.py``), and every API test runs against it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.model import Dataset
from graphsvc.settings import Settings
from graphsvc.store import GraphStore, SQLiteStore
from tests.neo4j_fixtures import NEO4J_PARAM

API_STORES = ["sqlite", NEO4J_PARAM]
KEY = "k-7f3c2a"
AUTH = {"X-API-Key": KEY}


def api_settings(**overrides: Any) -> Settings:
    """Settings for a test app: one API key, nothing taken from the developer's environment."""
    values: dict[str, Any] = {
        "store": "sqlite://:memory:",
        "api_keys": KEY,
        "read_requires_key": False,
        "cors_origins": "",
        "max_upload_bytes": 1_000_000,
        "max_rows": 100_000,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture(params=API_STORES)
def api_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each implementation the API is tested against."""
    if request.param == "sqlite":
        store: GraphStore = SQLiteStore(tmp_path / "api.db")
        try:
            yield store
        finally:
            store.close()
    else:
        yield request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def tiny_store(api_store: GraphStore, tiny: Dataset) -> GraphStore:
    """The hand-checkable two-community district of ``tests/conftest.py``."""
    api_store.upsert(tiny)
    return api_store


ClientFactory = Callable[..., TestClient]


def settle(client: TestClient, timeout: float = 30) -> int:
    """Wait until the app serves the store's current data version (writes are followed in the background)."""
    state = client.app.state.graphsvc  # type: ignore[attr-defined]
    version: int = state.store.data_version()
    assert state.editions.wait_for(version, timeout), f"the edition did not reach version {version}"
    return version


def in_service(client: TestClient, timeout: float = 30) -> None:
    """Wait until the app has its first edition in service (it is built in the background from start-up)."""
    state = client.app.state.graphsvc  # type: ignore[attr-defined]
    assert state.editions.wait_for(0, timeout), f"no edition in service after {timeout} s: {state.editions.last_error}"


@pytest.fixture
def make_client(tiny_store: GraphStore) -> Iterator[ClientFactory]:
    """Build a client for an app over the tiny store with the given settings overrides."""
    clients: list[TestClient] = []

    def make(store: GraphStore | None = None, **overrides: Any) -> TestClient:
        client = TestClient(create_app(api_settings(**overrides), store=store or tiny_store))
        client.__enter__()  # runs the lifespan (starts building the first edition)
        clients.append(client)
        in_service(client)  # tests read /readyz's figures at once (reads would wait for the edition by themselves)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    """A client of an app with one API key over the tiny store."""
    return make_client()
