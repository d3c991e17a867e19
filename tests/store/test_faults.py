"""The ground moving under a store: a full disk, a read-only mount, the SQLite file deleted or replaced, the Neo4j
database wiped or replaced.

Each is "store unavailable": the store raises :class:`~graphsvc.errors.StoreUnavailable` with one sentence
saying what happened, the CLI exits 3 with that one line and no traceback, the API answers 503 with
``Retry-After``, and the store holds exactly what it held before.

The disk is a 3 MB tmpfs and the read-only store a read-only bind mount: both need ``mount``, which needs root.
Without it these tests skip saying so, except under CI (``CI=true``, where they run as root), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.cli.app import report_error
from graphsvc.errors import StoreLost, StoreUnavailable
from graphsvc.model import Dataset, Entity
from graphsvc.store import SQLiteStore
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import AUTH, api_settings, in_service
from tests.cli.console import graphsvc
from tests.neo4j_fixtures import UNDER_CI, Neo4jServer

PROBLEM = "application/problem+json"


def contents(store: SQLiteStore) -> dict[str, Any]:
    return {
        "version": store.data_version(),
        "counts": store.counts().model_dump(),
        "entities": [e.model_dump() for e in store.list_entities()],
        "links": store.list_links(),
        "needs": store.list_needs(),
        "offers": store.list_offers(),
    }


def _mount(*args: str) -> None:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        reason = f"cannot run mount: {exc}"
    else:
        if done.returncode == 0:
            return
        reason = f"mount {' '.join(args)} failed: {done.stderr.strip() or done.returncode}"
    message = f"a small or read-only file system needs mount (root): {reason}"
    if UNDER_CI:
        pytest.fail(message + " (CI=true: these tests must run)", pytrace=False)
    pytest.skip(message)


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30, check=False)


@contextmanager
def small_disk(path: Path, size: str = "3m") -> Iterator[Path]:
    path.mkdir()
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


@contextmanager
def read_only_view(source: Path, path: Path) -> Iterator[Path]:
    """``source`` seen read-only at ``path`` (a bind mount), as a store on a read-only mount is."""
    path.mkdir()
    _mount("--bind", "-o", "ro", str(source), str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill(disk: Path) -> None:
    """Write into ``disk`` until it has no space left."""
    with (disk / "filler").open("wb", buffering=0) as out:  # unbuffered: closing it has nothing left to write
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


def big_csv(folder: Path, rows: int = 3000) -> Path:
    folder.mkdir()
    lines = ["id,kind,name,note"] + [f"n{i},community,社区{i},{'备注' * 50}" for i in range(rows)]
    (folder / "entities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def big_dataset(rows: int = 3000) -> Dataset:
    return Dataset(
        entities=[
            Entity(id=f"n{i}", kind="community", name=f"社区{i}", attributes={"note": "备注" * 50}) for i in range(rows)
        ]
    )


def assert_one_line_exit_3(run: Any, words: str) -> None:
    assert run.code == 3, run.err
    assert words in run.err
    assert "Traceback" not in run.err
    # One line (the app running in this process may log its own warnings into the same stderr meanwhile).
    lines = [line for line in run.err.strip().splitlines() if not line.startswith("edition not refreshed")]
    assert len(lines) == 1, run.err


def assert_503(response: Any, words: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["retry-after"]) > 0
    assert words in response.json()["detail"]


# -- out of space ---------------------------------------------------------------
def test_a_full_disk_is_store_unavailable_and_changes_nothing(tmp_path: Path, tiny: Dataset) -> None:
    data = (big_csv(tmp_path / "in") / "entities.csv").read_bytes()
    with small_disk(tmp_path / "disk") as disk:
        path = disk / "full.db"
        app = create_app(api_settings(max_upload_bytes=10_000_000), store=(store := SQLiteStore(path)))
        # the file made before the app opens it: two threads of one process making a new file at once (the
        # app's watcher and this load) can find it locked while the other switches it to WAL
        store.upsert(tiny)
        with store, TestClient(app) as client:
            in_service(client)  # serving before the disk fills, as a running service is
            before = contents(store)  # type: ignore[arg-type]
            fill(disk)
            with pytest.raises(StoreUnavailable, match="out of space") as info:
                store.upsert(big_dataset())
            assert "nothing was written" in str(info.value)
            assert contents(store) == before  # type: ignore[arg-type]

            run = graphsvc("load", str(tmp_path / "in"), env={"GRAPHSVC_STORE": f"sqlite://{path}"})
            assert_one_line_exit_3(run, "out of space")
            assert contents(store) == before  # type: ignore[arg-type]

            posted = client.post("/imports", files=[("files", ("entities.csv", data, "text/csv"))], headers=AUTH)
            assert_503(posted, "out of space")
            assert str(disk) not in posted.json()["detail"]
            assert contents(store) == before  # type: ignore[arg-type]

            (disk / "filler").unlink()  # space again: the same import goes through, without a restart
            posted = client.post("/imports", files=[("files", ("entities.csv", data, "text/csv"))], headers=AUTH)
            assert posted.status_code == 201, posted.text
            assert store.counts().entities["community"] == 2 + 3000


# -- read-only ------------------------------------------------------------------
def test_a_read_only_store_is_store_unavailable_and_changes_nothing(tmp_path: Path, tiny: Dataset) -> None:
    with small_disk(tmp_path / "disk") as disk:
        with SQLiteStore(disk / "ro.db") as store:
            store.upsert(tiny)
            before = contents(store)  # type: ignore[arg-type]
        with read_only_view(disk, tmp_path / "ro") as view:
            path = view / "ro.db"
            with SQLiteStore(path) as store:
                with pytest.raises(StoreUnavailable, match="read-only"):
                    store.upsert(big_dataset(10))
                with pytest.raises(StoreUnavailable, match="read-only"):
                    store.delete_entity("e1")

                run = graphsvc("load", str(big_csv(tmp_path / "in", 10)), env={"GRAPHSVC_STORE": f"sqlite://{path}"})
                assert_one_line_exit_3(run, "read-only")
                run = graphsvc("stats", env={"GRAPHSVC_STORE": f"sqlite://{path}"})
                assert_one_line_exit_3(run, "read-only")

                with TestClient(create_app(api_settings(), store=store)) as client:
                    data = b"id,kind,name\nm1,media,TV\n"
                    posted = client.post(
                        "/imports", files=[("files", ("entities.csv", data, "text/csv"))], headers=AUTH
                    )
                    assert_503(posted, "read-only")
                    assert_503(client.delete("/entities/e1", headers=AUTH), "read-only")
                    assert_503(client.get("/readyz"), "read-only")
        with SQLiteStore(disk / "ro.db") as store:
            assert contents(store) == before  # type: ignore[arg-type]


# -- the file deleted, moved or replaced under a running app ----------------------
@pytest.fixture
def served(tmp_path: Path, tiny: Dataset) -> Iterator[tuple[SQLiteStore, TestClient]]:
    store = SQLiteStore(tmp_path / "served.db")
    store.upsert(tiny)
    with TestClient(create_app(api_settings(), store=store)) as client:
        in_service(client)
        yield store, client
    store.close()


def db_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def assert_refused_everywhere(client: TestClient, words: str) -> None:
    data = b"id,kind,name\nm1,media,TV\n"
    posted = client.post("/imports", files=[("files", ("entities.csv", data, "text/csv"))], headers=AUTH)
    assert_503(posted, words)
    assert "restart" in posted.json()["detail"]
    assert_503(client.delete("/entities/e1", headers=AUTH), words)
    assert_503(client.get("/readyz"), words)
    assert_503(client.get("/stats"), words)
    assert client.get("/healthz").status_code == 200


def test_store_file_deleted_while_serving(served: tuple[SQLiteStore, TestClient]) -> None:
    store, client = served
    path = Path(store.path)
    for file in db_files(path):
        file.unlink(missing_ok=True)
    assert_refused_everywhere(client, "was deleted or moved")
    assert not path.exists()  # no new, empty file made at the path behind the user's back
    holder = client.app.state.graphsvc.editions  # type: ignore[attr-defined]
    holder.check()  # the freshness tick: the edition in service stays, the store is reported lost
    assert "deleted or moved" in (holder.last_error or "")
    with pytest.raises(StoreLost):
        store.upsert(big_dataset(1))
    with pytest.raises(SystemExit) as exit_info:  # the CLI's exit code for it
        report_error(StoreLost("gone"))
    assert exit_info.value.code == 3


def test_store_file_moved_while_serving(served: tuple[SQLiteStore, TestClient], tmp_path: Path) -> None:
    store, client = served
    path = Path(store.path)
    for file in db_files(path):
        if file.exists():
            file.rename(tmp_path / ("moved-" + file.name))
    assert_refused_everywhere(client, "was deleted or moved")


def test_store_file_replaced_while_serving(served: tuple[SQLiteStore, TestClient], tmp_path: Path) -> None:
    store, client = served
    path = Path(store.path)
    with SQLiteStore(tmp_path / "restored.db") as other:
        other.upsert(Dataset(entities=[Entity(id="r1", kind="media", name="恢复")]))
        restored = contents(other)  # type: ignore[arg-type]
    for file in db_files(path)[1:]:
        file.unlink(missing_ok=True)
    os.replace(tmp_path / "restored.db", path)  # a restore from a backup
    assert_refused_everywhere(client, "was replaced by another file")
    with SQLiteStore(path) as reopened:  # what a restart opens: the restored file, untouched
        assert contents(reopened) == restored  # type: ignore[arg-type]


def test_store_file_copied_back_is_still_another_file(tmp_path: Path, tiny: Dataset) -> None:
    """A copy is a new file even with the same bytes: writes to the old one would be lost, so it is lost too."""
    with SQLiteStore(tmp_path / "a.db") as store:
        store.upsert(tiny)
        store.counts()
        shutil.copy(tmp_path / "a.db", tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", tmp_path / "a.db")
        with pytest.raises(StoreLost, match="replaced"):
            store.counts()


# -- a Neo4j database wiped or replaced under a running app -----------------------
@pytest.mark.parametrize("change", ["replaced", "wiped"])
def test_neo4j_database_replaced_or_wiped_while_serving(neo4j_store: Neo4jStore, tiny: Dataset, change: str) -> None:
    neo4j_store.upsert(tiny)
    with TestClient(create_app(api_settings(), store=neo4j_store)) as client:
        in_service(client)
        query = "MATCH (i:StoreIdentity) SET i.id = 'another'" if change == "replaced" else "MATCH (n) DETACH DELETE n"
        neo4j_store.driver.execute_query(query, database_=neo4j_store.database)
        words = "was replaced by another database" if change == "replaced" else "was wiped"
        with pytest.raises(StoreLost, match=words):
            neo4j_store.data_version()  # what the freshness tick reads
        with pytest.raises(StoreLost, match=words):
            neo4j_store.upsert(big_dataset(1))
        assert_refused_everywhere(client, words)
    fresh = Neo4jStore(neo4j_store.driver, database=neo4j_store.database)  # a restart uses the database as it is
    assert fresh.counts().entities["community"] == (2 if change == "replaced" else 0)


# -- a Neo4j database read-only, or out of space ------------------------------------
def test_a_read_only_neo4j_database_is_store_unavailable_and_changes_nothing(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore, tiny: Dataset, tmp_path: Path
) -> None:
    """The server restarted with every database read-only (as an operator may set
    ``server.databases.default_to_read_only``): writes are "store unavailable", reads go on."""
    neo4j_store.upsert(tiny)
    before = neo4j_store.counts().model_dump()
    env = {"GRAPHSVC_STORE": neo4j_server.uri, "GRAPHSVC_NEO4J_PASSWORD": neo4j_server.password}
    with TestClient(create_app(api_settings(), store=neo4j_store)) as client:
        in_service(client)
        neo4j_server.stop()
        try:
            neo4j_server.start(read_only=True)
            with pytest.raises(StoreUnavailable, match="is read-only: nothing was written"):
                neo4j_store.upsert(big_dataset(10))
            data = b"id,kind,name\nm1,media,TV\n"
            posted = client.post("/imports", files=[("files", ("entities.csv", data, "text/csv"))], headers=AUTH)
            assert_503(posted, "is read-only")
            assert_503(client.delete("/entities/e1", headers=AUTH), "is read-only")
            assert client.get("/entities/e1").status_code == 200  # reads go on

            run = graphsvc("load", str(big_csv(tmp_path / "in", 10)), env=env)
            assert_one_line_exit_3(run, "is read-only")
            run = graphsvc("stats", "--json", env=env)  # a new process reads a read-only database
            assert run.code == 0, run.err
            assert json.loads(run.out)["entities"] == before["entities"]
        finally:
            neo4j_server.stop()
            neo4j_server.start()
    with Neo4jStore.from_uri(neo4j_server.uri, settings=neo4j_server.settings()) as fresh:
        assert fresh.counts().model_dump() == before
        fresh.upsert(big_dataset(1))  # writable again
        assert fresh.counts().entities["community"] == before["entities"]["community"] + 1


def test_a_neo4j_database_out_of_space() -> None:
    pytest.skip(
        "not tested: filling a Neo4j server's disk needs a server of its own on a small file system (a new home "
        "with its jars on a tmpfs, a JVM start of a minute or more on this machine), and Neo4j answers a full "
        "disk by stopping the database until a restart, so the test would be slow and what it sees would depend "
        "on which file fails first. The store answers a server-side failure (Neo.DatabaseError.*) and a database "
        "that is unavailable (Neo.TransientError.*) as store unavailable (503, exit 3); the second is tested with "
        "a stopped server in tests/api/test_outage.py, the first is not exercised"
    )
