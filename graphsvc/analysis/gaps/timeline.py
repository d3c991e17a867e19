"""The cycle over time: community–partner partnerships formed and lapsed per year, and fragile partnerships.

A *partnership* is a community and a partner joined by any of: an edge of the snapshot graph (its links), a
project of the community the partner sponsors (``G.graph["projects"]``, sponsors as ``(partner, amount)``), a
recorded outcome (``G.graph["outcomes"]``).

* It **formed** on the earliest of: its edge's ``since``, the ``start`` of a project of the community the
  partner sponsors, an outcome ``formed``. With none of these it is *undated* (counted, in no year).
* It **lapsed** on the date of its last outcome when that is ``lapsed``; else, when it has no edge (no link holds
  it) and every project holding it has ended on or before ``on`` (its ``end``; a ``closed`` one with no ``end``
  has ended, on a day not known), on the last of those ends. A partnership
  with an edge is held: the snapshot graph keeps each edge's earliest ``since`` but not the links' ``until``
  (:mod:`graphsvc.graph`), so a link's end is not seen here.
* **Fragile**: held up by a single project near its end: the partnership has not lapsed, the only projects
  holding it are one project ``p`` that is ``subscribed`` or ``running`` with an ``end`` within ``within_days``
  days after ``on`` (``on`` itself included), and its edge, if any, has one link kind and no project but ``p``
  (so its only link is through ``p``; a link without a project holds a partnership by itself).

>>> import networkx as nx
>>> G = nx.Graph(projects=[
...     {"id": "p1", "community": "c", "title": "饭堂", "status": "running", "sponsors": [("e", 10.0)],
...      "start": "2024-03-01", "end": "2026-01-31"},
...     {"id": "p2", "community": "c", "title": "课堂", "status": "closed", "sponsors": [("f", 10.0)],
...      "start": "2023-05-01", "end": "2024-06-30"}])
>>> G.add_node("c", kind="community", street="S")
>>> for p in "efg":
...     G.add_node(p, kind="enterprise", name=p.upper())
>>> G.add_edge("c", "g", kinds=("funding",), since="2023-02-01", projects=())
>>> t = partnership_timeline(G, on=dt.date(2026, 1, 1))
>>> [(y.year, y.formed, y.lapsed, y.held) for y in t.years]
[(2023, 2, 0, 2), (2024, 1, 1, 2)]
>>> [(f.partner, f.project, f.days_left) for f in t.fragile]
[('e', 'p1', 30)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphsvc.analysis.core.common import check_graph, is_community, is_partner
from graphsvc.analysis.gaps.answers import FragilePartnership, Timeline, TimelineYear
from graphsvc.errors import NotFound
from graphsvc.vocabulary import OUTCOMES

FRAGILE_DAYS = 90
"""How near its end (in days) the one project holding a partnership up makes it fragile, by default."""

_HOLDING = frozenset({"subscribed", "running"})


@dataclass
class _Pair:
    community: str
    partner: str
    edge: Mapping[str, Any] | None = None
    dates: list[str] = field(default_factory=list)  # forming dates seen
    projects: list[Mapping[str, Any]] = field(default_factory=list)  # projects holding it
    last_outcome: tuple[str, str] | None = None  # (at, status)


def _pairs(
    G: nx.Graph,
    edges: Iterable[tuple[Any, Any, Mapping[str, Any]]],
    projects: Iterable[Mapping[str, Any]],
    outcomes: Iterable[Mapping[str, Any]],
    known: Mapping[str, Mapping[str, Any]],
) -> dict[tuple[str, str], _Pair]:
    """The partnerships the given edges, projects and outcomes make (``known``: every project by id)."""
    pairs: dict[tuple[str, str], _Pair] = {}

    def pair(community: str, partner: str) -> _Pair:
        key = (community, partner)
        if key not in pairs:
            pairs[key] = _Pair(community, partner)
        return pairs[key]

    for u, v, data in edges:
        community, partner = (u, v) if is_community(G, u) else (v, u)
        if not is_community(G, community) or not is_partner(G, partner):
            continue
        one = pair(str(community), str(partner))
        one.edge = data
        if data.get("since"):
            one.dates.append(str(data["since"]))
        one.projects.extend(known[p] for p in data.get("projects", ()) if p in known)
    for project in projects:
        for partner, _amount in project.get("sponsors", []):
            if project["community"] not in G or partner not in G:
                continue
            one = pair(project["community"], partner)
            if project.get("start"):
                one.dates.append(str(project["start"]))
            if all(p["id"] != project["id"] for p in one.projects):
                one.projects.append(project)
    for outcome in outcomes:
        if outcome["status"] not in ("formed", "lapsed"):
            continue
        one = pair(outcome["community"], outcome["partner"])
        if outcome["status"] == "formed":
            one.dates.append(str(outcome["at"]))
        if one.last_outcome is None or str(outcome["at"]) >= one.last_outcome[0]:
            one.last_outcome = (str(outcome["at"]), outcome["status"])
    return pairs


def _all_pairs(G: nx.Graph) -> dict[tuple[str, str], _Pair]:
    projects = G.graph.get("projects", [])
    known = {p["id"]: p for p in projects}
    return _pairs(G, G.edges(data=True), projects, G.graph.get(OUTCOMES, []), known)


_EMPTY: tuple[()] = ()
_INDEX: list[tuple[object, object, dict[str, Any]]] = []
"""The last graph's projects and outcomes by community (its lists kept, so that they are known again by identity):
a community's gaps are asked for each community in turn, and each would read every project otherwise."""


def _by_community(G: nx.Graph) -> dict[str, Any]:
    projects, outcomes = G.graph.get("projects", _EMPTY), G.graph.get(OUTCOMES, _EMPTY)
    for kept_projects, kept_outcomes, index in list(_INDEX):
        if kept_projects is projects and kept_outcomes is outcomes:
            return index
    mine: dict[str, tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]] = {}
    for project in projects:
        mine.setdefault(project["community"], ([], []))[0].append(project)
    for outcome in outcomes:
        mine.setdefault(outcome["community"], ([], []))[1].append(outcome)
    index = {"known": {p["id"]: p for p in projects}, "mine": mine}
    _INDEX[:] = [(projects, outcomes, index)]
    return index


def _lapsed_on(one: _Pair, on: str) -> tuple[bool, str | None]:
    """Whether the partnership has lapsed by ``on``, and when (``None``: not known)."""
    if one.last_outcome is not None and one.last_outcome[1] == "lapsed":
        return True, one.last_outcome[0]
    if one.edge is not None or not one.projects:
        return False, None
    ends = [p.get("end") for p in one.projects]
    closed = all(str(p["end"]) <= on if p.get("end") else p["status"] == "closed" for p in one.projects)
    if not closed:
        return False, None
    dated = [str(e) for e in ends if e]
    return True, (max(dated) if len(dated) == len(ends) else None)


def _fragile(G: nx.Graph, one: _Pair, on: dt.date, within_days: int) -> FragilePartnership | None:
    holding = [p for p in one.projects if p["status"] != "closed"]
    if len(holding) != 1:
        return None
    project = holding[0]
    if project["status"] not in _HOLDING or not project.get("end"):
        return None
    if one.edge is not None and (
        len(one.edge.get("kinds", ())) != 1 or set(one.edge.get("projects", ())) != {project["id"]}
    ):
        return None
    days = (dt.date.fromisoformat(str(project["end"])) - on).days
    if not 0 <= days <= within_days:
        return None
    name = G.nodes[one.partner].get("name")
    title = project.get("title")
    return FragilePartnership(
        community=one.community,
        partner=one.partner,
        name=name,
        project=project["id"],
        title=title,
        end=str(project["end"]),
        days_left=days,
        note_zh=f"与{name or one.partner}的合作只靠项目「{title or project['id']}」维系，该项目{days}天后结束",
        note_en=f"the partnership with {name or one.partner} rests on one project ({project['id']}), "
        f"which ends in {days} days",
    )


def _years(rows: Iterable[tuple[str | None, str | None]]) -> list[TimelineYear]:
    """Years from ``(formed, lapsed)`` ISO dates: every year from the first to the last event."""
    formed: dict[int, int] = {}
    lapsed: dict[int, int] = {}
    for start, end in rows:
        if start:
            formed[int(start[:4])] = formed.get(int(start[:4]), 0) + 1
            if end:
                lapsed[int(end[:4])] = lapsed.get(int(end[:4]), 0) + 1
    if not formed:
        return []
    years, held = [], 0
    for year in range(min(formed), max([*formed, *lapsed]) + 1):
        held += formed.get(year, 0) - lapsed.get(year, 0)
        years.append(TimelineYear(year=year, formed=formed.get(year, 0), lapsed=lapsed.get(year, 0), held=held))
    return years


def partnership_timeline(
    G: nx.Graph, *, street: str | None = None, on: dt.date | None = None, within_days: int = FRAGILE_DAYS
) -> Timeline:
    """Partnerships formed and lapsed per year (for ``street``, or the district with each street's years), and
    the fragile ones, as of ``on`` (default today). The rules are the module's.

    A partnership lapsed on no known date counts in ``lapsed`` but in no year's (so the years still count it as
    held); in the years only partnerships with a forming date count.

    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", street="S")
    >>> G.add_node("e", kind="enterprise")
    >>> G.add_edge("c", "e", kinds=("funding",), since="2022-04-01", projects=())
    >>> t = partnership_timeline(G, street="S", on=dt.date(2024, 1, 1))
    >>> t.partnerships, [(y.year, y.formed, y.held) for y in t.years]
    (1, [(2022, 1, 1)])
    """
    check_graph(G)
    today = on or dt.date.today()
    if street is not None and not any(is_community(G, n) and G.nodes[n].get("street") == street for n in G):
        raise NotFound(f"no community on street {street!r}")
    rows: dict[str | None, list[tuple[str | None, str | None]]] = {}
    lapsed_count = undated = 0
    fragile: list[FragilePartnership] = []
    for (community, _), one in sorted(_all_pairs(G).items()):
        where = G.nodes[community].get("street")
        if street is not None and where != street:
            continue
        gone, end = _lapsed_on(one, today.isoformat())
        start = min(one.dates) if one.dates else None
        lapsed_count += gone
        undated += start is None
        rows.setdefault(where, []).append((start, end if gone else None))
        if not gone and (found := _fragile(G, one, today, within_days)) is not None:
            fragile.append(found)
    every = [row for group in rows.values() for row in group]
    return Timeline(
        street=street,
        on=today.isoformat(),
        partnerships=len(every),
        lapsed=lapsed_count,
        undated=undated,
        years=_years(every),
        by_street={} if street is not None else {s: _years(r) for s, r in sorted(rows.items()) if s is not None},
        fragile=sorted(fragile, key=lambda f: (f.days_left, f.community, f.partner)),
    )


def fragile_partnerships(
    G: nx.Graph, community: str, *, on: dt.date | None = None, within_days: int = FRAGILE_DAYS
) -> list[FragilePartnership]:
    """The fragile partnerships of one community (the module's rule), soonest end first.

    >>> G = nx.Graph(projects=[{"id": "p", "community": "c", "title": "t", "status": "subscribed",
    ...                         "sponsors": [("e", 10.0)], "start": None, "end": "2026-03-01"}])
    >>> G.add_node("c", kind="community"); G.add_node("e", kind="enterprise")
    >>> [f.days_left for f in fragile_partnerships(G, "c", on=dt.date(2026, 2, 1))]
    [28]
    >>> fragile_partnerships(G, "c", on=dt.date(2025, 1, 1))
    []
    """
    if "projects" not in G.graph:
        return []  # no project holds any partnership up
    today = on or dt.date.today()
    out = []
    for (c, _), one in sorted(_pairs_of(G, community).items()):
        if c == community and not _lapsed_on(one, today.isoformat())[0]:
            found = _fragile(G, one, today, within_days)
            if found is not None:
                out.append(found)
    return sorted(out, key=lambda f: (f.days_left, f.partner))


def _pairs_of(G: nx.Graph, community: str) -> dict[tuple[str, str], _Pair]:
    """:func:`_pairs` of one community: its edges, its projects, its outcomes."""
    index = _by_community(G)
    projects, outcomes = index["mine"].get(community, ([], []))
    return _pairs(G, G.edges(community, data=True), projects, outcomes, index["known"])
