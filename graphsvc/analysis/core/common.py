"""What every analysis needs from the snapshot graph: checks, kinds, roles, streets and hubs.

The analyses take the snapshot of :mod:`graphsvc.graph` (nodes with ``kind``,
``street``, ``subtype``, ``capacity``, ``needs`` and ``offers``) or, for link
prediction, any simple undirected graph. Nodes without ``kind`` make a
*generic* graph: a plain link-prediction problem.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", street="拱北")
>>> G.add_node("h1", kind="organization", subtype="street_hub", street="拱北", capacity=2)
>>> G.add_edge("c1", "h1")
>>> is_typed(G), role_of(G, "h1").value, street_hubs(G)
(True, 'social_organization', {'拱北': 'h1'})
>>> community_degree(G, "h1"), headroom(G, "h1")
(1, 1)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict

from graphsvc.errors import EntityNotFound, UnsupportedGraph
from graphsvc.vocabulary import COMMUNITY, SERVES_ONLY, EntityKind, FiveSocietyRole, Subtype, five_society_role


class Result(BaseModel):
    """Base of the analyses' result models: fields are exactly those declared."""

    model_config = ConfigDict(extra="forbid")


def check_graph(G: Any) -> None:
    """Reject graphs the analyses do not support, with a message saying why.

    >>> check_graph(nx.DiGraph())
    Traceback (most recent call last):
    ...
    graphsvc.errors.UnsupportedGraph: directed graphs are not supported; pass G.to_undirected()
    """
    if not isinstance(G, nx.Graph):
        raise UnsupportedGraph(f"expected a networkx.Graph, got {type(G).__name__}")
    if G.is_directed():
        raise UnsupportedGraph("directed graphs are not supported; pass G.to_undirected()")
    if G.is_multigraph():
        raise UnsupportedGraph("multigraphs are not supported; pass nx.Graph(G)")
    if nx.number_of_selfloops(G):
        raise UnsupportedGraph("graphs with self-loops are not supported; remove them first")


def is_typed(G: nx.Graph) -> bool:
    """Whether ``G`` is a graphsvc snapshot (it has community nodes) rather than a generic graph."""
    return any(kind == COMMUNITY for _, kind in G.nodes(data="kind"))


def is_community(G: nx.Graph, node: Hashable) -> bool:
    return bool(G.nodes[node].get("kind") == COMMUNITY)


def is_partner(G: nx.Graph, node: Hashable) -> bool:
    kind = G.nodes[node].get("kind")
    return kind is not None and kind != COMMUNITY


def require_community(G: nx.Graph, community: str) -> None:
    """Raise :class:`~graphsvc.errors.EntityNotFound` unless ``community`` is a community of ``G``."""
    if community not in G or not is_community(G, community):
        raise EntityNotFound(community)


def role_of(G: nx.Graph, node: Hashable) -> FiveSocietyRole:
    """The five-society role of a node of the snapshot."""
    data = G.nodes[node]
    subtype = data.get("subtype")
    return five_society_role(EntityKind(data["kind"]), Subtype(subtype) if subtype else None)


def street_hubs(G: nx.Graph) -> dict[str, str]:
    """``{street: hub id}`` for every street hub with a street (the first by id if a street has two)."""
    hubs: dict[str, str] = {}
    for node, data in G.nodes(data=True):  # one pass, no sort of the whole graph
        street = data.get("street")
        is_hub = data.get("subtype") == Subtype.STREET_HUB.value and street
        if is_hub and (street not in hubs or str(node) < str(hubs[street])):
            hubs[street] = node
    return hubs


def community_degree(G: nx.Graph, partner: Hashable) -> int:
    """How many communities a partner is linked to."""
    return sum(1 for n in G[partner] if is_community(G, n))


def headroom(G: nx.Graph, partner: Hashable) -> int | None:
    """How many more communities a partner can take (``None``: no capacity set, no limit)."""
    return room_left(G.nodes[partner].get("capacity"), community_degree(G, partner))


def room_left(capacity: int | None, served: int) -> int | None:
    """The one statement of capacity: a partner of ``capacity`` serving ``served`` communities can take this many
    more (``None``: no capacity set, no limit). :func:`headroom` on the graph; the signal engine, the list and
    the plan all read it.

    >>> room_left(3, 1), room_left(2, 5), room_left(None, 9)
    (2, 0, None)
    """
    if capacity is None:
        return None
    return max(0, int(capacity) - served)


def serves_only(G: nx.Graph, partner: Hashable) -> frozenset[str] | None:
    """The communities ``partner`` may serve, if a directory says so (:data:`SERVES_ONLY`), else ``None``.

    >>> G = nx.Graph()
    >>> G.add_node("p", kind="organization", attributes={"serves_only": "city:Belmont;city:Burlingame"})
    >>> sorted(serves_only(G, "p")), may_serve(G, "p", "city:Belmont"), may_serve(G, "p", "city:Palo Alto")
    (['city:Belmont', 'city:Burlingame'], True, False)
    """
    text = (G.nodes[partner].get("attributes") or {}).get(SERVES_ONLY)
    if not text:
        return None
    return frozenset(a.strip() for a in str(text).split(";") if a.strip())


def may_serve(G: nx.Graph, partner: Hashable, community: Hashable) -> bool:
    """Whether ``partner`` may serve ``community`` (:func:`serves_only`): recommendations and the plan never
    suggest a link outside where a partner's services are offered."""
    areas = serves_only(G, partner)
    return areas is None or str(community) in areas


def rounded(x: float) -> float:
    """A figure of an answer, rounded once, as every answer rounds it (to six decimals): equal sums compare equal.

    >>> rounded(0.1 + 0.2), rounded(2)
    (0.3, 2.0)
    """
    return round(float(x), 6)
