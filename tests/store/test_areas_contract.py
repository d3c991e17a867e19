"""The area hierarchy in every store: kept, read back, in the snapshot, replaced and cleared with the data."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.graph import build_graph
from graphsvc.model import Area, Dataset
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore

HIERARCHY = [
    Area(level="street", name="拱北", parent="香洲"),
    Area(level="street", name="吉大", parent="香洲"),
    Area(level="district", name="香洲", parent="珠海"),
    Area(level="city", name="珠海", parent="广东"),
]


def keys(areas: list[Area]) -> list[tuple[str, str, str | None]]:
    return [(a.level.value, a.name, a.parent) for a in areas]


def test_areas_read_back_in_level_order_with_implied_parents(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny.model_copy(update={"areas": HIERARCHY}))
    assert keys(store.list_areas()) == [
        ("street", "吉大", "香洲"),
        ("street", "拱北", "香洲"),
        ("district", "香洲", "珠海"),
        ("city", "珠海", "广东"),
        ("province", "广东", None),  # named as a parent only: an area of its own
    ]
    assert store.snapshot().graph["areas"] == {
        "street": {"吉大": "香洲", "拱北": "香洲"},
        "district": {"香洲": "珠海"},
        "city": {"珠海": "广东"},
        "province": {"广东": None},
    }


def test_a_store_without_areas_has_the_graph_it_always_had(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    assert store.list_areas() == []
    assert "areas" not in store.snapshot().graph


def test_a_later_load_moves_a_street_and_keeps_what_it_does_not_name(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny.model_copy(update={"areas": HIERARCHY}))
    store.upsert(Dataset(areas=[Area(level="street", name="拱北", parent="金湾")]))
    got = {(a.level.value, a.name): a.parent for a in store.list_areas()}
    assert got[("street", "拱北")] == "金湾"
    assert got[("district", "金湾")] is None  # created as the parent it names
    assert got[("district", "香洲")] == "珠海"  # an implied parent never undoes what was said of it
    store.upsert(Dataset(areas=[Area(level="street", name="吉大", parent="香洲")]))
    assert {(a.level.value, a.name): a.parent for a in store.list_areas()}[("district", "香洲")] == "珠海"


def test_areas_are_replaced_and_cleared_with_the_data(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny.model_copy(update={"areas": HIERARCHY}))
    version = store.data_version()
    store.upsert(tiny.model_copy(update={"areas": [Area(level="street", name="拱北", parent="斗门")]}), replace=True)
    assert keys(store.list_areas()) == [("street", "拱北", "斗门"), ("district", "斗门", None)]
    assert store.data_version() > version
    store.clear()
    assert store.list_areas() == []


def test_sample_with_districts_round_trip(store: GraphStore) -> None:
    district = generate_district(communities=300, seed=3)
    assert len({a.parent for a in district.areas if a.level.value == "street"}) == 3
    store.upsert(district)
    assert sorted(keys(store.list_areas())) == sorted(keys(district.areas))
    assert store.dataset().areas == store.list_areas()
    G = store.snapshot()
    assert G.graph == build_graph(district).graph
    assert nx.utils.graphs_equal(G, build_graph(district))


@pytest.mark.parametrize("communities", [13, 130])
def test_the_case_sized_sample_has_no_hierarchy(communities: int) -> None:
    assert generate_district(communities=communities).areas == []
