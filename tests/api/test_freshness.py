"""Every answer follows the store's data version: writes by anyone are served soon, never waited for, and tagged.

The app watches the store's data version in the background (``GRAPHSVC_FRESHNESS_MS``); answers computed from
the edition carry its version (``ETag``, ``X-Graphsvc-Version``) and a matching ``If-None-Match`` is a 304.
Real worker processes are in ``test_workers.py``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.model import Dataset, Entity, Need
from graphsvc.store import GraphStore, open_store
from tests.api.conftest import AUTH, api_settings, settle
from tests.api.test_outage import GatedStore

C3 = Dataset(
    entities=[Entity(id="c3", kind="community", name="拱北第3社区", street="拱北")],
    needs=[Need(community="c3", category="legal_aid", weight=2)],
)


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
    """With the rebuild held up, the import still answers, and reads keep coming from the old edition."""
    store = GatedStore(tmp_path / "gated.db")
    store.upsert(tiny)
    store.gate.set()
    try:
        with TestClient(create_app(api_settings(), store=store)) as client:
            before = client.get("/communities/c1/gaps").headers["x-graphsvc-version"]
            store.gate.clear()
            store.entered.clear()
            csv = "id,kind,name,street\nc3,社区,拱北第3社区,拱北\n".encode()
            files = [("files", ("entities.csv", csv, "text/csv"))]
            assert client.post("/imports", files=files, headers=AUTH).status_code == 201
            assert store.entered.wait(10)  # the rebuild has started and is held at the gate
            during = client.get("/streets")
            assert during.headers["x-graphsvc-version"] == before
            assert during.json()["data"] == [{"street": "拱北", "communities": 2}]
            assert client.get("/readyz").json()["edition"]["stale"] is True
            store.gate.set()
            settle(client)
            assert client.get("/streets").json()["data"] == [{"street": "拱北", "communities": 3}]
    finally:
        store.gate.set()
        store.close()


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
