"""A real Neo4j server for the tests, shared by the whole test session.

``scripts/test.sh`` starts one with ``graphsvc neo4j start`` and exports its URI as
``GRAPHSVC_TEST_NEO4J_URI``; without it, the first Neo4j test starts one here
(fetched from Maven Central on first use). When Neo4j cannot be started the Neo4j
tests skip with one line saying why, except under CI (``CI=true``), where they fail.

Every test that can reach the server carries the ``neo4j`` marker, so ``pytest -m "not neo4j"`` starts no
JVM: tests naming :func:`neo4j_server` or :func:`neo4j_store` get it at collection, a store parametrised over
implementations marks its Neo4j case with :data:`NEO4J_PARAM`, and :func:`neo4j_store` refuses a test
without the marker.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from graphsvc.settings import Settings
from graphsvc.store.neo4j import Neo4jStore

UNDER_CI = os.environ.get("CI", "").lower() == "true"
NEO4J_FIXTURES = frozenset({"neo4j_server", "neo4j_store"})
NEO4J_PARAM = pytest.param("neo4j", marks=pytest.mark.neo4j)
"""The Neo4j case of a fixture parametrised over store implementations (it reaches the server lazily)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``neo4j`` every test that names a Neo4j fixture (directly or through its own fixtures)."""
    for item in items:
        if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


def cannot_run(reason: str) -> None:
    message = f"Neo4j tests need a real Neo4j server, and none could be started: {reason}"
    if UNDER_CI:
        pytest.fail(message + " (CI=true: the Neo4j tests must run)", pytrace=False)
    pytest.skip(message)


@dataclass
class Neo4jServer:
    """The test session's server: where it lives, and how to stop and start it again."""

    home: Path
    port: int
    password: str
    uri: str

    def stop(self) -> None:
        from graphsvc import neo4j_server

        neo4j_server.stop(home=self.home)

    def start(self) -> None:
        from graphsvc import neo4j_server

        self.uri = neo4j_server.start(home=self.home, port=self.port, password=self.password)

    def settings(self) -> Settings:
        # A short retry window, so requests during an outage fail fast instead of waiting for the server.
        return Settings(store=self.uri, neo4j_password=SecretStr(self.password), neo4j_retry_seconds=1.0)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """The shared server: the one the test script started, else one started now."""
    password = os.environ.get("GRAPHSVC_NEO4J_PASSWORD") or f"test-{secrets.token_hex(8)}"
    home = Path(os.environ.get("GRAPHSVC_NEO4J_HOME") or Path.home() / ".cache/graphsvc/neo4j-test")
    port = int(os.environ.get("GRAPHSVC_TEST_NEO4J_PORT", "7697"))
    uri = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
    if uri:
        yield Neo4jServer(home=home, port=port, password=password, uri=uri)
        return
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        cannot_run(f"{' and '.join(missing)} not found on PATH")
    from graphsvc import neo4j_server

    os.environ["GRAPHSVC_NEO4J_PASSWORD"] = password
    try:
        neo4j_server.stop(home=home)  # a server left behind by an earlier run
        neo4j_server.wipe(home=home)
        uri = neo4j_server.start(home=home, port=port, password=password)
    except neo4j_server.Neo4jServerError as exc:
        cannot_run(str(exc).splitlines()[0])
    server = Neo4jServer(home=home, port=port, password=password, uri=uri)
    try:
        yield server
    finally:
        neo4j_server.stop(home=home)


@pytest.fixture
def neo4j_store(request: pytest.FixtureRequest) -> Iterator[Neo4jStore]:
    """An empty Neo4j store on the shared server (wiped before the test)."""
    if request.node.get_closest_marker("neo4j") is None:
        pytest.fail(f"{request.node.nodeid} reaches Neo4j without the neo4j marker (use NEO4J_PARAM)", pytrace=False)
    neo4j_server: Neo4jServer = request.getfixturevalue("neo4j_server")
    store = Neo4jStore.from_uri(neo4j_server.uri, settings=neo4j_server.settings())
    try:
        store.clear()
        yield store
    finally:
        store.close()
