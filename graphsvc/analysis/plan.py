"""A district plan: new links for the whole district that close the most need within every partner's capacity.

Formulation
-----------
For every community ``c`` and every partner ``p`` not yet linked to it, with
free capacity, the *gain* of the link is the exact change of the district's
covered need if that one link were added under the coverage rule of
:mod:`graphsvc.analysis.gaps` (``c`` gains a share of ``p``'s offer; ``p``'s
other communities may lose part of theirs). Keeping each community's best
``candidates`` links, the plan is a min-cost flow (NetworkX network simplex)::

    source -> partner p      capacity = p's free capacity (communities it can still take)
    partner p -> community c capacity 1, cost = -gain(c, p)
    community c -> sink      capacity = per_community (new partners per community)
    source -> sink           bypass, cost 0 (a link is only made if it gains)

so the chosen links maximise the summed gains and no partner takes more
communities than its capacity. Gains of several links to one partner are not
additive (they split its offer), so coverage before and after is recomputed
exactly on the graph with the chosen links. The naive alternative (every
community takes its own best link) is reported beside it: it sends many
communities to the same popular partners, over their capacity, and splits
their offers thin.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", needs={"health": 2.0})
>>> G.add_node("c2", kind="community", needs={"health": 2.0, "youth": 2.0})
>>> G.add_node("big", kind="organization", capacity=1, offers={"health": 2.0, "youth": 2.0})
>>> G.add_node("small", kind="organization", capacity=1, offers={"health": 2.0})
>>> plan = district_plan(G)
>>> sorted((link.community, link.partner) for link in plan.links)
[('c1', 'small'), ('c2', 'big')]
>>> plan.totals.before, plan.totals.after, plan.totals.naive, plan.totals.naive_overloaded
(0.0, 6.0, 4.0, ['big'])
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
from pydantic import BaseModel, ConfigDict

from graphsvc.analysis.common import check_graph, community_degree, headroom, is_community, is_partner
from graphsvc.analysis.coverage import community_needs, coverage_shares, covered_amounts, link_gain

COST_SCALE = 1_000_000


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedLink(Result):
    """A new link of the plan and the need it was expected to close on its own."""

    community: str
    partner: str
    kind: str | None
    gain: float


class CoverageChange(Result):
    """One community's covered need before, after the plan, and after the naive choices."""

    community: str
    need: float
    before: float
    after: float
    naive: float


class PlanTotals(Result):
    """District totals of the plan and of the naive alternative."""

    need: float
    before: float
    after: float
    naive: float
    links: int
    naive_links: int
    naive_overloaded: list[str]


class DistrictPlan(Result):
    """The plan: its links, coverage per community, and totals beside the naive per-community top-1."""

    links: list[PlannedLink]
    naive_links: list[PlannedLink]
    communities: list[CoverageChange]
    totals: PlanTotals


def _r(x: float) -> float:
    return round(float(x), 6)


def _covered(G: nx.Graph) -> dict[str, float]:
    shares = coverage_shares(G)
    out = {}
    for c in G:
        if is_community(G, c):
            out[str(c)] = sum(covered_amounts(community_needs(G, c), shares.get(c, {})).values())
    return out


def apply_links(G: nx.Graph, links: Iterable[PlannedLink]) -> nx.Graph:
    """A copy of ``G`` with the planned links added as snapshot edges marked ``planned=True``.

    ``G`` is not changed. The new edges carry no link kinds (a plan names partners, not the kind of
    partnership), so every analysis runs on the copy as on a snapshot: the what-if graph.

    >>> G = nx.Graph([("c1", "p1")])
    >>> H = apply_links(G, [PlannedLink(community="c1", partner="p2", kind="media", gain=1.0)])
    >>> G.number_of_edges(), H.edges["c1", "p2"]["planned"]
    (1, True)
    """
    H = G.copy()
    for link in links:
        if not H.has_edge(link.community, link.partner):
            H.add_edge(link.community, link.partner, kinds=(), weight=1.0, since=None, projects=(), planned=True)
    return H


def district_plan(G: nx.Graph, *, per_community: int = 1, candidates: int = 20) -> DistrictPlan:
    """New links for the whole district that close the most need within partners' capacity.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot graph (not changed).
    per_community : int
        At most this many new partners per community.
    candidates : int
        Links kept per community (its best by gain) before the flow is solved.

    Returns
    -------
    DistrictPlan
        Planned links, coverage before/after/naive per community, and totals.
    """
    check_graph(G)
    comms = sorted((c for c in G if is_community(G, c)), key=str)
    partners = sorted((p for p in G if is_partner(G, p)), key=str)
    free = {p: headroom(G, p) for p in partners}
    open_partners = [p for p in partners if free[p] is None or (free[p] or 0) > 0]
    offering: dict[str, list[Hashable]] = {}
    for p in open_partners:
        for k, amount in (G.nodes[p].get("offers") or {}).items():
            if amount > 0:
                offering.setdefault(k, []).append(p)
    shares = coverage_shares(G)
    gains: dict[Hashable, list[tuple[float, Hashable]]] = {}
    for c in comms:
        need = community_needs(G, c)
        covered = covered_amounts(need, shares.get(c, {}))
        options = {p for k in need if need[k] - covered[k] > 1e-9 for p in offering.get(k, [])}
        scored = [(link_gain(G, c, p, shares=shares), p) for p in options if not G.has_edge(c, p)]
        scored = [(g, p) for g, p in scored if g > 1e-9]
        scored.sort(key=lambda gp: (-gp[0], str(gp[1])))
        gains[c] = scored[:candidates]

    F = nx.DiGraph()
    supply = 0
    for p in open_partners:
        cap = free[p]
        cap = per_community * len(comms) if cap is None else cap
        F.add_edge("__source__", ("p", p), capacity=cap, weight=0)
        supply += cap
    for c, best in gains.items():
        F.add_edge(("c", c), "__sink__", capacity=per_community, weight=0)
        for g, p in best:
            F.add_edge(("p", p), ("c", c), capacity=1, weight=-round(g * COST_SCALE))
    F.add_edge("__source__", "__sink__", capacity=supply, weight=0)
    F.nodes["__source__"]["demand"] = -supply
    F.nodes["__sink__"]["demand"] = supply
    flow = nx.min_cost_flow(F) if supply else {}
    chosen: list[PlannedLink] = []
    gain_of = {(c, p): g for c, options in gains.items() for g, p in options}
    for node, out in flow.items():
        if isinstance(node, tuple) and node[0] == "p":
            for target, amount in out.items():
                if amount and isinstance(target, tuple):
                    c, p = target[1], node[1]
                    chosen.append(
                        PlannedLink(
                            community=str(c), partner=str(p), kind=G.nodes[p].get("kind"), gain=_r(gain_of[c, p])
                        )
                    )
    chosen.sort(key=lambda link: (link.community, link.partner))
    naive = [
        PlannedLink(
            community=str(c), partner=str(opts[0][1]), kind=G.nodes[opts[0][1]].get("kind"), gain=_r(opts[0][0])
        )
        for c, opts in gains.items()
        if opts
    ]

    before = _covered(G)
    after = _covered(apply_links(G, chosen))
    naive_graph = apply_links(G, naive)
    naive_cov = _covered(naive_graph)
    overloaded = sorted(
        str(p)
        for p in {link.partner for link in naive}
        if G.nodes[p].get("capacity") is not None and community_degree(naive_graph, p) > G.nodes[p]["capacity"]
    )
    rows = []
    for c in comms:
        need = sum(w for w in (G.nodes[c].get("needs") or {}).values() if w > 0)
        rows.append(
            CoverageChange(
                community=str(c),
                need=_r(need),
                before=_r(before[str(c)]),
                after=_r(after[str(c)]),
                naive=_r(naive_cov[str(c)]),
            )
        )
    totals = PlanTotals(
        need=_r(sum(r.need for r in rows)),
        before=_r(sum(before.values())),
        after=_r(sum(after.values())),
        naive=_r(sum(naive_cov.values())),
        links=len(chosen),
        naive_links=len(naive),
        naive_overloaded=overloaded,
    )
    return DistrictPlan(links=chosen, naive_links=naive, communities=rows, totals=totals)
