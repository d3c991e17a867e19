"""Server-side layout for pages too large to lay out in the browser.

:func:`street_layout` groups the district by street: each street's nodes are
laid out together (a seeded spring layout of the street's own subgraph) inside
a disc whose area grows with its size, and the discs sit on a circle around the
nodes that belong to no street (the district hub, district-wide media). A node
without a street joins the street where most of its linked communities are.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_nodes_from(["a1", "a2"], kind="community", street="A")
>>> G.add_nodes_from(["b1", "b2"], kind="community", street="B")
>>> G.add_node("m", kind="media")
>>> G.add_edges_from([("a1", "a2"), ("b1", "b2"), ("m", "b1"), ("m", "b2")])
>>> street_groups(G)
{'A': ['a1', 'a2'], 'B': ['b1', 'b2', 'm']}
>>> pos = street_layout(G, seed=1)
>>> sorted(pos) == sorted(G), pos == street_layout(G, seed=1)
(True, True)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable

import networkx as nx

Positions = dict[Hashable, tuple[float, float]]


def street_groups(G: nx.Graph) -> dict[str | None, list[Hashable]]:
    """Nodes by the street they are drawn in (``None``: the centre), each list sorted by id."""
    groups: dict[str | None, list[Hashable]] = {}
    for node, data in G.nodes(data=True):
        street = data.get("street")
        if not street:
            linked = Counter(
                G.nodes[n].get("street") for n in G[node] if G.nodes[n].get("kind") == "community"
            ).most_common()
            street = min(linked, key=lambda sc: (-sc[1], str(sc[0])))[0] if linked else None
        groups.setdefault(street, []).append(node)
    return {street: sorted(nodes, key=str) for street, nodes in sorted(groups.items(), key=lambda kv: str(kv[0]))}


def _disc(G: nx.Graph, nodes: list[Hashable], radius: float, seed: int) -> Positions:
    """Spring layout of ``nodes``' subgraph, scaled into a disc of ``radius`` around the origin."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(G.subgraph(nodes).edges())
    raw = nx.spring_layout(sub, seed=seed, iterations=60, k=1.5 / math.sqrt(len(nodes)))
    reach = max(math.hypot(float(x), float(y)) for x, y in raw.values()) or 1.0
    return {n: (float(x) * radius / reach, float(y) * radius / reach) for n, (x, y) in raw.items()}


def street_layout(G: nx.Graph, *, seed: int = 0, spacing: float = 45.0) -> Positions:
    """Positions in canvas pixels for every node of ``G``, streets grouped in discs on a circle.

    ``spacing`` is roughly the distance between neighbouring nodes in a disc;
    the same graph and seed give the same positions.
    """
    groups = street_groups(G)
    centre = groups.pop(None, [])
    radii = {street: spacing * math.sqrt(len(nodes)) for street, nodes in groups.items()}
    r_centre = spacing * math.sqrt(len(centre)) if centre else 0.0
    gap = spacing * 2
    positions: Positions = {}
    if centre:
        positions.update(_disc(G, centre, r_centre, seed))
    if not groups:
        return positions
    ring = sum(2 * r + gap for r in radii.values()) / (2 * math.pi)
    big = max(radii.values())
    ring = max(ring, r_centre + big + gap) if centre or len(groups) > 1 else 0.0
    angle = -math.pi / 2
    total = sum(2 * r + gap for r in radii.values())
    for street, nodes in groups.items():
        share = (2 * radii[street] + gap) / total * 2 * math.pi
        angle += share / 2
        cx, cy = ring * math.cos(angle), ring * math.sin(angle)
        for node, (x, y) in _disc(G, nodes, radii[street], seed).items():
            positions[node] = (round(cx + x, 1), round(cy + y, 1))
        angle += share / 2
    return positions
