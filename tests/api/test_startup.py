"""Start-up: the API answers at once while its first edition is built in the background.

A slow first build is a store whose snapshot waits at a gate the test opens, so what the server answers before
and after is seen in order, without timing anything. One test runs a real uvicorn process (whether uvicorn
serves before the lifespan's start-up finished is the point); the others run the same app in-process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.api.edition import EditionHolder
from graphsvc.api.recommendations import RecommendationService
from graphsvc.errors import ServiceStarting
from graphsvc.model import Dataset
from graphsvc.store import GraphStore, SQLiteStore
from tests.api.conftest import KEY, api_settings, in_service
from tests.api.test_outage import PROBLEM, GatedStore
from tests.api.test_workers import free_port

STARTING_TYPE = "https://graphsvc.example/problems/starting"
REPO = Path(__file__).resolve().parents[2]
BOUND_S = 120.0  # how long the real process may take to start on a busy two-core machine (not a promise)


def assert_starting(response: httpx.Response) -> None:
    """A 503 problem saying the service is starting, with Retry-After."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["type"] == STARTING_TYPE
    assert body["detail"] == "the service is starting: the first edition of the data is being built"


@pytest.fixture
def gated(tmp_path: Path, tiny: Dataset) -> Iterator[GatedStore]:
    """The tiny district in a store whose snapshots wait until the test opens ``gate``."""
    store = GatedStore(tmp_path / "gated.db")
    store.upsert(tiny)
    try:
        yield store
    finally:
        store.gate.set()
        store.close()


def test_the_app_answers_while_its_first_edition_is_built(gated: GatedStore) -> None:
    with TestClient(create_app(api_settings(startup_wait_seconds=0), store=gated)) as client:  # start-up is over
        assert gated.entered.wait(10)  # the first build has begun, and is held at the gate
        assert client.get("/healthz").json() == {"status": "ok"}
        assert_starting(client.get("/readyz"))
        assert_starting(client.get("/communities/c1/gaps"))
        assert_starting(client.get("/plan"))
        assert client.get("/communities/c1").status_code == 200  # records come from the store, not the edition
        gated.gate.set()
        in_service(client)
        assert client.get("/readyz").json()["status"] == "ready"
        assert client.get("/communities/c1/gaps").status_code == 200


def test_a_read_during_start_up_waits_for_the_first_edition(gated: GatedStore) -> None:
    with TestClient(create_app(api_settings(startup_wait_seconds=60), store=gated)) as client:
        assert gated.entered.wait(10)
        answers: list[httpx.Response] = []
        reader = threading.Thread(target=lambda: answers.append(client.get("/communities/c1/gaps")))
        reader.start()
        reader.join(0.5)
        assert reader.is_alive()  # not answered 503 at once: it waits while the edition is being built
        gated.gate.set()
        reader.join(60)
        assert [a.status_code for a in answers] == [200]
        assert answers[0].headers["x-graphsvc-version"] == str(gated.data_version())


def test_readiness_does_not_wait_for_the_warm_up(tiny_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    warm_up = RecommendationService.warm_up

    def held_warm_up(service: RecommendationService, *args: Any, **kwargs: Any) -> None:
        assert release.wait(60)
        warm_up(service, *args, **kwargs)

    monkeypatch.setattr(RecommendationService, "warm_up", held_warm_up)
    try:
        with TestClient(create_app(api_settings(), store=tiny_store)) as client:
            in_service(client)
            ready = client.get("/readyz")
            assert ready.status_code == 200
            edition = ready.json()["edition"]
            assert (edition["communities"], edition["answers_cached"], edition["recommendations_warm"]) == (2, 0, False)
            release.set()
            deadline = time.monotonic() + 60
            while not client.get("/readyz").json()["edition"]["recommendations_warm"]:
                assert time.monotonic() < deadline, "the warm-up never finished"
                time.sleep(0.05)
            assert client.get("/readyz").json()["edition"]["answers_cached"] == 2
    finally:
        release.set()


def test_a_first_build_that_keeps_failing_is_a_503_not_a_500(tmp_path: Path, tiny: Dataset) -> None:
    def fit(graph: object, version: int) -> None:
        raise ValueError("a fit that always fails")

    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert(tiny)
        holder = EditionHolder(store, fit=fit, freshness_ms=20)
        holder.start_watching()
        try:
            with pytest.raises(ServiceStarting, match="the last attempt failed"):
                asyncio.run(holder.first(timeout=60))
        finally:
            holder.stop_watching(timeout=10)

        app = create_app(api_settings(startup_wait_seconds=60), store=store)
        app.state.graphsvc.editions = holder  # the holder whose fit always fails
        holder.start_watching()
        try:
            with TestClient(app) as client:
                for path in ("/readyz", "/communities/c1/gaps"):
                    response = client.get(path)
                    assert response.status_code == 503, path
                    assert response.headers["retry-after"]
                    assert "the last attempt failed" in response.json()["detail"], path
        finally:
            holder.stop_watching(timeout=10)


def test_a_holder_without_a_watcher_says_starting_after_the_wait(tmp_path: Path, tiny: Dataset) -> None:
    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert(tiny)
        with pytest.raises(ServiceStarting, match="first edition of the data is being built"):
            asyncio.run(EditionHolder(store).first(timeout=0))


# -- a real server ---------------------------------------------------------------
def test_a_real_server_answers_healthz_before_its_first_edition(tmp_path: Path, tiny: Dataset) -> None:
    with SQLiteStore(tmp_path / "real.db") as store:
        store.upsert(tiny)
    gate = tmp_path / "gate"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "GRAPHSVC_TEST_DB": str(tmp_path / "real.db"),
        "GRAPHSVC_TEST_GATE": str(gate),
        "GRAPHSVC_STORE": f"sqlite://{tmp_path / 'real.db'}",
        "GRAPHSVC_API_KEYS": KEY,
        "GRAPHSVC_STARTUP_WAIT_SECONDS": "1",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.api.gated_app:create_app"]
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], cwd=REPO, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + BOUND_S
        while True:  # uvicorn serves only once the lifespan's start-up is over: a blocking build never gets here
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "no /healthz while the first edition was being built"
            try:
                health = httpx.get(f"{base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        assert_starting(httpx.get(f"{base}/readyz", timeout=30))
        assert_starting(httpx.get(f"{base}/streets", timeout=30))  # waited 1 s (the setting), then 503

        gate.touch()
        while (ready := httpx.get(f"{base}/readyz", timeout=30)).status_code != 200:
            assert_starting(ready)
            assert time.monotonic() < deadline + BOUND_S, "never ready after the gate opened"
            time.sleep(0.2)
        assert ready.json()["edition"]["nodes"] == 5
        streets = httpx.get(f"{base}/streets", timeout=30)
        assert streets.status_code == 200
        assert streets.json()["data"] == [{"street": "拱北", "communities": 2}]
    finally:
        server.terminate()
        server.wait(30)
        log.close()
