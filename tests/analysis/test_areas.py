"""Figures by area: sums of the communities' own results, at every level, on a graph checkable by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.analysis.areas.rollup import (
    UNASSIGNED,
    area_gaps,
    area_levels,
    area_totals,
    plan_by_area,
)
from graphsvc.analysis.gaps.find import all_community_gaps, district_gaps
from graphsvc.analysis.plan.district import district_plan
from graphsvc.errors import NotFound
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district


@pytest.fixture
def territory() -> nx.Graph:
    """Streets S, T in district D (city C); street U in no district; one partner covering half of c2's need."""
    G = nx.Graph(areas={"street": {"S": "D", "T": "D"}, "district": {"D": "C"}, "city": {"C": None}})
    G.add_node("c1", kind="community", name="一", street="S", needs={"health": 4.0})
    G.add_node("c2", kind="community", name="二", street="T", needs={"health": 2.0, "youth": 2.0})
    G.add_node("c3", kind="community", name="三", street="U", needs={"youth": 1.0})
    G.add_node("e", kind="enterprise", name="企业", offers={"health": 1.0})
    G.add_edge("c2", "e")
    return G


def test_levels_and_totals_by_hand(territory: nx.Graph) -> None:
    gaps = all_community_gaps(territory, policy="generic")
    assert [(x.level, x.count) for x in area_levels(territory)] == [
        ("community", 3),
        ("street", 3),  # U is named by a community
        ("district", 1),
        ("city", 1),
    ]
    by_district = {
        a.name: (a.communities, a.need, a.covered, a.uncovered) for a in area_totals(territory, gaps, "district")
    }
    assert by_district == {"D": (2, 8.0, 1.0, 7.0), UNASSIGNED: (1, 1.0, 0.0, 1.0)}
    assert [a.name for a in area_totals(territory, gaps, "street")] == ["S", "T", "U"]  # uncovered 4, 3, 1
    city = area_gaps(territory, gaps, "city", "C")
    assert (city.area.need, city.area.uncovered, city.children_level) == (8.0, 7.0, "district")
    district = area_gaps(territory, gaps, "district", "D")
    assert district.path == [("city", "C")]
    assert [(c.name, c.uncovered) for c in district.children] == [("S", 4.0), ("T", 3.0)]
    assert [(c.category, c.uncovered) for c in district.categories] == [("health", 5.0), ("youth", 2.0)]
    with pytest.raises(NotFound):
        area_gaps(territory, gaps, "district", "nowhere")
    with pytest.raises(NotFound):
        area_totals(territory, gaps, "county")


def test_street_figures_are_the_district_rollups() -> None:
    G = build_graph(generate_district(communities=300, seed=4))
    gaps = all_community_gaps(G)
    streets = {s.street: s for s in district_gaps(G, gaps=gaps).streets}
    for area in area_totals(G, gaps, "street"):
        s = streets[area.name]
        assert (area.communities, area.need, area.covered) == (s.communities, s.need, s.covered)
        assert area.uncovered == pytest.approx(s.uncovered, abs=1e-3)
    districts = area_totals(G, gaps, "district")
    assert sum(d.communities for d in districts) == 300
    for d in districts:
        inside = area_totals(G, gaps, "street", within=("district", d.name))
        assert d.need == pytest.approx(sum(s.need for s in inside), abs=1e-3)
        assert d.uncovered == pytest.approx(sum(s.uncovered for s in inside), abs=1e-3)
        assert {s.parent for s in inside} == {d.name}


def test_plan_figures_by_district() -> None:
    G = build_graph(generate_district(communities=150, seed=5))
    plan = district_plan(G, per_community=1)
    rows = plan_by_area(G, plan.communities, [link.community for link in plan.links], "district")
    assert sum(r.links for r in rows) == len(plan.links)
    assert sum(r.after for r in rows) == pytest.approx(plan.totals.after, abs=1e-2)
    assert sum(r.before for r in rows) == pytest.approx(plan.totals.before, abs=1e-2)
