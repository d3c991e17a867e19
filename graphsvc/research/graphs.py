"""Getting a graph -- the sample district or a store's -- and the graph itself as tables."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx
import pandas as pd

from graphsvc.analysis.core.common import check_graph, community_degree
from graphsvc.sample import sample_graph
from graphsvc.store import GraphStore, open_store
from graphsvc.vocabulary import EntityKind

__all__ = ["centrality_frame", "entities_frame", "links_frame", "node_attribute", "sample_graph", "store_graph"]


def store_graph(store: GraphStore | str | None = None) -> nx.Graph:
    """The graph of a store as it is now: a :class:`~graphsvc.store.GraphStore`, a store URI, or ``None``.

    The graph is the store's :meth:`~graphsvc.store.GraphStore.snapshot`, the one every analysis takes.

    ``None`` opens what ``graphsvc`` commands open: ``GRAPHSVC_STORE`` if set, else the embedded SQLite
    file in the user data directory. A store given by URI is closed again; a store object is left open.

    Examples
    --------
    >>> import tempfile, os
    >>> from graphsvc.sample import generate_district
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with open_store(f"sqlite://{os.path.join(tmp, 'g.db')}") as s:
    ...         s.upsert(generate_district(communities=13, seed=1))
    ...     G = store_graph(f"sqlite://{os.path.join(tmp, 'g.db')}")
    >>> G.number_of_nodes() > 13
    True
    """
    if isinstance(store, GraphStore):
        return store.snapshot()
    with open_store(store) as opened:
        return opened.snapshot()


def entities_frame(G: nx.Graph) -> pd.DataFrame:
    """One row per node: id, kind, subtype, names, street, capacity, degree, total need and offer.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", name="社区", street="S", needs={"health": 2.0, "youth": 1.0})
    >>> G.add_node("e", kind="enterprise", name="企业", capacity=2, offers={"funding": 5.0})
    >>> G.add_edge("c", "e")
    >>> df = entities_frame(G)
    >>> df[["id", "kind", "degree", "need", "offer"]].values.tolist()
    [['c', 'community', 1, 3.0, 0.0], ['e', 'enterprise', 1, 0.0, 5.0]]
    """
    rows = []
    for node, data in G.nodes(data=True):
        rows.append(
            {
                "id": node,
                "kind": data.get("kind"),
                "subtype": data.get("subtype"),
                "name": data.get("name"),
                "name_en": data.get("name_en"),
                "street": data.get("street"),
                "capacity": data.get("capacity"),
                "degree": G.degree(node),
                "need": float(sum((data.get("needs") or {}).values())),
                "offer": float(sum((data.get("offers") or {}).values())),
            }
        )
    columns = ["id", "kind", "subtype", "name", "name_en", "street", "capacity", "degree", "need", "offer"]
    return pd.DataFrame(rows, columns=columns)


def links_frame(G: nx.Graph) -> pd.DataFrame:
    """One row per edge of the snapshot: both ends and their kinds, link kinds (``;``-joined), weight, since.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community")
    >>> G.add_node("e", kind="enterprise")
    >>> G.add_edge("e", "c", kinds=("funding", "venue"), weight=3.0, since="2021-03-05")
    >>> links_frame(G).values.tolist()
    [['c', 'e', 'community', 'enterprise', 'funding;venue', 3.0, '2021-03-05', '']]
    """
    rows = []
    for u, v, data in G.edges(data=True):
        rows.append(
            {
                "source": u,
                "target": v,
                "source_kind": G.nodes[u].get("kind"),
                "target_kind": G.nodes[v].get("kind"),
                "kinds": ";".join(data.get("kinds") or ()),
                "weight": float(data.get("weight", 1.0)),
                "since": data.get("since"),
                "projects": ";".join(data.get("projects") or ()),
            }
        )
    columns = ["source", "target", "source_kind", "target_kind", "kinds", "weight", "since", "projects"]
    return pd.DataFrame(rows, columns=columns)


def centrality_frame(G: nx.Graph, *, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Degree, communities served, degree centrality, betweenness and PageRank of every node.

    Centralities are NetworkX's, computed on the whole graph; ``kinds`` keeps only nodes of these
    kinds in the table. Rows are sorted by betweenness, highest first.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from(["a", "b"], kind="community")
    >>> G.add_node("hub", kind="organization")
    >>> G.add_edges_from([("hub", "a"), ("hub", "b")])
    >>> df = centrality_frame(G)
    >>> df["id"].tolist(), df["communities"].tolist(), df["betweenness"].tolist()
    (['hub', 'a', 'b'], [2, 0, 0], [1.0, 0.0, 0.0])
    """
    check_graph(G)
    betweenness = nx.betweenness_centrality(G)
    degree_centrality = nx.degree_centrality(G)
    pagerank = nx.pagerank(G) if G.number_of_edges() else {n: 1 / max(1, len(G)) for n in G}
    wanted = None if kinds is None else {EntityKind(k).value for k in kinds}
    rows = []
    for node, data in G.nodes(data=True):
        if wanted is not None and data.get("kind") not in wanted:
            continue
        rows.append(
            {
                "id": node,
                "name": data.get("name"),
                "kind": data.get("kind"),
                "street": data.get("street"),
                "degree": G.degree(node),
                "communities": community_degree(G, node),
                "degree_centrality": degree_centrality[node],
                "betweenness": betweenness[node],
                "pagerank": pagerank[node],
            }
        )
    columns = ["id", "name", "kind", "street", "degree", "communities", "degree_centrality", "betweenness", "pagerank"]
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values(["betweenness", "id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def node_attribute(G: nx.Graph | None, node: Hashable, key: str) -> Any:
    """Attribute ``key`` of ``node`` in ``G``, or ``None`` when there is no ``G`` or the node is not in it.

    >>> G = nx.Graph()
    >>> G.add_node("c", name="社区")
    >>> node_attribute(G, "c", "name"), node_attribute(G, "x", "name"), node_attribute(None, "c", "name")
    ('社区', None, None)
    """
    if G is None or node not in G:
        return None
    return G.nodes[node].get(key)
