"""The snapshot graph: the whole district as one ``networkx.Graph``.

Every store returns its contents through :func:`build_graph`, so analyses,
notebooks, pages and exports all see the same shape:

* one node per entity, keyed by its id, with attributes ``kind``, ``name``,
  ``name_en``, ``street``, ``subtype`` and ``capacity`` (plain strings and
  numbers, ``None`` where unset), ``attributes`` (the free columns, a dict),
  ``needs`` (``{category: weight}``, communities) and ``offers``
  (``{category: capacity}``, partners);
* one undirected edge per pair of linked entities, whatever the number of
  links between them, with ``kinds`` (sorted tuple of link kinds), ``weight``
  (sum of the links' weights, 1 for a link without one), ``since`` (the
  earliest ``since`` as an ISO date, or ``None``) and ``projects`` (sorted
  tuple).

>>> from graphsvc.model import Dataset, Entity, Link, Need
>>> ds = Dataset(
...     entities=[Entity(id="c1", kind="community", name="社区一"),
...               Entity(id="e1", kind="enterprise", name="企业一")],
...     links=[Link(source="e1", target="c1", kind="funding"),
...            Link(source="e1", target="c1", kind="volunteering", weight=2)],
...     needs=[Need(community="c1", category="elderly_care", weight=3)])
>>> G = build_graph(ds)
>>> G.edges["c1", "e1"]["kinds"], G.edges["c1", "e1"]["weight"]
(('funding', 'volunteering'), 3.0)
>>> G.nodes["c1"]["needs"]
{'elderly_care': 3.0}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from graphsvc.model import Dataset, Entity, Link, Need, Offer


def new_snapshot() -> nx.Graph:
    """An empty snapshot graph."""
    return nx.Graph(name="graphsvc snapshot")


def node_attributes(scalars: Mapping[str, Any], attributes: Mapping[str, str]) -> dict[str, Any]:
    """The node attributes of an entity given its plain values (see ``Entity.scalars``) and free attributes."""
    node = {key: value for key, value in scalars.items() if key != "id"}
    node["attributes"] = dict(attributes)
    return node


def entity_attributes(entity: Entity) -> dict[str, Any]:
    """The node attributes of one entity (without needs and offers)."""
    return node_attributes(entity.scalars(), entity.attributes)


def add_entity_node(G: nx.Graph, entity_id: str, attributes: dict[str, Any]) -> None:
    """Add one entity's node, with empty needs and offers."""
    G.add_node(entity_id, **attributes, needs={}, offers={})


def build_graph(
    dataset: Dataset | None = None,
    *,
    entities: Iterable[Entity] = (),
    links: Iterable[Link] = (),
    needs: Iterable[Need] = (),
    offers: Iterable[Offer] = (),
) -> nx.Graph:
    """Build the snapshot graph from a dataset (or from the four iterables)."""
    if dataset is not None:
        entities, links, needs, offers = dataset.entities, dataset.links, dataset.needs, dataset.offers
    G = new_snapshot()
    for e in entities:
        add_entity_node(G, e.id, entity_attributes(e))
    for n in needs:
        add_need(G, n.community, n.category, n.weight)
    for o in offers:
        add_offer(G, o.partner, o.category, o.capacity)
    for link in links:
        add_link(G, link)
    return G


def add_need(G: nx.Graph, community: str, category: str, weight: float) -> None:
    """Record one need on its community's node."""
    G.nodes[community]["needs"][category] = float(weight)


def add_offer(G: nx.Graph, partner: str, category: str, capacity: float) -> None:
    """Record one offer on its partner's node."""
    G.nodes[partner]["offers"][category] = float(capacity)


def add_link(G: nx.Graph, link: Link) -> None:
    """Fold one link into the snapshot's edge between its two entities."""
    add_partnership(G, link.source, link.target, link.kind.value, link.since, link.weight, link.project)


def add_partnership(
    G: nx.Graph,
    source: str,
    target: str,
    kind: str,
    since: dt.date | None,
    weight: float | None,
    project: str | None,
) -> None:
    """Fold one link, given as plain values, into the snapshot's edge between its two entities."""
    weight = 1.0 if weight is None else float(weight)
    since_text = since.isoformat() if since else None
    if G.has_edge(source, target):
        data = G.edges[source, target]
        data["kinds"] = tuple(sorted(set(data["kinds"]) | {kind}))
        data["weight"] += weight
        if since_text and (data["since"] is None or since_text < data["since"]):
            data["since"] = since_text
        if project:
            data["projects"] = tuple(sorted(set(data["projects"]) | {project}))
    else:
        G.add_edge(
            source,
            target,
            kinds=(kind,),
            weight=weight,
            since=since_text,
            projects=(project,) if project else (),
        )


def communities(G: nx.Graph) -> list[str]:
    """Ids of the community nodes, sorted."""
    return sorted(n for n, k in G.nodes(data="kind") if k == "community")


def partners(G: nx.Graph) -> list[str]:
    """Ids of every node that is not a community, sorted."""
    return sorted(n for n, k in G.nodes(data="kind") if k != "community")


def flat_copy(G: nx.Graph) -> nx.Graph:
    """A copy with only scalar attributes, as GraphML and GEXF writers need.

    Needs and offers become ``need:<category>`` / ``offer:<category>`` numbers,
    free attributes ``attr:<name>``, tuples are joined with ``;`` and ``None``
    values are left out.
    """
    H = nx.Graph(name=G.graph.get("name", ""))
    for node, data in G.nodes(data=True):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("needs", "offers"):
                prefix = key[:-1]
                flat.update({f"{prefix}:{cat}": w for cat, w in value.items()})
            elif key == "attributes":
                flat.update({f"attr:{k}": v for k, v in value.items()})
            elif value is not None:
                flat[key] = value
        H.add_node(node, **flat)
    for u, v, data in G.edges(data=True):
        flat = {k: ";".join(val) if isinstance(val, tuple) else val for k, val in data.items() if val is not None}
        H.add_edge(u, v, **flat)
    return H
