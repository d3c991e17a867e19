"""The store going away under a running app: 503 problems, old edition kept, recovery without a restart.

``outage`` gives a store plus ``stop()``/``start()``. For SQLite it is a test
double of the store (every call raises ``StoreUnavailable`` while stopped); a
Neo4j param that really stops and restarts the server can join it with the same
shape, and every test here then runs against it too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.api.edition import EditionHolder
from graphsvc.errors import StoreUnavailable
from graphsvc.model import Dataset
from graphsvc.store import GraphStore, SQLiteStore
from tests.api.conftest import AUTH, api_settings, in_service
from tests.neo4j_fixtures import NEO4J_PARAM, Neo4jServer

PROBLEM = "application/problem+json"


class OutageStore(SQLiteStore):
    """A SQLite store that can be made unreachable, as a server going down would be."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.down = False

    def _connection(self) -> Any:
        if self.down:
            raise StoreUnavailable(f"cannot reach the store {self.uri} (stopped by the test)")
        return super()._connection()


@dataclass
class Outage:
    store: GraphStore
    stop: Any
    start: Any
    message: str


@pytest.fixture(params=["sqlite-double", NEO4J_PARAM])
def outage(request: pytest.FixtureRequest, tmp_path: Path, tiny: Dataset) -> Iterator[Outage]:
    if request.param == "neo4j":
        server: Neo4jServer = request.getfixturevalue("neo4j_server")
        neo4j_store: GraphStore = request.getfixturevalue("neo4j_store")
        neo4j_store.upsert(tiny)
        try:
            yield Outage(neo4j_store, server.stop, server.start, "unreachable")
        finally:
            server.start()  # a no-op when it is running
        return
    store = OutageStore(tmp_path / "outage.db")
    store.upsert(tiny)

    def stop() -> None:
        store.down = True

    def start() -> None:
        store.down = False

    try:
        yield Outage(store, stop, start, "cannot reach the store")
    finally:
        store.down = False
        store.close()


def test_store_down_then_back_under_a_running_app(outage: Outage) -> None:
    with TestClient(create_app(api_settings(), store=outage.store)) as client:
        in_service(client)  # the edition kept through the outage
        assert client.get("/stats").status_code == 200
        outage.stop()
        for path in ("/stats", "/readyz", "/communities", "/communities/c1", "/entities/e1"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.headers["content-type"] == PROBLEM
            assert response.headers["retry-after"] == "5"
            assert outage.message in response.json()["detail"]
        deleted = client.delete("/entities/e1", headers=AUTH)
        assert deleted.status_code == 503
        assert client.get("/healthz").status_code == 200
        # Edition reads keep serving the last edition while the store is down.
        assert client.get("/communities/c1/gaps").status_code == 200
        outage.start()
        assert client.get("/readyz").status_code == 200
        assert client.get("/stats").json()["entities"]["enterprise"] == 1
        assert client.delete("/entities/e1", headers=AUTH).status_code == 204


def test_store_reads_answer_503_at_once_once_the_store_is_known_down(outage: Outage) -> None:
    """Once ``/readyz`` (or the watcher) found the store down, requests that need it do not each wait for the
    driver's connection timeout and retries: 503 within a second, until the store answers again."""
    with TestClient(create_app(api_settings(), store=outage.store)) as client:
        in_service(client)
        outage.stop()
        assert client.get("/readyz").status_code == 503  # now the app knows
        for path in ("/stats", "/communities", "/communities/c1", "/entities", "/entities/e1"):
            started = time.monotonic()
            response = client.get(path)
            assert time.monotonic() - started < 1.0, path
            assert response.status_code == 503, path
            assert response.headers["retry-after"] == "5"
            assert outage.message in response.json()["detail"]
        started = time.monotonic()
        assert client.delete("/entities/e1", headers=AUTH).status_code == 503
        assert time.monotonic() - started < 1.0
        outage.start()
        assert client.get("/readyz").status_code == 200  # it answers again: so do the reads, at once
        assert client.get("/stats").status_code == 200
        assert client.get("/entities/e1").status_code == 200


@pytest.mark.parametrize("outage", ["sqlite-double"], indirect=True)  # one real restart is enough
def test_app_starts_while_the_store_is_down(outage: Outage) -> None:
    outage.stop()
    with TestClient(create_app(api_settings(), store=outage.store)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert client.get("/communities/c1/gaps").status_code == 503  # no edition yet
        outage.start()
        assert client.get("/communities/c1/gaps").status_code == 200  # the read waits for the first edition
        assert client.get("/readyz").status_code == 200


# -- the edition holder --------------------------------------------------------
class GatedStore(SQLiteStore):
    """A store whose ``snapshot()`` waits for the test to open a gate (a slow rebuild)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate = threading.Event()
        self.entered = threading.Event()

    def snapshot(self) -> nx.Graph:
        self.entered.set()
        assert self.gate.wait(10)
        return super().snapshot()


def test_readers_see_the_old_snapshot_during_a_rebuild(tmp_path: Path, tiny: Dataset) -> None:
    store = GatedStore(tmp_path / "g.db")
    store.upsert(tiny)
    store.gate.set()
    holder = EditionHolder(store)
    first = holder.current()
    assert first.version == store.data_version() == 1
    store.gate.clear()
    store.entered.clear()
    store.delete_entity("e1")
    writer = threading.Thread(target=holder.check)
    writer.start()
    assert store.entered.wait(5)
    during = holder.current()  # must not wait for the rebuild
    assert during is first
    assert "e1" in during.graph
    store.gate.set()
    writer.join(5)
    after = holder.current()
    assert after.version == store.data_version() == 2
    assert "e1" not in after.graph
    store.close()


@pytest.mark.parametrize("outage", ["sqlite-double"], indirect=True)  # one real restart is enough
def test_failed_rebuild_keeps_the_old_snapshot_and_retries(outage: Outage) -> None:
    holder = EditionHolder(outage.store)
    first = holder.current()
    outage.stop()
    holder.check()  # what the watcher does every round: the store is down, the old edition stays
    assert holder.current() is first
    assert holder.last_error is not None
    outage.start()
    outage.store.delete_entity("e1")
    holder.check()
    assert holder.current().version == outage.store.data_version() > first.version
    assert "e1" not in holder.current().graph
    assert not holder.stale
    assert holder.last_error is None
