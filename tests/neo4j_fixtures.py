"""Neo4j fixtures: filled in when the Neo4j store lands."""

from __future__ import annotations

import pytest


@pytest.fixture
def neo4j_store() -> None:
    pytest.skip("Neo4j store not implemented yet")
