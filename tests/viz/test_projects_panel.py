"""A community page lists its projects (status, budget, what they cover, sponsors); no projects, no panel."""

from __future__ import annotations

from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity, Need, Project
from graphsvc.viz.pages import community_page


def district(projects: list[Project]) -> Dataset:
    return Dataset(
        entities=[
            Entity(id="c1", kind="community", name="拱北第1社区", street="拱北"),
            Entity(id="c2", kind="community", name="拱北第2社区", street="拱北"),
            Entity(id="e1", kind="enterprise", name="爱心企业<一>"),
        ],
        needs=[Need(community="c1", category="elderly_care", weight=3)],
        projects=projects,
    )


def test_a_community_page_lists_its_projects() -> None:
    projects = [
        Project(
            id="p1",
            community="c1",
            title="长者饭堂",
            covers={"elderly_care": 2},
            budget=8000,
            status="running",
            sponsors="e1:5000",
        ),
        Project(id="p2", community="c2", title="别处的项目", covers={"youth": 1}, budget=100),
    ]
    page = community_page(build_graph(district(projects)), "c1")
    assert "公益项目 Projects" in page and "长者饭堂 (p1)" in page
    assert "实施中 running" in page and "养老服务 2" in page and "爱心企业&lt;一&gt; ¥5,000" in page
    assert "别处的项目" not in page
    other = community_page(build_graph(district(projects)), "c2")
    assert "别处的项目 (p2)" in other and "待认购 proposed" in other


def test_no_projects_in_the_district_no_panel() -> None:
    assert "公益项目 Projects" not in community_page(build_graph(district([])), "c1")
