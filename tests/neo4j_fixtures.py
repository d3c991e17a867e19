"""A real Neo4j server for the tests, shared by the whole test session.

``scripts/test.sh`` starts one with ``graphsvc neo4j start`` and exports its URI as
``GRAPHSVC_TEST_NEO4J_URI``; without it, the first Neo4j test starts one here
(fetched from Maven Central on first use). When Neo4j cannot be started the Neo4j
tests skip with one line saying why, except under CI (``CI=true``), where they fail.

The tests stop, restart and wipe the server of their home (``GRAPHSVC_NEO4J_HOME``, default
``~/.cache/graphsvc/neo4j-test``), so they never touch one they did not start: a session that starts its own
server first refuses a server of that home still running, unless an ended test session left it behind (its
owner, written beside it, is gone); and :meth:`Neo4jServer.stop` refuses to stop the home's server unless it is
the one at the tests' URI. Two runs at once need a home and a port each.

Every test that can reach the server carries the ``neo4j`` marker, so ``pytest -m "not neo4j"`` starts no
JVM: tests naming :func:`neo4j_server` or :func:`neo4j_store` get it at collection, a store parametrised over
implementations marks its Neo4j case with :data:`NEO4J_PARAM`, and :func:`neo4j_store` refuses a test
without the marker.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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
        """Stop the server of the home, which must be the tests' server (the one at :attr:`uri`)."""
        from graphsvc import neo4j_server

        state = neo4j_server.status(home=self.home)
        if state["running"] and state["port"] != self.port:
            pytest.fail(
                f"not stopping the Neo4j server of {self.home} (port {state['port']}): the tests' server is {self.uri}."
                f" Set {HOME_ENV} to the home of the server at {self.uri}",
                pytrace=False,
            )
        neo4j_server.stop(home=self.home)

    def start(self, *, read_only: bool = False) -> None:
        """Start the server (a no-op when it runs); ``read_only``: every user database read-only."""
        from graphsvc import neo4j_server

        self.uri = neo4j_server.start(home=self.home, port=self.port, password=self.password, read_only=read_only)

    def settings(self) -> Settings:
        # A short retry window, so requests during an outage fail fast instead of waiting for the server.
        return Settings(store=self.uri, neo4j_password=SecretStr(self.password), neo4j_retry_seconds=1.0)


HOME_ENV = "GRAPHSVC_NEO4J_HOME"
OWNER_FILE = "test-session.json"
"""Beside the server a test session started: the session's process id, so that a later session can tell a server
left behind by an ended session (stopped and wiped) from one another run is using (left alone)."""


def foreign_server(home: Path, me: int) -> str | None:
    """Why the server running in ``home`` is not this session's to stop and wipe, or ``None`` if it may be: no
    server runs there, or the session that started it (``OWNER_FILE``) has ended, or it is session ``me``'s."""
    from graphsvc import neo4j_server
    from graphsvc.neo4j_server.process import pid_alive

    state = neo4j_server.status(home=home)
    if not state["running"]:
        return None
    try:
        owner = int(json.loads((home / OWNER_FILE).read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        owner = None
    if owner is not None and (owner == me or not pid_alive(owner)):
        return None
    started_by = f"another test session (pid {owner})" if owner is not None else "something other than a test session"
    return (
        f"the Neo4j server of {home} (pid {state['pid']}, port {state['port']}) was started by "
        f"{started_by} and may be in use, so it is neither stopped nor wiped. Use it with "
        f"GRAPHSVC_TEST_NEO4J_URI={state['uri']}, give this run a home and a port of its own ({HOME_ENV}, "
        f"GRAPHSVC_TEST_NEO4J_PORT), or stop it if it is a leftover: {HOME_ENV}={home} graphsvc neo4j stop"
    )


def uri_port(uri: str, default: int) -> int:
    """The port of a Bolt URI (``default`` when it names none)."""
    return urlsplit(uri).port or default


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """The shared server: the one the test script started, else one started now in the test home."""
    password = os.environ.get("GRAPHSVC_NEO4J_PASSWORD") or f"test-{secrets.token_hex(8)}"
    home = Path(os.environ.get(HOME_ENV) or Path.home() / ".cache/graphsvc/neo4j-test")
    port = int(os.environ.get("GRAPHSVC_TEST_NEO4J_PORT", "7697"))
    uri = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
    if uri:
        yield Neo4jServer(home=home, port=uri_port(uri, port), password=password, uri=uri)
        return
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        cannot_run(f"{' and '.join(missing)} not found on PATH")
    from graphsvc import neo4j_server

    reason = foreign_server(home, os.getpid())
    if reason is not None:
        cannot_run(reason)
    os.environ["GRAPHSVC_NEO4J_PASSWORD"] = password
    try:
        neo4j_server.stop(home=home)  # a server left behind by an ended test session
        neo4j_server.wipe(home=home)
        uri = neo4j_server.start(home=home, port=port, password=password)
    except neo4j_server.Neo4jServerError as exc:
        cannot_run(str(exc).splitlines()[0])
    (home / OWNER_FILE).write_text(json.dumps({"pid": os.getpid(), "port": port}) + "\n")
    server = Neo4jServer(home=home, port=port, password=password, uri=uri)
    try:
        yield server
    finally:
        neo4j_server.stop(home=home)
        (home / OWNER_FILE).unlink(missing_ok=True)


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
