"""A SQLite store held by another writer: after a bounded wait, a typed StoreBusy, in the store, the CLI and the API.

Another process's load is stood in for by a second connection that holds the write lock (``BEGIN IMMEDIATE``),
which is what SQLite sees either way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.errors import StoreBusy, StoreUnavailable
from graphsvc.model import Dataset, Entity
from graphsvc.store import SQLiteStore
from tests.api.conftest import AUTH, api_settings
from tests.cli.console import graphsvc

WAIT = 0.2  # seconds a write waits for the other writer in these tests


@contextmanager
def another_writer(path: Path) -> Iterator[None]:
    """Hold the store's write lock, as a load running in another process does."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.fixture
def held_store(tmp_path: Path, tiny: Dataset) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "busy.db", busy_seconds=WAIT) as store:
        store.upsert(tiny)
        yield store  # type: ignore[misc]


def test_a_write_waits_then_is_store_busy_and_changes_nothing(held_store: SQLiteStore) -> None:
    before, version = held_store.counts(), held_store.data_version()
    with another_writer(Path(held_store.path)):
        with pytest.raises(StoreBusy, match="locked by another writer") as info:
            held_store.upsert_entities([Entity(id="m1", kind="media", name="电视台")])
        assert isinstance(info.value, StoreUnavailable)  # callers that retry an unreachable store retry this too
        with pytest.raises(StoreBusy):
            held_store.delete_entity("e1")
        assert held_store.counts() == before  # reads do not wait for the writer (WAL)
    assert held_store.data_version() == version
    held_store.upsert_entities([Entity(id="m1", kind="media", name="电视台")])  # works once the writer is done
    assert held_store.counts().entities["media"] == 1


def test_cli_load_exits_3_with_a_clear_message(held_store: SQLiteStore, tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "entities.csv").write_text("id,kind,name\nm1,media,电视台\n", encoding="utf-8")
    env = {"GRAPHSVC_STORE": held_store.uri, "GRAPHSVC_STORE_BUSY_SECONDS": str(WAIT)}
    with another_writer(Path(held_store.path)):
        result = graphsvc("load", str(files), env=env)
    assert result.code == 3
    assert "locked by another writer" in result.err
    assert "try again" in result.err
    assert "Traceback" not in result.err
    assert held_store.counts().entities["media"] == 0


def test_api_writes_answer_503_with_retry_after(held_store: SQLiteStore) -> None:
    with TestClient(create_app(api_settings(), store=held_store)) as client:
        with another_writer(Path(held_store.path)):
            csv = b"id,kind,name\nm1,media,TV\n"
            posted = client.post("/imports", files=[("files", ("entities.csv", csv, "text/csv"))], headers=AUTH)
            deleted = client.delete("/entities/e1", headers=AUTH)
            read = client.get("/entities/e1")
        for response in (posted, deleted):
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) > 0
            assert "locked by another writer" in response.json()["detail"]
            assert str(held_store.path) not in response.json()["detail"]
        assert read.status_code == 200  # reads go on beside the writer
        assert client.get("/stats").json()["entities"]["media"] == 0
        assert client.delete("/entities/e1", headers=AUTH).status_code == 204
