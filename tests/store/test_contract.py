"""The storage contract: every store implementation passes these same tests."""

from __future__ import annotations

import datetime as dt
import gc

import networkx as nx
import pytest

from graphsvc.errors import EntityNotFound, ValidationFailed
from graphsvc.graph import build_graph
from graphsvc.model import Area, Counts, Dataset, Entity, Link, Need, Offer, Outcome
from graphsvc.store import GraphStore, open_store
from graphsvc.vocabulary import EntityKind, LinkKind


def test_new_store_is_empty(store: GraphStore) -> None:
    assert store.counts() == Counts.empty()
    assert store.list_entities() == []
    assert store.snapshot().number_of_nodes() == 0


def test_upsert_then_read_back(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    counts = store.counts()
    assert counts.entities == {"community": 2, "organization": 1, "enterprise": 1, "school": 1, "media": 0}
    assert (counts.links, counts.needs, counts.offers) == (3, 2, 2)
    assert store.get_entity("e1") == tiny.entities[3]
    assert store.get_entity("s1").name_en == "Law society"
    assert store.get_entity("e1").attributes == {"contact": "王"}
    assert sorted(store.list_links(), key=lambda x: x.key) == sorted(tiny.links, key=lambda x: x.key)
    assert store.list_needs() == sorted(tiny.needs, key=lambda n: n.key)
    assert store.list_offers("s1") == [Offer(partner="s1", category="legal_aid", capacity=4)]
    assert store.list_needs("c2") == [Need(community="c2", category="legal_aid", weight=2)]


def test_link_dates_and_weights_survive(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    (funding,) = [link for link in store.list_links("c1") if link.kind.value == "funding"]
    assert funding.since == dt.date(2021, 3, 5)
    assert funding.until is None
    assert funding.weight == 2


def test_upsert_is_idempotent(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    first = store.counts()
    store.upsert(tiny)
    assert store.counts() == first
    assert nx.utils.graphs_equal(store.snapshot(), store.snapshot())


def test_upsert_replaces_by_key(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.upsert_entities([Entity(id="e1", kind="enterprise", name="改名企业", capacity=7)])
    store.upsert_needs([Need(community="c1", category="elderly_care", weight=9)])
    assert store.get_entity("e1").name == "改名企业"
    assert store.get_entity("e1").capacity == 7
    assert store.list_needs("c1") == [Need(community="c1", category="elderly_care", weight=9)]
    assert store.counts().needs == 2


def test_list_filters_and_pages(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    assert [e.id for e in store.list_entities(kind=EntityKind.COMMUNITY)] == ["c1", "c2"]
    assert [e.id for e in store.list_entities(street="拱北")] == ["c1", "c2", "hub"]
    assert [e.id for e in store.list_entities(limit=2, offset=1)] == ["c2", "e1"]
    assert store.count_entities(kind=EntityKind.SCHOOL) == 1
    assert store.count_entities(street="拱北") == 3
    assert store.existing_kinds(["c1", "s1", "nope"]) == {"c1": EntityKind.COMMUNITY, "s1": EntityKind.SCHOOL}


def test_get_entities_in_one_call(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    assert [e.id for e in store.get_entities(["s1", "c1", "ghost", "c1"])] == ["c1", "s1"]
    assert store.get_entities([]) == []


def test_get_unknown_entity_raises(store: GraphStore) -> None:
    with pytest.raises(EntityNotFound, match="nope"):
        store.get_entity("nope")


def test_delete_entity_cascades(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.delete_entity("e1")
    counts = store.counts()
    assert counts.entities["enterprise"] == 0
    assert counts.links == 1  # only hub-c1 is left
    assert counts.offers == 1
    assert "e1" not in store.snapshot()
    with pytest.raises(EntityNotFound):
        store.delete_entity("e1")


def test_delete_link(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    assert store.delete_link("e1", "c2", "volunteering") is True
    assert store.delete_link("e1", "c2", "volunteering") is False
    assert store.counts().links == 2


def test_dangling_reference_changes_nothing(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    before = store.counts()
    bad = Dataset(
        entities=[Entity(id="new", kind="media", name="新媒体")],
        links=[Link(source="new", target="c1", kind="publicity"), Link(source="new", target="ghost", kind="publicity")],
    )
    with pytest.raises(ValidationFailed) as info:
        store.upsert(bad)
    assert [(p.field, "ghost" in p.reason) for p in info.value.problems] == [("target", True)]
    assert store.counts() == before
    with pytest.raises(EntityNotFound):
        store.get_entity("new")


def test_links_may_name_entities_already_stored(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.upsert_links([Link(source="s1", target="c2", kind="internship")])
    assert store.counts().links == 4


def test_snapshot_shape(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    G = store.snapshot()
    assert sorted(G.nodes) == ["c1", "c2", "e1", "hub", "s1"]
    assert G.nodes["c1"]["needs"] == {"elderly_care": 3.0}
    assert G.nodes["s1"]["offers"] == {"legal_aid": 4.0}
    assert G.nodes["hub"]["subtype"] == "street_hub"
    assert G.nodes["e1"]["capacity"] == 2
    assert G.edges["c1", "e1"]["kinds"] == ("funding",)
    assert G.edges["c1", "e1"]["since"] == "2021-03-05"
    assert G.edges["c1", "e1"]["weight"] == 2.0
    assert G.number_of_edges() == 3


def test_snapshot_is_a_fresh_copy(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    G = store.snapshot()
    G.remove_node("c1")
    assert "c1" in store.snapshot()


def test_sample_district_round_trip(store: GraphStore, sample_district: Dataset) -> None:
    store.upsert(sample_district)
    counts = store.counts()
    assert counts.entities["community"] == 130
    assert counts.links == len(sample_district.links)
    assert counts.needs == len(sample_district.needs)
    G = store.snapshot()
    assert G.number_of_nodes() == len(sample_district.entities)
    assert nx.utils.graphs_equal(G, build_graph(sample_district))
    assert store.dataset().entities == sorted(sample_district.entities, key=lambda e: e.id)


def test_snapshot_with_version_is_the_graph_of_the_stored_data_in_key_order(
    store: GraphStore, sample_district: Dataset
) -> None:
    store.upsert(sample_district)
    first = sample_district.links[0]
    other_kind = next(kind for kind in LinkKind if kind != first.kind)
    # a second link of the first pair, the other way round: the snapshot folds the two into one edge
    store.upsert_links([Link(source=first.target, target=first.source, kind=other_kind, weight=0.25, project="p")])
    version, G = store.snapshot_with_version()
    assert version == store.data_version()
    assert gc.isenabled()  # paused only while the snapshot was built
    expected = build_graph(store.dataset())  # entities by id, links by (source, target, kind): the stores' order
    assert nx.utils.graphs_equal(G, expected)
    assert list(G.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(G.edges(data=True)) == list(expected.edges(data=True))
    assert len(G.edges[first.source, first.target]["kinds"]) == 2


def test_snapshot_holds_every_table_as_the_dataset_would(store: GraphStore, sample_district: Dataset) -> None:
    """A store may build its snapshot from plain rows; it must be the graph ``build_graph`` makes of its
    dataset, in the same order, with the areas, projects and outcomes on the graph."""
    community = next(e.id for e in sample_district.entities if e.kind is EntityKind.COMMUNITY)
    partner = next(e.id for e in sample_district.entities if e.kind is EntityKind.ENTERPRISE)
    streets = sorted({e.street for e in sample_district.entities if e.street})
    store.upsert(sample_district)
    store.upsert(
        Dataset(
            areas=[Area(level="street", name=street, parent="香洲") for street in streets],
            outcomes=[
                Outcome(community=community, partner=partner, status="contacted", at="2026-02-01"),
                Outcome(community=community, partner=partner, status="declined", reason="too_far", at="2026-02-10"),
            ],
        )
    )
    G = store.snapshot()
    expected = build_graph(store.dataset())
    assert sample_district.projects and G.graph["projects"] == expected.graph["projects"]
    assert G.graph == expected.graph and G.graph["areas"]["district"] == {"香洲": None}
    assert [o["status"] for o in G.graph["outcomes"]] == ["contacted", "declined"]
    assert list(G.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(G.edges(data=True)) == list(expected.edges(data=True))


def test_progress_reports_every_row(store: GraphStore, tiny: Dataset) -> None:
    seen: list[int] = []
    store.upsert(tiny, progress=seen.append)
    assert sum(seen) == tiny.row_count()


def test_clear(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.put_artifact("kept", store.data_version(), b"a model fitted on the data")
    store.clear()
    assert store.counts() == Counts.empty()
    assert store.get_artifact("kept") is None  # what was kept from the data goes with it


def test_ping(store: GraphStore) -> None:
    store.ping()


def test_data_version_moves_with_every_write(store: GraphStore, tiny: Dataset) -> None:
    seen = [store.data_version()]  # 0 for a store never written; the Neo4j test store is cleared, so it moved

    def moved() -> bool:
        seen.append(store.data_version())
        return seen[-1] > seen[-2]

    store.upsert(tiny)
    assert moved()
    store.upsert(tiny)  # the same load again is still a write
    assert moved()
    assert store.delete_link("e1", "c2", "volunteering") is True
    assert moved()
    store.delete_entity("s1")
    assert moved()
    store.clear()
    assert moved()


def test_a_new_sqlite_store_is_at_version_zero(sqlite_store: GraphStore) -> None:
    assert sqlite_store.data_version() == 0


def test_data_version_stays_for_reads_and_refused_writes(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    version = store.data_version()
    store.counts()
    store.snapshot()
    with pytest.raises(ValidationFailed):
        store.upsert_links([Link(source="c1", target="ghost", kind="funding")])
    with pytest.raises(EntityNotFound):
        store.delete_entity("ghost")
    assert store.delete_link("c1", "c2", "venue") is False
    assert store.data_version() == version


def test_data_version_is_kept_in_the_store(store: GraphStore, tiny: Dataset) -> None:
    """Another handle on the same store (as another process would open) reads the same version."""
    with open_store(store.uri) as other:
        assert other.data_version() == store.data_version()
        other.upsert(tiny)
        assert store.data_version() == other.data_version() > 0


def other_district() -> Dataset:
    """A district sharing one id with ``tiny`` (``c1``, here of another street), and nothing else."""
    return Dataset(
        entities=[
            Entity(id="c1", kind="community", name="吉大第1社区", street="吉大"),
            Entity(id="m1", kind="media", name="珠海传媒"),
        ],
        links=[Link(source="m1", target="c1", kind="publicity")],
        needs=[Need(community="c1", category="publicity", weight=1)],
        offers=[Offer(partner="m1", category="publicity", capacity=2)],
    )


def test_replace_leaves_exactly_the_dataset(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.put_artifact("kept", store.data_version(), b"a model fitted on the old data")
    version = store.data_version()
    seen: list[int] = []
    store.upsert(other_district(), replace=True, progress=seen.append)
    assert nx.utils.graphs_equal(store.snapshot(), build_graph(other_district()))
    assert store.counts().entities == {"community": 1, "organization": 0, "enterprise": 0, "school": 0, "media": 1}
    assert store.get_entity("c1").street == "吉大"
    assert store.existing_kinds(["e1", "hub", "s1", "c2"]) == {}
    assert store.get_artifact("kept") is None
    assert store.data_version() > version
    assert sum(seen) == other_district().row_count()


def test_replace_refuses_references_to_the_entities_it_deletes(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    load = Dataset(
        entities=[Entity(id="m1", kind="media", name="珠海传媒")],
        links=[Link(source="m1", target="c2", kind="publicity")],
    )
    store.upsert(load)  # c2 is in the store: fine without replace
    store.delete_link("m1", "c2", "publicity")
    store.delete_entity("m1")
    before, version = store.snapshot(), store.data_version()
    with pytest.raises(ValidationFailed) as info:
        store.upsert(load, replace=True)  # ...but a replace deletes c2
    assert [(p.field, "'c2'" in p.reason) for p in info.value.problems] == [("target", True)]
    assert nx.utils.graphs_equal(store.snapshot(), before)
    assert store.data_version() == version


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the poisoned row is deliberately not a number
def test_a_failed_replace_leaves_the_store_as_it_was(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.put_artifact("kept", store.data_version(), b"a model fitted on the data")
    before, version = store.snapshot(), store.data_version()
    replacement = other_district()
    # A weight no store can keep: refused by the database after the deletion and the first rows were written.
    poisoned = Need.model_construct(community="c1", category="health", weight={"not": "a number"})
    load = Dataset.model_construct(
        entities=replacement.entities, links=replacement.links, needs=[poisoned], offers=replacement.offers
    )
    with pytest.raises(Exception):  # noqa: B017 - each database words its refusal its own way
        store.upsert(load, replace=True)
    assert nx.utils.graphs_equal(store.snapshot(), before)
    assert store.get_entity("c1").street == "拱北"
    assert store.get_artifact("kept") == (version, b"a model fitted on the data")
    assert store.data_version() == version
