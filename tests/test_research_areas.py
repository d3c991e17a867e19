"""Research frames by area: the same figures as the area analysis and the district roll-ups."""

from __future__ import annotations

import pytest

import graphsvc.research as gr
from graphsvc.analysis.gaps.find import district_gaps
from graphsvc.analysis.plan.district import district_plan


def test_areas_frames_add_up() -> None:
    G = gr.sample_graph(communities=300, seed=1)
    districts = gr.areas_frame(G, "district")
    streets = gr.areas_frame(G, "street")
    assert districts["communities"].sum() == streets["communities"].sum() == 300
    assert districts["uncovered"].is_monotonic_decreasing
    by_district = streets.groupby("parent")["uncovered"].sum()
    for row in districts.itertuples():
        assert row.uncovered == pytest.approx(by_district[row.name], abs=1e-3)
    assert districts["need"].sum() == pytest.approx(district_gaps(G).need, abs=1e-3)
    assert gr.area_levels_frame(G)["count"].tolist() == [300, 24, 3]
    inside = gr.areas_frame(G, "street", within=("district", "斗门"))
    assert set(inside["parent"]) == {"斗门"} and len(inside) == 4


def test_area_plan_frame_counts_every_planned_link() -> None:
    G = gr.sample_graph(communities=150, seed=2)
    plan = district_plan(G)
    frame = gr.area_plan_frame(G, "district", plan=plan)
    assert frame["links"].sum() == len(gr.plan_frame(plan, G)) == len(plan.links) > 0
    assert frame["after"].sum() == pytest.approx(plan.totals.after, abs=1e-2)
    assert (frame["after"] >= frame["before"] - 1e-9).all()
