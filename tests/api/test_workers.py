"""Real processes: ``graphsvc serve --workers 2`` over one store, written to by the CLI from another process.

A real process is the point here (the workers are separate processes, and the writer is the CLI), so these
tests start ``python -m graphsvc`` as subprocesses. Which worker answered is told by ``/readyz`` (``process``),
which also says the data version and size of the edition that worker serves. Deadlines are freshness
promises (a write is served everywhere within 2 s), not measurements of speed.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.model import Dataset
from graphsvc.store import GraphStore
from tests.api.conftest import KEY

WORKERS = 2
FRESH_WITHIN = 2.0  # seconds: what the freshness setting (500 ms) plus a small rebuild promises
START_TIMEOUT = 240.0  # seconds: a cold start of two workers on a busy two-core machine
ASK_AT_ONCE = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def graphsvc_env(store_uri: str) -> dict[str, str]:
    return {**os.environ, "GRAPHSVC_STORE": store_uri, "GRAPHSVC_API_KEYS": KEY, "GRAPHSVC_FRESHNESS_MS": "500"}


def run_cli(*args: str, store_uri: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``graphsvc ARGS --store URI`` in its own process (the store's URI is in its environment too)."""
    command = [sys.executable, "-m", "graphsvc", *args]
    if args[0] != "sample":
        command += ["--store", store_uri]
    return subprocess.run(command, env=graphsvc_env(store_uri), capture_output=True, text=True, timeout=timeout)


# httpx.get makes a client, and with it a TLS context that reads the whole CA bundle, even for http:// (about
# 40 ms of CPU each); the polling below asks thousands of times, so the context is made once.
TLS = ssl.create_default_context()


def get(url: str, **kwargs: Any) -> httpx.Response:
    """One request on a new connection, so that the kernel may hand it to either worker."""
    return httpx.get(url, timeout=30, headers={"Connection": "close"}, verify=TLS, **kwargs)


@dataclass
class Served:
    """What each worker said it serves, by process id."""

    versions: dict[int, int] = field(default_factory=dict)
    nodes: dict[int, int] = field(default_factory=dict)

    def ask(self, base: str) -> None:
        """Ask ``/readyz`` on several new connections at once: an idle server hands one-by-one connections to
        whichever worker wakes first, often the same one, while simultaneous ones reach every worker."""
        with ThreadPoolExecutor(ASK_AT_ONCE) as pool:
            bodies = list(pool.map(lambda _: get(f"{base}/readyz").json(), range(ASK_AT_ONCE)))
        answers: dict[int, list[tuple[int, int]]] = {}
        for body in bodies:
            answers.setdefault(body["process"], []).append((body["edition"]["version"], body["edition"]["nodes"]))
        for process, seen in answers.items():
            previous = self.versions.get(process)  # asked before this round began: never newer than this round
            assert previous is None or min(seen)[0] >= previous, "a worker went back to an older version"
            self.versions[process], self.nodes[process] = max(seen)


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    store_uri: str

    def until_every_worker(self, version: int, nodes: int, within: float) -> Served:
        """Ask until every worker serves ``version`` (or later) with ``nodes`` nodes; fail after ``within`` s."""
        served = Served()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            served.ask(self.base)
            done = [p for p, v in served.versions.items() if v >= version and served.nodes[p] == nodes]
            if len(done) == WORKERS:
                return served
        raise AssertionError(f"not every worker served version {version} within {within} s: {served}")


@pytest.fixture
def serve(api_store: GraphStore, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "graphsvc", "serve", "--workers", str(WORKERS), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"],
        env=graphsvc_env(api_store.uri),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the workers are in its group, so cleanup reaches them all
    )
    server = Server(f"http://127.0.0.1:{port}", process, api_store.uri)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        served = Served()
        while len(served.versions) < WORKERS:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, f"workers did not all start: {served}"
            try:
                served.ask(server.base)
            except (httpx.TransportError, ValueError, KeyError, TypeError):  # not listening, or no edition yet
                time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        log.close()


C3_ENTITIES = "id,kind,name,street\nc3,community,拱北第3社区,拱北\n"
C3_NEEDS = "community,category,weight\nc3,legal_aid,2\n"


@pytest.fixture
def api_store(api_store: GraphStore, tiny: Dataset) -> GraphStore:
    """The tiny district (5 entities), before the server starts."""
    api_store.upsert(tiny)
    return api_store


def test_every_worker_serves_a_cli_load_and_a_delete_through_another_worker(
    serve: Server, api_store: GraphStore, tmp_path: Path
) -> None:
    files = tmp_path / "c3"
    files.mkdir()
    (files / "entities.csv").write_text(C3_ENTITIES, encoding="utf-8")
    (files / "needs.csv").write_text(C3_NEEDS, encoding="utf-8")
    assert get(f"{serve.base}/communities/c3/gaps").status_code == 404

    loaded = run_cli("load", str(files), store_uri=serve.store_uri)
    assert loaded.returncode == 0, loaded.stderr
    serve.until_every_worker(api_store.data_version(), nodes=6, within=FRESH_WITHIN)
    for _ in range(10):  # every worker now answers with the new community
        gaps = get(f"{serve.base}/communities/c3/gaps")
        assert gaps.status_code == 200
        assert gaps.headers["x-graphsvc-version"] == str(api_store.data_version())

    deleted = httpx.delete(f"{serve.base}/entities/c3", headers={"X-API-Key": KEY, "Connection": "close"})
    assert deleted.status_code == 204
    serve.until_every_worker(api_store.data_version(), nodes=5, within=FRESH_WITHIN)
    for _ in range(10):
        assert get(f"{serve.base}/communities/c3/gaps").status_code == 404


def test_a_large_load_is_never_half_seen(serve: Server, api_store: GraphStore, tmp_path: Path) -> None:
    """During a CLI load of a large district, every answer shows the data before it or after it, never a mix;
    once the load is committed, a worker still building its edition of it answers 503 stale, never the old."""
    sample = run_cli("sample", "--communities", "600", str(tmp_path / "big"), store_uri=serve.store_uri)
    assert sample.returncode == 0, sample.stderr
    old_version = api_store.data_version()
    old_stats = get(f"{serve.base}/stats").json()
    old_streets = get(f"{serve.base}/streets").json()

    answers: list[tuple[str, str | None, Any]] = []
    load_done = threading.Event()
    result: dict[str, subprocess.CompletedProcess[str]] = {}

    def load() -> None:
        try:
            result["load"] = run_cli("load", str(tmp_path / "big"), store_uri=serve.store_uri)
        finally:
            load_done.set()

    loader = threading.Thread(target=load)
    loader.start()
    while not load_done.is_set():
        for path in ("/stats", "/streets"):
            response = get(f"{serve.base}{path}")
            if path == "/streets" and response.status_code == 503:  # the new edition is being built: never the old
                assert response.json()["type"].endswith("/stale"), response.text
                continue
            assert response.status_code == 200, response.text
            answers.append((path, response.headers.get("x-graphsvc-version"), response.json()))
    loader.join()
    assert result["load"].returncode == 0, result["load"].stderr
    new_version = api_store.data_version()
    assert new_version == old_version + 1
    # Building and fitting a 600-community edition takes a while on a shared machine: this waits, not promises.
    serve.until_every_worker(new_version, nodes=api_store.snapshot().number_of_nodes(), within=180)
    new_stats = get(f"{serve.base}/stats").json()
    new_streets = get(f"{serve.base}/streets").json()
    assert new_stats != old_stats and new_streets != old_streets

    assert len(answers) >= 10  # the load took long enough to be watched
    for path, version, body in answers:
        if path == "/stats":  # read straight from the store: one of the two versions, whole
            assert body in (old_stats, new_stats)
        else:  # from a worker's edition: the one its version names
            assert (version, body) in ((str(old_version), old_streets), (str(new_version), new_streets))


def test_once_a_write_is_acknowledged_no_worker_answers_from_older_data(serve: Server, api_store: GraphStore) -> None:
    """From the 204 of a delete on, every worker answers the deleted community's gaps 404 at the new version, or
    503 stale while it builds that edition: never 200 from the old one; ``/streets`` never shows an older version."""
    assert get(f"{serve.base}/communities/c2/gaps").status_code == 200
    deleted = httpx.delete(f"{serve.base}/entities/c2", headers={"X-API-Key": KEY, "Connection": "close"})
    assert deleted.status_code == 204
    version = api_store.data_version()
    deadline = time.monotonic() + FRESH_WITHIN
    answered: list[int] = []
    paths = ["/communities/c2/gaps", "/streets"] * (ASK_AT_ONCE // 2)
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(ASK_AT_ONCE) as pool:
            answers = list(pool.map(lambda path: get(f"{serve.base}{path}"), paths))
        for answer in answers:
            if answer.status_code == 503:
                assert answer.json()["type"].endswith("/stale"), answer.text
                continue
            assert answer.status_code in (200, 404), answer.text
            assert int(answer.headers["x-graphsvc-version"]) >= version, "an answer from before the write"
            if answer.request.url.path.endswith("/gaps"):
                assert answer.status_code == 404, "gaps of a deleted community"
            answered.append(answer.status_code)
    assert answered, "no worker answered within the freshness promise"
