"""Tiny hand-checkable snapshot graphs shared by the analysis tests."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.graph import build_graph
from graphsvc.sample import generate_district


def node(G: nx.Graph, node_id: str, kind: str, **attrs: object) -> None:
    base: dict[str, object] = {
        "kind": kind,
        "street": None,
        "subtype": None,
        "capacity": None,
        "needs": {},
        "offers": {},
    }
    G.add_node(node_id, **{**base, **attrs})


@pytest.fixture
def one_street_graph() -> nx.Graph:
    """Street S: communities c1, c2 and hub h; partners o (social org), e (enterprise), u (student society).

    c1 needs elderly_care 4, health 2; c2 needs elderly_care 2.
    o offers elderly_care 3 and serves c1 and c2 (service links); e offers health 1 and serves c1;
    h coordinates c1 only; u (capacity 1) works with c2 and is at capacity.
    """
    G = nx.Graph()
    node(G, "c1", "community", street="S", needs={"elderly_care": 4.0, "health": 2.0})
    node(G, "c2", "community", street="S", needs={"elderly_care": 2.0})
    node(G, "h", "organization", subtype="street_hub", street="S", capacity=10)
    node(G, "o", "organization", subtype="social_organization", street="S", capacity=3, offers={"elderly_care": 3.0})
    node(G, "e", "enterprise", street="T", capacity=2, offers={"health": 1.0})
    node(G, "u", "school", subtype="student_society", street="S", capacity=1, offers={"health": 5.0})
    G.add_edge("o", "c1", kinds=("service",))
    G.add_edge("o", "c2", kinds=("service",))
    G.add_edge("e", "c1", kinds=("funding",))
    G.add_edge("h", "c1", kinds=("coordination",))
    G.add_edge("u", "c2", kinds=("internship",))
    return G


@pytest.fixture(scope="session")
def sample_district_graph() -> nx.Graph:
    return build_graph(generate_district(communities=130, seed=0))
