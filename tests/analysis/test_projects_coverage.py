"""A running project's cover counts as covered, in gaps and recommendations alike; other statuses do not."""

from __future__ import annotations

import pytest

from graphsvc.analysis.gaps.find import community_gaps
from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity, Need, Offer, Project


def district(status: str) -> Dataset:
    sponsors = "e1:100" if status != "proposed" else ""
    return Dataset(
        entities=[
            Entity(id="c1", kind="community", name="社区"),
            Entity(id="e1", kind="enterprise", name="企业"),
            Entity(id="s1", kind="organization", subtype="social_organization", name="社会组织"),
        ],
        needs=[
            Need(community="c1", category="elderly_care", weight=3),
            Need(community="c1", category="youth", weight=1),
        ],
        offers=[Offer(partner="s1", category="elderly_care", capacity=5)],
        projects=[
            Project(
                id="p1",
                community="c1",
                title="长者饭堂",
                covers={"elderly_care": 2},
                budget=100,
                status=status,
                sponsors=sponsors,
            )
        ],
    )


@pytest.mark.parametrize(("status", "uncovered"), [("running", 1.0), ("proposed", 3.0), ("closed", 3.0)])
def test_only_a_running_project_covers_need(status: str, uncovered: float) -> None:
    gaps = community_gaps(build_graph(district(status)), "c1")
    (elderly,) = [c for c in gaps.categories if c.category == "elderly_care"]
    assert elderly.uncovered == uncovered


def test_a_fully_covered_need_is_no_gap_and_no_reason_to_recommend() -> None:
    ds = district("running")
    ds = ds.model_copy(update={"projects": [ds.projects[0].model_copy(update={"covers": {"elderly_care": 3.0}})]})
    G = build_graph(ds)
    gaps = community_gaps(G, "c1")
    assert "elderly_care" not in gaps.uncovered_categories
    from graphsvc.analysis.core.coverage import link_gain

    assert link_gain(G, "c1", "s1") == pytest.approx(0.5)  # only the missing five-society role is left to close
    assert link_gain(build_graph(district("proposed")), "c1", "s1") == pytest.approx(3.5)
