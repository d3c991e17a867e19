"""The Neo4j tests never stop or wipe a server they did not start (another checkout's, or ``scripts/test.sh``'s).

Checked against the session's real server, not a double: whoever started it, another test session must find it
foreign, and a stop aimed at a server other than the tests' is refused while the server keeps running.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.neo4j_fixtures import OWNER_FILE, Neo4jServer, foreign_server

NOT_THIS_SESSION = -1


def test_a_home_without_a_running_server_is_free(tmp_path: Path) -> None:
    assert foreign_server(tmp_path / "neo4j-home", os.getpid()) is None


def test_another_sessions_running_server_is_left_alone(neo4j_server: Neo4jServer) -> None:
    reason = foreign_server(neo4j_server.home, NOT_THIS_SESSION)
    assert reason is not None
    assert "neither stopped nor wiped" in reason and f"port {neo4j_server.port}" in reason
    owner_file = neo4j_server.home / OWNER_FILE
    if owner_file.is_file():  # started by this session or by scripts/test.sh: that process's to stop and wipe
        assert foreign_server(neo4j_server.home, json.loads(owner_file.read_text())["pid"]) is None


def test_stop_refuses_a_server_other_than_the_tests(neo4j_server: Neo4jServer) -> None:
    from graphsvc import neo4j_server as control

    elsewhere = neo4j_server.port + 1
    wrong = Neo4jServer(
        home=neo4j_server.home,
        port=elsewhere,
        password=neo4j_server.password,
        uri=f"bolt://neo4j@127.0.0.1:{elsewhere}",
    )
    with pytest.raises(pytest.fail.Exception, match="not stopping the Neo4j server"):
        wrong.stop()
    assert control.status(home=neo4j_server.home)["running"]
