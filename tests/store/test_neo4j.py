"""What only the Neo4j store has to show: atomic loads, survival of a server restart, vocabulary-only Cypher."""

from __future__ import annotations

import datetime as dt
import threading
import time

import networkx as nx
import pytest

from graphsvc.errors import StoreBusy, StoreUnavailable
from graphsvc.graph import build_graph
from graphsvc.model import Counts, Dataset, Entity, Link, Need, Project
from graphsvc.store import neo4j as neo4j_module
from graphsvc.store import neo4j_queries, open_store
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.vocabulary import ProjectStatus
from tests.neo4j_fixtures import Neo4jServer


def batch_of_loads(count: int) -> list[Dataset]:
    """``count`` small loads, each adding one community, one partner, a link and a need."""
    return [
        Dataset(
            entities=[
                Entity(id=f"c{i}", kind="community", name=f"社区{i}", street="拱北"),
                Entity(id=f"e{i}", kind="enterprise", name=f"企业{i}"),
            ],
            links=[Link(source=f"e{i}", target=f"c{i}", kind="funding", weight=1)],
            needs=[Need(community=f"c{i}", category="elderly_care", weight=2)],
        )
        for i in range(count)
    ]


def duplicate_rows(store: Neo4jStore) -> int:
    query = """
    MATCH (s:Entity)-[r]->(t)
    WITH s, t, type(r) AS kind, count(r) AS n WHERE n > 1
    RETURN count(*) AS duplicates
    """
    records, _, _ = store.driver.execute_query(query, database_=store.database)
    return int(records[0]["duplicates"])


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_load_failing_part_way_leaves_the_database_as_it_was(
    neo4j_store: Neo4jStore, tiny: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    neo4j_store.upsert(tiny)
    before = neo4j_store.counts()
    version = neo4j_store.data_version()
    monkeypatch.setattr(neo4j_module, "BATCH_SIZE", 2)  # several batches, so the failure comes after writes
    renamed = [e.model_copy(update={"name": "改名"}) for e in tiny.entities]
    extra = [Entity(id=f"new{i}", kind="media", name=f"媒体{i}") for i in range(5)]
    links = [Link(source=f"new{i}", target="c1", kind="publicity") for i in range(5)]
    # A weight Neo4j cannot store as a property: the server rejects the needs batch, after the entity and link
    # batches of the same transaction were written.
    poisoned = Need.model_construct(community="c2", category="health", weight={"not": "a number"})
    load = Dataset.model_construct(entities=renamed + extra, links=links, needs=[poisoned], offers=[])
    with pytest.raises(Exception, match=r"(?i)property|type"):
        neo4j_store.upsert(load)
    assert neo4j_store.counts() == before
    assert neo4j_store.data_version() == version
    assert neo4j_store.get_entity("c1").name == "拱北第1社区"
    assert neo4j_store.existing_kinds([f"new{i}" for i in range(5)]) == {}


def test_labels_and_types_come_from_the_vocabulary(neo4j_store: Neo4jStore, tiny: Dataset) -> None:
    neo4j_store.upsert(tiny)
    records, _, _ = neo4j_store.driver.execute_query(
        "MATCH (e:Entity) UNWIND labels(e) AS label RETURN collect(DISTINCT label) AS labels",
        database_=neo4j_store.database,
    )
    assert set(records[0]["labels"]) <= {"Entity", *neo4j_queries.KIND_LABELS.values()}
    records, _, _ = neo4j_store.driver.execute_query(
        "MATCH ()-[r]->() RETURN collect(DISTINCT type(r)) AS types", database_=neo4j_store.database
    )
    assert set(records[0]["types"]) <= {"NEEDS", "OFFERS", *neo4j_queries.LINK_TYPES.values()}


def test_hostile_text_is_stored_as_text(neo4j_store: Neo4jStore) -> None:
    name = "x'}) DETACH DELETE n //`:Evil"
    hostile_id = "x`) MATCH (n) DETACH DELETE n RETURN (`"  # ids may not hold '/', so no // comment here
    neo4j_store.upsert_entities([Entity(id=hostile_id, kind="media", name=name)])
    assert neo4j_store.get_entity(hostile_id).name == name
    assert neo4j_store.counts().entities["media"] == 1


def test_unreachable_server_is_a_typed_error(neo4j_server: Neo4jServer) -> None:
    settings = neo4j_server.settings()
    store = open_store("bolt://neo4j@127.0.0.1:1", settings=settings)
    with pytest.raises(StoreUnavailable, match="unreachable"):
        store.counts()
    store.close()


def test_wrong_password_is_a_typed_error(neo4j_server: Neo4jServer) -> None:
    store = open_store(neo4j_server.uri.replace("bolt://neo4j@", "bolt://neo4j:wrong-password@"))
    with pytest.raises(StoreUnavailable, match="credentials"):
        store.counts()
    store.close()


def test_restart_in_the_middle_of_loads(neo4j_server: Neo4jServer, neo4j_store: Neo4jStore) -> None:
    loads = batch_of_loads(30)
    acknowledged: list[int] = []
    unavailable: list[int] = []
    halfway = threading.Event()

    def run_loads() -> None:
        for i, load in enumerate(loads):
            if i == 10:
                halfway.set()
            try:
                neo4j_store.upsert(load)
            except StoreUnavailable:
                unavailable.append(i)
                time.sleep(0.2)
                continue
            acknowledged.append(i)

    loader = threading.Thread(target=run_loads)
    loader.start()
    assert halfway.wait(120)
    neo4j_server.stop()
    with pytest.raises(StoreUnavailable):
        neo4j_store.ping()
    time.sleep(2)  # loads meet the outage: the driver retries them, or they fail with StoreUnavailable
    neo4j_server.start()
    loader.join(300)
    assert not loader.is_alive()
    assert len(acknowledged) + len(unavailable) == len(loads)

    # Every acknowledged load is there, and nothing is there twice.
    present = neo4j_store.existing_kinds([f"c{i}" for i in range(len(loads))])
    assert {f"c{i}" for i in acknowledged} <= present.keys()
    assert duplicate_rows(neo4j_store) == 0

    # Loading everything again completes the set and then changes nothing.
    for load in loads:
        neo4j_store.upsert(load)
    after = neo4j_store.counts()
    assert after.entities["community"] == len(loads)
    assert (after.links, after.needs) == (len(loads), len(loads))
    for load in loads:
        neo4j_store.upsert(load)
    assert neo4j_store.counts() == after
    assert duplicate_rows(neo4j_store) == 0


# -- loads larger than one transaction ----------------------------------------------------------------------------
def test_a_batched_load_writes_what_one_transaction_writes(neo4j_store: Neo4jStore, sample_district: Dataset) -> None:
    neo4j_store.single_transaction_rows = 10  # the sample district goes in many transactions
    neo4j_store.batch_rows = 700
    neo4j_store.upsert(sample_district)
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(sample_district))
    marked = neo4j_store.driver.execute_query(
        "MATCH (n) WHERE n._load IS NOT NULL RETURN count(n) AS n", database_=neo4j_store.database
    ).records
    assert marked[0]["n"] == 0  # the load's marks are gone once it is complete
    neo4j_store.upsert(sample_district)  # again: idempotent
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(sample_district))


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_batched_load_failing_part_way_is_undone(neo4j_store: Neo4jStore, tiny: Dataset) -> None:
    neo4j_store.upsert(tiny)
    before = neo4j_store.snapshot()
    neo4j_store.single_transaction_rows = 1
    neo4j_store.batch_rows = 2  # the entity and link batches commit before the needs batch fails
    renamed = [e.model_copy(update={"name": "改名", "capacity": 9}) for e in tiny.entities]
    extra = [Entity(id=f"new{i}", kind="media", name=f"媒体{i}") for i in range(5)]
    links = [Link(source=f"new{i}", target="c1", kind="publicity") for i in range(5)]
    links.append(Link(source="e1", target="c1", kind="funding", weight=7))  # changes an existing link
    changed_need = Need(community="c1", category="elderly_care", weight=9)
    poisoned = Need.model_construct(community="c2", category="health", weight={"not": "a number"})
    load = Dataset.model_construct(entities=renamed + extra, links=links, needs=[changed_need, poisoned], offers=[])
    with pytest.raises(Exception, match=r"(?i)property|type"):
        neo4j_store.upsert(load)
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), before)
    assert neo4j_store.existing_kinds([f"new{i}" for i in range(5)]) == {}


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_first_load_in_batches_creates_and_a_failed_one_leaves_the_store_empty(
    neo4j_store: Neo4jStore, sample_district: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_prior_state(dataset: Dataset) -> None:
        raise AssertionError("a load into an empty store reads no prior state")

    monkeypatch.setattr(neo4j_store, "_prior_state", no_prior_state)  # the empty store's own path is taken
    neo4j_store.single_transaction_rows = 10
    neo4j_store.batch_rows = 700  # entities, links, projects commit before the poisoned needs batch fails
    version = neo4j_store.data_version()
    community = sample_district.needs[-1].community
    poisoned = Need.model_construct(community=community, category="health", weight={"not": "a number"})
    load = sample_district.model_copy(update={"needs": [*sample_district.needs, poisoned]})
    with pytest.raises(Exception, match=r"(?i)property|type"):
        neo4j_store.upsert(load)
    assert neo4j_store.counts() == Counts.empty()
    assert neo4j_store.list_areas() == []
    assert neo4j_store.data_version() > version  # readers of a part-written view see it was left

    neo4j_store.upsert(sample_district)  # the same load, whole: as one transaction would write it
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(sample_district))
    assert neo4j_store.counts() == Counts.of(sample_district)


def test_a_batched_replace_holds_exactly_the_load(
    neo4j_store: Neo4jStore, tiny: Dataset, sample_district: Dataset
) -> None:
    neo4j_store.upsert(tiny)
    neo4j_store.single_transaction_rows = 10  # the sample district goes in many transactions
    neo4j_store.batch_rows = 700
    neo4j_store.upsert(sample_district, replace=True)
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(sample_district))
    assert neo4j_store.existing_kinds(["c1", "e1", "hub", "s1"]) == {}


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_batched_replace_failing_part_way_puts_the_store_back(neo4j_store: Neo4jStore, tiny: Dataset) -> None:
    neo4j_store.upsert(tiny)
    before = neo4j_store.snapshot()
    neo4j_store.single_transaction_rows = 1
    neo4j_store.batch_rows = 2  # the store is cleared and the entity batches commit before the needs batch fails
    extra = [Entity(id=f"new{i}", kind="media", name=f"媒体{i}") for i in range(5)]
    links = [Link(source=f"new{i}", target=f"new{(i + 1) % 5}", kind="publicity") for i in range(5)]
    poisoned = Need.model_construct(community="new0", category="health", weight={"not": "a number"})
    load = Dataset.model_construct(entities=extra, links=links, needs=[poisoned], offers=[])
    with pytest.raises(Exception, match=r"(?i)property|type"):
        neo4j_store.upsert(load, replace=True)
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), before)
    assert neo4j_store.existing_kinds([f"new{i}" for i in range(5)]) == {}


def test_a_load_the_server_has_no_memory_for_goes_in_smaller_batches(
    neo4j_store: Neo4jStore, sample_district: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stand-in for the server's transaction memory limit: any statement over 600 rows is refused as out of memory.
    real = neo4j_store._write

    def limited(work):  # type: ignore[no-untyped-def]
        def guarded(tx):  # type: ignore[no-untyped-def]
            class Limited:
                def run(self, query, **params):  # type: ignore[no-untyped-def]
                    if len(params.get("rows") or ()) > 600:
                        raise neo4j_module.OutOfMemory("no memory for this transaction")
                    return tx.run(query, **params)

            return work(Limited())

        return real(guarded)

    monkeypatch.setattr(neo4j_store, "_write", limited)
    neo4j_store.upsert(sample_district)  # one transaction is refused: batches, halved until they fit
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(sample_district))


# -- the snapshot: pages of entities, read at one data version ------------------------------------------------------
def test_a_snapshot_read_in_many_pages_is_the_whole_graph(neo4j_store: Neo4jStore, sample_district: Dataset) -> None:
    neo4j_store.snapshot_page = 7  # 130 communities and their partners: dozens of pages, the last one short
    neo4j_store.upsert(sample_district)
    G = neo4j_store.snapshot()
    expected = build_graph(sample_district)
    assert nx.utils.graphs_equal(G, expected)
    assert list(G.nodes) == sorted(expected.nodes)
    neo4j_store.snapshot_page = len(sample_district.entities)  # exactly one full page, then an empty one
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), expected)


def test_a_write_during_the_snapshot_makes_it_read_again(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, tiny: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    neo4j_store.upsert(tiny)
    read_pages = neo4j_module.snapshot_page_rows
    writes = [Entity(id="m1", kind="media", name="电视台")]

    def write_while_reading(*args):  # type: ignore[no-untyped-def]
        if writes:  # another client's write commits between the first read's two version reads
            with Neo4jStore.from_uri(neo4j_server.uri, settings=neo4j_server.settings()) as other:
                other.upsert_entities([writes.pop()])
        read_pages(*args)

    monkeypatch.setattr(neo4j_module, "snapshot_page_rows", write_while_reading)
    version, G = neo4j_store.snapshot_with_version()
    assert version == neo4j_store.data_version()
    assert "m1" in G  # the graph read again, at the version it reports


def test_a_snapshot_under_constant_writes_is_store_busy(
    neo4j_store: Neo4jStore, neo4j_server: Neo4jServer, tiny: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    neo4j_store.upsert(tiny)
    read_pages = neo4j_module.snapshot_page_rows
    written = []

    def write_while_reading(*args):  # type: ignore[no-untyped-def]
        with Neo4jStore.from_uri(neo4j_server.uri, settings=neo4j_server.settings()) as other:
            other.upsert_entities([Entity(id=f"m{len(written)}", kind="media", name="电视台")])
        written.append(1)
        read_pages(*args)

    monkeypatch.setattr(neo4j_module, "snapshot_page_rows", write_while_reading)
    with pytest.raises(StoreBusy, match="kept changing"):
        neo4j_store.snapshot_with_version()
    assert len(written) == neo4j_module.SNAPSHOT_ATTEMPTS


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_batched_load_of_projects_failing_part_way_is_undone(neo4j_store: Neo4jStore, tiny: Dataset) -> None:
    kept = Project(
        id="p1",
        community="c1",
        title="长者饭堂",
        covers={"elderly_care": 2},
        budget=800,
        status="subscribed",
        sponsors="e1:500; s1:300",
        start="2024-04-01",
    )
    neo4j_store.upsert(tiny.model_copy(update={"projects": [kept]}))
    before = neo4j_store.snapshot()
    neo4j_store.single_transaction_rows = 1
    neo4j_store.batch_rows = 1  # the changed project commits before the poisoned one fails
    changed = kept.model_copy(update={"title": "改名", "end": dt.date(2025, 1, 1), "sponsors": kept.sponsors[:1]})
    new = Project(id="p0", community="c2", title="新项目", covers={"legal_aid": 1}, budget=100)
    poisoned = Project.model_construct(
        id="p9",
        community="c2",
        title="t",
        covers={"youth": 1.0},
        budget={"not": "a number"},
        status=ProjectStatus.PROPOSED,
        sponsors=(),
        proposed_on=None,
        start=None,
        end=None,
    )
    with pytest.raises(Exception, match=r"(?i)property|type"):
        neo4j_store.upsert(
            Dataset.model_construct(entities=[], links=[], needs=[], offers=[], projects=[new, changed, poisoned])
        )
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), before)
    assert neo4j_store.list_projects() == [kept]


# -- the area hierarchy ---------------------------------------------------------------------------------------
def test_areas_are_nodes_linked_by_in_with_the_vocabularys_names(neo4j_store: Neo4jStore) -> None:
    from graphsvc.sample import generate_district
    from graphsvc.vocabulary import AREA_NODE_LABEL, AREA_PARENT_TYPE

    district = generate_district(communities=150, seed=1)
    neo4j_store.single_transaction_rows = 10  # in batches: the areas go in their own transaction at the end
    neo4j_store.batch_rows = 700
    neo4j_store.upsert(district)
    records, _, _ = neo4j_store.driver.execute_query(
        f"MATCH (s:{AREA_NODE_LABEL} {{level: 'street'}})-[:{AREA_PARENT_TYPE}]->(d:{AREA_NODE_LABEL}) "
        "RETURN s.name AS street, d.level AS level, d.name AS district ORDER BY street",
        database_=neo4j_store.database,
    )
    expected = sorted((a.name, "district", a.parent) for a in district.areas if a.level.value == "street")
    assert [(r["street"], r["level"], r["district"]) for r in records] == expected
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(district))


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_batched_load_failing_part_way_leaves_the_areas(neo4j_store: Neo4jStore, tiny: Dataset) -> None:
    from graphsvc.model import Area

    neo4j_store.upsert(tiny.model_copy(update={"areas": [Area(level="street", name="拱北", parent="香洲")]}))
    before = neo4j_store.list_areas()
    neo4j_store.single_transaction_rows = 1
    neo4j_store.batch_rows = 2
    poisoned = Need.model_construct(community="c2", category="health", weight={"not": "a number"})
    load = Dataset.model_construct(
        entities=[], links=[], needs=[poisoned], offers=[], areas=[Area(level="street", name="拱北", parent="金湾")]
    )
    with pytest.raises(Exception, match=r"(?i)property|type"):
        neo4j_store.upsert(load)
    assert neo4j_store.list_areas() == before
