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
from typing import TYPE_CHECKING, Any

from graphsvc.model import Area, Dataset, Entity, Link, Need, Offer, Outcome, Project, closed_areas
from graphsvc.vocabulary import AREA_LEVELS, OUTCOMES

if TYPE_CHECKING:  # imported where a graph is made, so that a store opened only to read a kept answer does not load it
    import networkx as nx

Partnership = tuple[str, str, str, str | None, float | None, str | None]
"""One link as plain values: ``(source, target, kind, since as an ISO date or None, weight, project)``."""


def new_snapshot() -> nx.Graph:
    """An empty snapshot graph, under the ``hub`` policy of graphsvc's own tables (the five-society linkage:
    a community's missing partner roles are gaps, see :mod:`graphsvc.analysis.core.coverage`); communities made from
    a resource directory's areas (attribute ``area_level``, from an HSDS import) turn it ``generic``
    (:func:`add_entity_nodes`, :func:`graphsvc.analysis.core.policy.default_profile`)."""
    import networkx as nx

    return nx.Graph(name="graphsvc snapshot", policy="hub")


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


def add_entity_nodes(G: nx.Graph, nodes: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Add many entities' nodes at once: ``(id, attributes)`` pairs, attributes as :func:`node_attributes` gives.

    Each node gets empty ``needs`` and ``offers`` unless its attributes bring them (a store that reads an
    entity with its needs and offers hands them over here, already ``{category: number}``).

    >>> G = new_snapshot()
    >>> add_entity_nodes(G, [("c1", {"kind": "community"}), ("e1", {"kind": "enterprise", "offers": {"goods": 2.0}})])
    >>> G.nodes["c1"]["needs"], G.nodes["e1"]["offers"]
    ({}, {'goods': 2.0})
    """
    for entity_id, attributes in nodes:
        G.add_node(
            entity_id, **{**attributes, "needs": attributes.get("needs", {}), "offers": attributes.get("offers", {})}
        )
        if attributes.get("kind") == "community" and (attributes.get("attributes") or {}).get("area_level"):
            G.graph["policy"] = "generic"  # areas of a resource directory: the hub model's roles are not expected


AREAS = "areas"
"""The snapshot graph's attribute holding the area hierarchy, when there is one: ``{level: {name: parent}}``
(``parent`` the name of the area one level up, or ``None``), every level from street up that has an area."""


def add_areas(G: nx.Graph, areas: Iterable[Area]) -> None:
    """Keep the area hierarchy on the graph (``G.graph["areas"]``); nothing is set when there are no areas, so a
    district without a hierarchy has the graph it always had.

    >>> G = new_snapshot()
    >>> add_areas(G, [Area(level="street", name="拱北", parent="香洲")])
    >>> G.graph["areas"]
    {'street': {'拱北': '香洲'}, 'district': {'香洲': None}}
    """
    listed, implied = closed_areas(list(areas))
    if not listed:
        return
    hierarchy: dict[str, dict[str, str | None]] = {}
    for area in sorted([*listed, *implied], key=lambda a: (AREA_LEVELS.index(a.level), a.name)):
        hierarchy.setdefault(area.level.value, {})[area.name] = area.parent
    G.graph[AREAS] = hierarchy


def build_graph(
    dataset: Dataset | None = None,
    *,
    entities: Iterable[Entity] = (),
    links: Iterable[Link] = (),
    needs: Iterable[Need] = (),
    offers: Iterable[Offer] = (),
    outcomes: Iterable[Outcome] = (),
    projects: Iterable[Project] = (),
    areas: Iterable[Area] = (),
) -> nx.Graph:
    """Build the snapshot graph from a dataset (or from the iterables of its tables)."""
    if dataset is not None:
        entities, links, needs, offers = dataset.entities, dataset.links, dataset.needs, dataset.offers
        outcomes = dataset.outcomes
        projects = dataset.projects
        areas = dataset.areas
    G = new_snapshot()
    add_areas(G, areas)
    add_entity_nodes(G, ((e.id, entity_attributes(e)) for e in entities))
    for n in needs:
        add_need(G, n.community, n.category, n.weight)
    for o in offers:
        add_offer(G, o.partner, o.category, o.capacity)
    add_partnerships(G, (partnership_row(link) for link in links))
    add_outcomes(G, (o.plain() for o in outcomes))
    add_projects(G, projects)
    return G


def add_outcomes(G: nx.Graph, rows: Iterable[dict[str, Any]]) -> None:
    """Keep recorded outcomes (:meth:`Outcome.plain <graphsvc.model.Outcome.plain>` rows) in the graph's
    ``outcomes`` attribute, ordered by community, partner, date and status (the stores' order); a graph with
    none has no such attribute.

    >>> G = new_snapshot()
    >>> add_outcomes(G, [{"community": "c1", "partner": "e1", "status": "declined", "at": "2026-03-01",
    ...                   "reason": "too_far", "by": None, "rank": None, "probability": None}])
    >>> G.graph["outcomes"][0]["reason"]
    'too_far'
    """
    kept = sorted(
        [*G.graph.get(OUTCOMES, []), *rows], key=lambda r: (r["community"], r["partner"], r["at"], r["status"])
    )
    if kept:
        G.graph[OUTCOMES] = kept


def add_need(G: nx.Graph, community: str, category: str, weight: float) -> None:
    """Record one need on its community's node."""
    G.nodes[community]["needs"][category] = float(weight)


def add_offer(G: nx.Graph, partner: str, category: str, capacity: float) -> None:
    """Record one offer on its partner's node."""
    G.nodes[partner]["offers"][category] = float(capacity)


def add_link(G: nx.Graph, link: Link) -> None:
    """Fold one link into the snapshot's edge between its two entities."""
    add_partnerships(G, [partnership_row(link)])


def partnership_row(link: Link) -> Partnership:
    """A link as the plain values :func:`add_partnerships` takes."""
    since = link.since.isoformat() if link.since else None
    return (link.source, link.target, link.kind.value, since, link.weight, link.project)


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
    add_partnerships(G, [(source, target, kind, since.isoformat() if since else None, weight, project)])


def add_partnerships(G: nx.Graph, links: Iterable[Partnership]) -> None:
    """Fold links into the snapshot's edges, one edge per pair of entities, whatever the number of links.

    An edge's ``kinds`` are its links' kinds, sorted; ``weight`` the sum of their weights (1 for a link
    without one), added in the order given; ``since`` the earliest date; ``projects`` the sorted projects.
    Edges are added in the order of each pair's first link, all at once (``add_edges_from``); a link between
    entities already joined in ``G`` folds into that edge.

    >>> G = new_snapshot()
    >>> add_partnerships(G, [("e1", "c1", "volunteering", "2021-05-01", 2.0, "p2"),
    ...                      ("c1", "e1", "funding", "2020-01-01", None, "p1")])
    >>> G.edges["c1", "e1"]
    {'kinds': ('funding', 'volunteering'), 'weight': 3.0, 'since': '2020-01-01', 'projects': ('p1', 'p2')}
    """
    folded: dict[tuple[str, str], tuple[set[str], set[str], dict[str, Any]]] = {}
    added: list[tuple[str, str, dict[str, Any]]] = []
    for source, target, kind, since, weight, project in links:
        key = (source, target) if source <= target else (target, source)
        edge = folded.get(key)
        if edge is None:
            if G.has_edge(source, target):
                data = G.edges[source, target]
                edge = folded[key] = (set(data["kinds"]), set(data["projects"]), data)
                data["weight"] += 1.0 if weight is None else float(weight)
            else:
                data = {"kinds": (), "weight": 1.0 if weight is None else float(weight), "since": since}
                edge = folded[key] = (set(), set(), data)
                added.append((source, target, data))
        else:
            data = edge[2]
            data["weight"] += 1.0 if weight is None else float(weight)
        edge[0].add(kind)
        if project:
            edge[1].add(project)
        if since and (data["since"] is None or since < data["since"]):
            data["since"] = since
    for kinds, projects, data in folded.values():
        data["kinds"] = tuple(sorted(kinds))
        data["projects"] = tuple(sorted(projects))
    G.add_edges_from(added)


# -- projects -----------------------------------------------------------------------------------------------------


def add_projects(G: nx.Graph, projects: Iterable[Project]) -> None:
    """Keep the district's projects on the snapshot, by id: ``G.graph["projects"]`` (plain values,
    :meth:`~graphsvc.model.Project.plain`) and ``G.graph["project_cover"]``, ``{community: {category: amount}}``
    of the projects running now (what :mod:`graphsvc.analysis.core.coverage` counts as covered). Nothing is added
    when there are no projects, so a district without any has the same snapshot as before projects existed.

    >>> G = new_snapshot()
    >>> add_projects(G, [Project(id="p1", community="c1", title="饭堂", covers={"elderly_care": 2}, budget=10,
    ...                          status="running", sponsors="e1:10")])
    >>> G.graph["project_cover"]
    {'c1': {'elderly_care': 2.0}}
    """
    plain = sorted((p.plain() for p in projects), key=lambda p: p["id"])
    if not plain:
        return
    cover: dict[str, dict[str, float]] = {}
    for project in plain:
        if project["status"] == "running":
            mine = cover.setdefault(project["community"], {})
            for category, amount in project["covers"].items():
                mine[category] = mine.get(category, 0.0) + float(amount)
    G.graph["projects"] = plain
    G.graph["project_cover"] = cover


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
    import networkx as nx

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
