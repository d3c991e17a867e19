"""Neo4j's Graph Data Science plugin on the server graphsvc starts (``graphsvc neo4j start --with-gds``)."""

from __future__ import annotations

import pytest

from graphsvc.model import Dataset
from graphsvc.neo4j_server.gds import GDS_VERSION
from graphsvc.store.neo4j import Neo4jStore


def test_gds_answers_when_the_server_was_started_with_it(neo4j_store: Neo4jStore, tiny: Dataset) -> None:
    procedures = neo4j_store._read("SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'gds.' RETURN count(*) AS n")
    if procedures[0]["n"] == 0:
        pytest.skip("the tests' Neo4j server runs without GDS (start it with `graphsvc neo4j start --with-gds`)")
    assert neo4j_store._read("RETURN gds.version() AS version")[0]["version"] == GDS_VERSION
    # unrestricted: a projection of graphsvc's graph (GDS reads the store through its own kernel access) works
    neo4j_store.upsert(tiny)
    records = neo4j_store._read(
        "CALL gds.graph.project('graphsvc_probe', 'Entity', 'FUNDING') YIELD nodeCount "
        "CALL gds.graph.drop('graphsvc_probe') YIELD graphName RETURN nodeCount"
    )
    assert records[0]["nodeCount"] == len(tiny.entities)
