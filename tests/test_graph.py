"""The snapshot graph's folding of links into edges, in bulk as one at a time; the collector paused while building."""

from __future__ import annotations

import datetime as dt
import gc

import networkx as nx

from graphsvc.collector import paused
from graphsvc.graph import add_partnership, add_partnerships, build_graph, new_snapshot
from graphsvc.model import Dataset, Entity, Link


def test_links_fold_into_one_edge_per_pair_whatever_their_direction() -> None:
    G = new_snapshot()
    add_partnerships(
        G,
        [
            ("e1", "c1", "volunteering", None, None, None),
            ("c2", "e1", "funding", "2022-01-01", 2.0, "p1"),
            ("c1", "e1", "funding", "2020-06-01", 0.5, "p2"),
            ("e1", "c1", "service", "2021-01-01", None, "p1"),
        ],
    )
    assert list(G.edges) == [("e1", "c1"), ("e1", "c2")]  # in the order of each pair's first link
    assert G.edges["c1", "e1"] == {
        "kinds": ("funding", "service", "volunteering"),
        "weight": 2.5,  # 1 for each link without a weight, plus 0.5
        "since": "2020-06-01",
        "projects": ("p1", "p2"),
    }
    assert G.edges["c2", "e1"] == {"kinds": ("funding",), "weight": 2.0, "since": "2022-01-01", "projects": ("p1",)}


def test_a_later_link_folds_into_an_edge_already_there() -> None:
    G = new_snapshot()
    add_partnership(G, "e1", "c1", "funding", dt.date(2021, 3, 5), 2, "p2")
    add_partnerships(G, [("c1", "e1", "venue", "2019-12-31", None, "p1"), ("c1", "e1", "funding", None, 1, None)])
    assert G.number_of_edges() == 1
    assert G.edges["e1", "c1"] == {
        "kinds": ("funding", "venue"),
        "weight": 4.0,
        "since": "2019-12-31",
        "projects": ("p1", "p2"),
    }


def test_build_graph_folds_as_links_given_one_at_a_time() -> None:
    entities = [Entity(id=i, kind="community" if i[0] == "c" else "enterprise", name=i) for i in ("c1", "c2", "e1")]
    links = [
        Link(source="e1", target="c1", kind="funding", since="2021-03-05", weight=2, project="p"),
        Link(source="e1", target="c1", kind="venue"),
        Link(source="e1", target="c2", kind="volunteering"),
    ]
    one_at_a_time = new_snapshot()
    one_at_a_time.add_nodes_from(build_graph(Dataset(entities=entities)).nodes(data=True))
    for link in links:
        add_partnership(one_at_a_time, link.source, link.target, link.kind.value, link.since, link.weight, link.project)
    bulk = build_graph(Dataset(entities=entities, links=links))
    assert nx.utils.graphs_equal(bulk, one_at_a_time)
    assert bulk.edges["c1", "e1"]["weight"] == 3.0


def test_a_pause_holds_the_collector_until_the_last_block_ends() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():  # nested (or another thread's snapshot at the same time)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
