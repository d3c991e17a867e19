"""The bulk path of the Neo4j store: a first load through Neo4j's offline importer, in the server's running JVM.

Each test replaces the tests' database (its DBMS shut down, imported, built again): a few seconds each.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import networkx as nx
import pytest

from graphsvc.errors import ConfigError, Neo4jServerError
from graphsvc.graph import build_graph
from graphsvc.model import Area, Counts, Dataset, Entity, Need, Outcome
from graphsvc.neo4j_server import status
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.neo4j_bulk import bulk_load
from tests.neo4j_fixtures import Neo4jServer


def test_a_bulk_load_holds_what_the_ordinary_load_holds(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, sample_district: Dataset
) -> None:
    # every table goes through the importer: projects (with sponsors), outcomes and areas (a parent implied) too
    community = sample_district.needs[0].community
    partner = sample_district.offers[0].partner
    sample_district = sample_district.model_copy(
        update={
            "areas": [
                Area(level="street", name="拱北", parent="香洲"),
                Area(level="street", name="吉大", parent="香洲"),
                Area(level="district", name="香洲", parent="珠海"),
            ],
            "outcomes": [
                Outcome(community=community, partner=partner, status="formed", at="2026-01-02", probability=0.5),
                Outcome(community=community, partner=partner, status="declined", at="2026-02-03", reason="too_far"),
            ],
        }
    )
    assert any(p.sponsors for p in sample_district.projects)
    neo4j_store.upsert(sample_district)
    ordinary = neo4j_store.dataset()  # every record as the ordinary path stores it, read back
    neo4j_store.clear()
    identity = neo4j_store._read("MATCH (i:StoreIdentity) RETURN i.id AS id")[0]["id"]
    version = neo4j_store.data_version()
    pid = status(home=neo4j_server.home)["pid"]
    bulk_load(neo4j_store, sample_district, home=neo4j_server.home, password=neo4j_server.password)
    assert status(home=neo4j_server.home)["pid"] == pid  # imported in the running launcher's JVM: no restart
    assert neo4j_store.dataset() == ordinary
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(sample_district))
    assert neo4j_store.counts() == Counts.of(sample_district)
    # the same database, one write later: no reader is lost
    assert neo4j_store.data_version() == version + 1
    assert neo4j_store._read("MATCH (i:StoreIdentity) RETURN i.id AS id")[0]["id"] == identity
    constraints = {r["name"] for r in neo4j_store._read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert "graphsvc_entity_id" in constraints  # made again after the import: MERGE stays an index seek
    neo4j_store.upsert(sample_district)  # an ordinary load over it changes nothing
    assert neo4j_store.counts() == Counts.of(sample_district)


def test_a_bulk_load_the_importer_refuses_leaves_the_store_as_it_was(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, tiny: Dataset
) -> None:
    neo4j_store.upsert(tiny)
    before, version = neo4j_store.snapshot(), neo4j_store.data_version()
    # A weight the importer cannot read as a number (past validation, as a bug upstream could send it).
    poisoned = Need.model_construct(community="m0", category="health", weight="heavy")
    load = Dataset.model_construct(
        entities=[Entity(id="m0", kind="media", name="电视台")], links=[], needs=[poisoned], offers=[]
    )
    with pytest.raises(Neo4jServerError, match="import failed"):
        bulk_load(neo4j_store, load, replace=True, home=neo4j_server.home, password=neo4j_server.password)
    neo4j_store._forget_bookmarks()
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), before)
    assert neo4j_store.data_version() == version
    assert neo4j_store.existing_kinds(["m0"]) == {}


def test_a_bulk_load_into_a_store_holding_entities_is_refused_before_anything_stops(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, tiny: Dataset
) -> None:
    neo4j_store.upsert(tiny)
    with pytest.raises(ConfigError, match="empty store"):
        bulk_load(neo4j_store, tiny, home=neo4j_server.home, password=neo4j_server.password)
    assert neo4j_store.counts() == Counts.of(tiny)


def test_a_server_of_an_older_launcher_is_stopped_and_started_again_for_the_import(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, tiny: Dataset
) -> None:
    state_file = neo4j_server.home / "server.json"
    state = json.loads(state_file.read_text())
    del state["reimport"]  # as a server started before its launcher served imports
    state_file.write_text(json.dumps(state))
    neo4j_store.count_entities()  # the schema made before the import replaces the database
    bulk_load(neo4j_store, tiny, home=neo4j_server.home, password=neo4j_server.password)
    restarted = status(home=neo4j_server.home)
    assert restarted["pid"] != state["pid"]
    assert json.loads(state_file.read_text())["reimport"] is True  # started by this launcher: in place next time
    assert neo4j_store.counts() == Counts.of(tiny)
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(tiny))


def test_a_launcher_dying_during_the_import_leaves_the_database_as_it_was(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, tiny: Dataset, sample_district: Dataset
) -> None:
    neo4j_store.upsert(tiny)
    before = neo4j_store.snapshot()
    pid = status(home=neo4j_server.home)["pid"]
    data = neo4j_server.home / "data"
    killed: list[bool] = []

    def kill_once_the_database_is_set_aside() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(data.glob(".before-bulk-*")):
            time.sleep(0.005)
        os.kill(pid, signal.SIGKILL)  # the JVM dies mid-import, as on a crash or an OOM kill
        killed.append(True)

    killer = threading.Thread(target=kill_once_the_database_is_set_aside)
    killer.start()
    try:
        with pytest.raises(Neo4jServerError, match="exited during the import"):
            bulk_load(
                neo4j_store, sample_district, replace=True, home=neo4j_server.home, password=neo4j_server.password
            )
    finally:
        killer.join()
        neo4j_server.start()
    assert killed
    assert not list(data.glob(".before-bulk-*"))
    neo4j_store._forget_bookmarks()
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), before)
