"""Every answer follows the store's data version: writes by anyone are served at once or refused, and tagged.

The app watches the store's data version in the background (``GRAPHSVC_FRESHNESS_MS``), and each read compares
it with the edition's: a read never gets an answer older than the store's version when it arrived (it waits
briefly for the new edition, or gets 503 stale). Answers computed from the edition carry its version (``ETag``,
``X-Graphsvc-Version``) and a matching ``If-None-Match`` is a 304.
Real worker processes are in ``test_workers.py``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.model import Dataset, Entity, Need
from graphsvc.store import GraphStore, open_store
from tests.api.conftest import AUTH, api_settings, in_service, settle
from tests.api.test_outage import GatedStore

C3 = Dataset(
    entities=[Entity(id="c3", kind="community", name="拱北第3社区", street="拱北")],
    needs=[Need(community="c3", category="legal_aid", weight=2)],
)
WRITES = 40


def test_snapshot_answers_carry_their_version_and_304_on_a_match(tiny_store: GraphStore) -> None:
    with TestClient(create_app(api_settings(), store=tiny_store)) as client:
        version = tiny_store.data_version()
        first = client.get("/communities/c1/gaps")
        assert first.status_code == 200
        assert first.headers["etag"] == f'"v{version}"'
        assert first.headers["x-graphsvc-version"] == str(version)
        again = client.get("/communities/c1/gaps", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        other = client.get("/communities/c1/gaps", headers={"If-None-Match": '"v999999"'})
        assert other.status_code == 200
        # Read straight from the store: always the latest data, so no version to promise.
        assert "etag" not in client.get("/stats").headers
        assert client.delete("/entities/c2", headers=AUTH).status_code == 204
        newer = settle(client)
        changed = client.get("/streets", headers={"If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200
        assert changed.headers["x-graphsvc-version"] == str(newer) != str(version)
        assert changed.json()["data"] == [{"street": "拱北", "communities": 1}]


def test_a_write_by_another_process_is_served_without_a_request_to_this_one(tiny_store: GraphStore) -> None:
    """The app is not told of the write; it finds the moved data version by itself."""
    with TestClient(create_app(api_settings(freshness_ms=50), store=tiny_store)) as client:
        assert client.get("/communities/c3/gaps").status_code == 404
        with open_store(tiny_store.uri) as other:  # another handle, as a CLI load in another process has
            other.upsert(C3)
        assert client.app.state.graphsvc.editions.wait_for(tiny_store.data_version(), 30)  # type: ignore[attr-defined]
        gaps = client.get("/communities/c3/gaps")
        assert gaps.status_code == 200
        assert gaps.headers["x-graphsvc-version"] == str(tiny_store.data_version())


def test_an_import_does_not_wait_for_the_snapshot(tmp_path: Path, tiny: Dataset) -> None:
    """With the rebuild held up, the import still answers at once, and no read is answered from the old data:
    edition reads wait briefly, then say 503 stale with Retry-After; store reads show the new row."""
    store = GatedStore(tmp_path / "gated.db")
    store.upsert(tiny)
    store.gate.set()
    try:
        with TestClient(create_app(api_settings(stale_wait_ms=200), store=store)) as client:
            before = int(client.get("/communities/c1/gaps").headers["x-graphsvc-version"])
            store.gate.clear()
            store.entered.clear()
            csv = "id,kind,name,street\nc3,社区,拱北第3社区,拱北\n".encode()
            files = [("files", ("entities.csv", csv, "text/csv"))]
            assert client.post("/imports", files=files, headers=AUTH).status_code == 201
            assert store.entered.wait(10)  # the rebuild has started and is held at the gate
            during = client.get("/streets")
            assert during.status_code == 503, during.text
            assert during.headers["retry-after"] == "1"
            assert during.json()["type"].endswith("/stale")
            assert "x-graphsvc-version" not in during.headers
            assert client.get("/entities/c3").status_code == 200  # read straight from the store
            assert client.get("/readyz").json()["edition"]["stale"] is True
            store.gate.set()
            after = client.get("/streets")  # waits for the rebuild that is now let through
            assert after.status_code == 200
            assert int(after.headers["x-graphsvc-version"]) == store.data_version() > before
            assert after.json()["data"] == [{"street": "拱北", "communities": 3}]
    finally:
        store.gate.set()
        store.close()


def test_a_read_after_another_process_wrote_waits_for_the_new_edition(tiny_store: GraphStore) -> None:
    """The watcher looks only once a minute here: the read itself finds the store newer and waits for it."""
    with TestClient(create_app(api_settings(freshness_ms=60_000), store=tiny_store)) as client:
        in_service(client)
        assert client.get("/communities/c3/gaps").status_code == 404
        with open_store(tiny_store.uri) as other:  # another handle, as a CLI load in another process has
            other.upsert(C3)
        gaps = client.get("/communities/c3/gaps")
        assert gaps.status_code == 200
        assert gaps.headers["x-graphsvc-version"] == str(tiny_store.data_version())


def test_a_deleted_entity_is_gone_from_every_answer_at_once(tiny_store: GraphStore) -> None:
    """As soon as ``/entities/c2`` is 404, so are its gaps and recommendations: never a mix of two versions."""
    with TestClient(create_app(api_settings(freshness_ms=60_000), store=tiny_store)) as client:
        in_service(client)
        assert client.get("/communities/c2/gaps").status_code == 200
        assert client.get("/communities/c2/recommendations").status_code == 200
        with open_store(tiny_store.uri) as other:
            other.delete_entity("c2")
        assert client.get("/entities/c2").status_code == 404
        for path in ("/communities/c2/gaps", "/communities/c2/recommendations"):
            answer = client.get(path)
            assert answer.status_code == 404, (path, answer.text)
            assert answer.headers["x-graphsvc-version"] == str(tiny_store.data_version())
        assert client.delete("/entities/c1", headers=AUTH).status_code == 204  # through this process, too
        assert client.get("/communities/c1/gaps").status_code == 404


def test_versions_served_never_go_back_and_never_lag_a_write(tiny_store: GraphStore) -> None:
    """Writes from another handle while a client reads: each answer's version is at least the store's version
    read just before the request, and never lower than the previous answer's (the ETag is monotonic)."""
    stop = threading.Event()

    def write() -> None:
        with open_store(tiny_store.uri) as other:
            for i in range(WRITES):
                if stop.is_set():
                    return
                if i % 2 == 0:
                    other.upsert(C3)
                else:
                    other.delete_entity("c3")
                time.sleep(0.02)

    with TestClient(create_app(api_settings(), store=tiny_store)) as client:
        in_service(client)
        writer = threading.Thread(target=write)
        writer.start()
        seen: list[int] = []
        stale = 0
        try:
            deadline = time.monotonic() + 60
            while writer.is_alive() and time.monotonic() < deadline:
                floor = tiny_store.data_version()
                answer = client.get("/streets")
                if answer.status_code == 503:
                    assert answer.json()["type"].endswith("/stale")
                    stale += 1
                    continue
                assert answer.status_code == 200, answer.text
                version = int(answer.headers["x-graphsvc-version"])
                assert answer.headers["etag"] == f'"v{version}"'
                assert version >= floor, f"answered from version {version} after the store was at {floor}"
                assert not seen or version >= seen[-1], f"went back from {seen[-1]} to {version}"
                seen.append(version)
        finally:
            stop.set()
            writer.join(30)
        assert len(seen) > 5 and seen[-1] > seen[0], (seen, stale)


def test_the_watcher_outlives_a_rebuild_that_fails(tmp_path: Path, tiny: Dataset) -> None:
    """A rebuild that raises something unexpected is logged; the next version is still picked up."""
    from graphsvc.api.edition import EditionHolder
    from graphsvc.store import SQLiteStore

    fits: list[int] = []

    def fit(graph: object, version: int) -> None:
        fits.append(version)
        if len(fits) == 2:
            raise ValueError("a fit that fails once")

    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert(tiny)
        holder = EditionHolder(store, fit=fit, freshness_ms=20)  # type: ignore[arg-type]
        assert holder.current().version == 1
        holder.start_watching()
        try:
            store.upsert(C3)  # version 2: its rebuild fails in the fit
            store.delete_entity("c3")  # version 3: the same watcher must still serve it
            assert holder.wait_for(3, 30), f"watcher stopped; fits: {fits}, last error: {holder.last_error}"
            assert holder.loaded is not None and holder.loaded.version == 3
        finally:
            holder.stop_watching(timeout=10)
