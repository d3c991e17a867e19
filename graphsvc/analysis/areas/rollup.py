"""Figures by area: gaps, coverage and the plan's figures rolled up to any level of the hierarchy.

A community lies in a street (its ``street``); the optional hierarchy of the snapshot graph
(``G.graph["areas"]``, :func:`graphsvc.graph.add_areas`) puts streets in districts, districts in cities and
cities in provinces. Nothing is computed again here: the per-community results
(:func:`graphsvc.analysis.gaps.all_community_gaps`, a plan's
:class:`~graphsvc.analysis.plan.district.CoverageChange` rows) are summed by the area each community lies in at the
level asked for. A community with no area at that level is counted under :data:`UNASSIGNED`.

>>> import networkx as nx
>>> from graphsvc.analysis.gaps.find import category_totals, all_community_gaps
>>> G = nx.Graph(areas={"street": {"S": "D", "T": "D"}, "district": {"D": None}})
>>> G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
>>> G.add_node("c2", kind="community", street="T", needs={"health": 1.0})
>>> G.add_node("e", kind="enterprise", offers={"health": 1.0})
>>> G.add_edge("c2", "e")
>>> gaps = all_community_gaps(G, policy="generic")
>>> [(a.name, a.communities, a.need, a.uncovered) for a in area_totals(G, gaps, "district")]
[('D', 2, 3.0, 2.0)]
>>> [(a.name, a.uncovered) for a in area_totals(G, gaps, "street")]   # worst first
[('S', 2.0), ('T', 0.0)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

import networkx as nx
from pydantic import Field

from graphsvc.analysis.core.common import is_community
from graphsvc.analysis.core.results import Result
from graphsvc.analysis.gaps.answers import CategoryTotal, CommunityGaps
from graphsvc.analysis.gaps.find import category_totals
from graphsvc.analysis.plan.answers import CoverageChange
from graphsvc.errors import NotFound
from graphsvc.vocabulary import AREA_LEVELS

COMMUNITY_LEVEL = "community"
LEVELS: tuple[str, ...] = (COMMUNITY_LEVEL, *(level.value for level in AREA_LEVELS))
"""Every level, lowest first: community, street, district, city, province."""
UNASSIGNED = "—"
"""The name under which communities with no area at a level are counted."""


def _r(x: float) -> float:
    """Rounded as :mod:`graphsvc.analysis.gaps.find` rounds (6 places), so a street's figures are its roll-up's."""
    return round(float(x), 6) + 0.0


def hierarchy(G: nx.Graph) -> dict[str, dict[str, str | None]]:
    """The graph's area hierarchy, ``{level: {name: parent}}`` (streets named by communities included)."""
    held: Mapping[str, Mapping[str, str | None]] = G.graph.get("areas") or {}
    out = {level: dict(held.get(level, {})) for level in LEVELS[1:]}
    for node in G:
        street = G.nodes[node].get("street")
        if street and is_community(G, node):
            out["street"].setdefault(str(street), None)
    return out


def check_level(level: str) -> str:
    """``level`` if it is one of :data:`LEVELS`, else :class:`~graphsvc.errors.NotFound`."""
    if level not in LEVELS:
        raise NotFound(f"no area level {level!r}; levels: {', '.join(LEVELS)}")
    return level


def area_of(G: nx.Graph, community: Hashable, level: str, tree: Mapping[str, Mapping[str, str | None]]) -> str:
    """The name of the area at ``level`` that ``community`` lies in (:data:`UNASSIGNED` if none)."""
    if level == COMMUNITY_LEVEL:
        return str(community)
    name: str | None = G.nodes[community].get("street") or None
    for current in LEVELS[2 : LEVELS.index(level) + 1]:
        if name is None:
            break
        name = tree[LEVELS[LEVELS.index(current) - 1]].get(name)
    return UNASSIGNED if name is None else str(name)


def parent_of(level: str, name: str, tree: Mapping[str, Mapping[str, str | None]]) -> str | None:
    """The area one level up that holds ``name`` (``None`` for none, or for a community: see :func:`area_of`)."""
    if level == COMMUNITY_LEVEL or level == LEVELS[-1]:
        return None
    return tree.get(level, {}).get(name)


class LevelCount(Result):
    """One level of the hierarchy and how many areas it has (``GET /areas``)."""

    level: str
    zh: str
    en: str
    count: int


LEVEL_LABELS: dict[str, tuple[str, str]] = {
    COMMUNITY_LEVEL: ("社区", "community"),
    **{level.value: (level.zh, level.en) for level in AREA_LEVELS},
}


def area_levels(G: nx.Graph) -> list[LevelCount]:
    """The levels the graph has areas at, lowest first, with how many (the community level always).

    >>> G = nx.Graph(areas={"street": {"S": "D"}, "district": {"D": None}})
    >>> G.add_node("c", kind="community", street="S")
    >>> [(x.level, x.count) for x in area_levels(G)]
    [('community', 1), ('street', 1), ('district', 1)]
    """
    tree = hierarchy(G)
    out = [LevelCount(level=COMMUNITY_LEVEL, zh="社区", en="community", count=sum(is_community(G, n) for n in G))]
    for level in LEVELS[1:]:
        if tree[level]:
            zh, en = LEVEL_LABELS[level]
            out.append(LevelCount(level=level, zh=zh, en=en, count=len(tree[level])))
    return out


class AreaFigures(Result):
    """One area's figures, summed over the communities that lie in it."""

    level: str
    name: str
    label: str | None = Field(None, description="a community's name (its id is ``name``); else none")
    parent: str | None
    communities: int
    streets: int = Field(description="streets with communities in the area")
    needs_recorded: bool
    need: float
    covered: float
    uncovered: float
    coverage: float | None = Field(description="covered / need; null where no need is recorded")
    roles_missing: dict[str, int] = Field(description="communities missing each five-society role")
    worst: list[str] = Field(description="up to three of its communities with the most uncovered need")


def _figures(
    level: str, name: str, parent: str | None, members: Sequence[CommunityGaps], label: str | None = None
) -> AreaFigures:
    need = sum(g.need for g in members)
    covered = sum(g.covered for g in members)
    missing: dict[str, int] = defaultdict(int)
    for g in members:
        for ref in g.roles_missing:
            missing[ref.role] += 1
    worst = sorted(members, key=lambda g: (-g.uncovered, g.community))[:3]
    return AreaFigures(
        level=level,
        name=name,
        label=label,
        parent=parent,
        communities=len(members),
        streets=len({g.street for g in members if g.street}),
        needs_recorded=need > 0,
        need=_r(need),
        covered=_r(covered),
        uncovered=_r(need - covered),
        coverage=_r(covered / need) if need > 0 else None,
        roles_missing=dict(sorted(missing.items())),
        worst=[g.community for g in worst if g.uncovered > 0],
    )


def worst_first(areas: Iterable[AreaFigures]) -> list[AreaFigures]:
    """Areas by uncovered need, largest first (then lowest coverage, then name)."""
    return sorted(areas, key=lambda a: (-a.uncovered, a.coverage if a.coverage is not None else 2.0, a.name))


def area_totals(
    G: nx.Graph, gaps: Sequence[CommunityGaps], level: str, *, within: tuple[str, str] | None = None
) -> list[AreaFigures]:
    """Every area of ``level`` with its figures summed from ``gaps`` (the communities' gaps), worst first.

    ``within``: only the areas inside one area of a level above, ``(level, name)``.
    """
    check_level(level)
    tree = hierarchy(G)
    groups: dict[str, list[CommunityGaps]] = defaultdict(list)
    for g in gaps:
        if g.community not in G:
            continue
        if within is not None and area_of(G, g.community, within[0], tree) != within[1]:
            continue
        groups[area_of(G, g.community, level, tree)].append(g)
    return worst_first(
        _figures(
            level,
            name,
            parent_of(level, name, tree),
            members,
            label=str(G.nodes[name].get("name") or name) if level == COMMUNITY_LEVEL else None,
        )
        for name, members in groups.items()
    )


class AreaGaps(Result):
    """One area: its figures and categories, where it lies, and the areas one level down, worst first."""

    area: AreaFigures
    path: list[tuple[str, str]] = Field(description="the areas above it, ``(level, name)``, nearest first")
    categories: list[CategoryTotal]
    children_level: str | None
    children: list[AreaFigures]


def area_gaps(G: nx.Graph, gaps: Sequence[CommunityGaps], level: str, name: str) -> AreaGaps:
    """One area of ``level`` named ``name``: its figures, categories and children (one level down), from
    ``gaps``. :class:`~graphsvc.errors.NotFound` if no community lies in it.

    >>> from graphsvc.analysis.gaps.find import all_community_gaps
    >>> G = nx.Graph(areas={"street": {"S": "D"}, "district": {"D": None}})
    >>> G.add_node("c1", kind="community", name="一", street="S", needs={"health": 2.0})
    >>> a = area_gaps(G, all_community_gaps(G, policy="generic"), "district", "D")
    >>> a.area.need, a.children_level, [c.name for c in a.children]
    (2.0, 'street', ['S'])
    """
    check_level(level)
    tree = hierarchy(G)
    members = [g for g in gaps if g.community in G and area_of(G, g.community, level, tree) == name]
    if not members:
        raise NotFound(f"no community lies in a {level} named {name!r}")
    path: list[tuple[str, str]] = []
    current: str | None = parent_of(level, name, tree)
    for above in LEVELS[LEVELS.index(level) + 1 :]:
        if current is None:
            break
        path.append((above, current))
        current = parent_of(above, current, tree)
    below = LEVELS[LEVELS.index(level) - 1] if level != COMMUNITY_LEVEL else None
    label = str(G.nodes[name].get("name") or name) if level == COMMUNITY_LEVEL else None
    return AreaGaps(
        area=_figures(level, name, parent_of(level, name, tree), members, label=label),
        path=path,
        categories=category_totals(members),
        children_level=below,
        children=area_totals(G, members, below, within=(level, name)) if below else [],
    )


class AreaPlanFigures(Result):
    """A plan's figures for one area: need, coverage before and after the planned links, and their count."""

    level: str
    name: str
    communities: int
    need: float
    before: float
    after: float
    links: int


def plan_by_area(
    G: nx.Graph,
    communities: Sequence[CoverageChange],
    links: Iterable[str],
    level: str,
    *,
    within: tuple[str, str] | None = None,
) -> list[AreaPlanFigures]:
    """A plan's per-community coverage (``communities``, :attr:`DistrictPlan.communities`) and the communities
    of its links (``links``: one community id per planned link) summed by the areas of ``level``, the areas
    whose planned coverage gains most first (``within``: only the communities of one area, ``(level, name)``).

    >>> G = nx.Graph(areas={"street": {"S": "D"}, "district": {"D": None}})
    >>> G.add_node("c1", kind="community", street="S")
    >>> rows = [CoverageChange(community="c1", need=4.0, before=1.0, after=3.0, naive=2.0)]
    >>> [(a.name, a.before, a.after, a.links) for a in plan_by_area(G, rows, ["c1"], "district")]
    [('D', 1.0, 3.0, 1)]
    """
    check_level(level)
    tree = hierarchy(G)
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])

    def inside(community: str) -> bool:
        return community in G and (within is None or area_of(G, community, within[0], tree) == within[1])

    for row in communities:
        if not inside(row.community):
            continue
        figures = acc[area_of(G, row.community, level, tree)]
        figures[0] += 1
        figures[1] += row.need
        figures[2] += row.before
        figures[3] += row.after
    for community in links:
        if inside(community):
            acc[area_of(G, community, level, tree)][4] += 1
    out = [
        AreaPlanFigures(
            level=level,
            name=name,
            communities=int(n),
            need=_r(need),
            before=_r(before),
            after=_r(after),
            links=int(k),
        )
        for name, (n, need, before, after, k) in acc.items()
    ]
    return sorted(out, key=lambda a: (-(a.after - a.before), a.name))
