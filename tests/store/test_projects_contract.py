"""The storage contract for projects: both stores keep, list, replace and delete them the same way."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity, Project
from graphsvc.store import GraphStore
from graphsvc.vocabulary import ProjectStatus


@pytest.fixture
def projects() -> list[Project]:
    return [
        Project(
            id="p1",
            community="c1",
            title="长者饭堂",
            covers={"elderly_care": 2},
            budget=8000,
            status="running",
            sponsors="s1:3000; e1:5000",
            proposed_on="2024-03-01",
            start="2024-04-01",
            end="2024-12-31",
        ),
        Project(id="p2", community="c2", title="法律咨询角", covers="legal_aid:1.5; mediation:1", budget=6000),
    ]


def test_projects_read_back(store: GraphStore, tiny: Dataset, projects: list[Project]) -> None:
    store.upsert(tiny.model_copy(update={"projects": projects}))
    assert store.list_projects() == projects
    assert store.counts().projects == 2
    (p1,) = store.list_projects("c1")
    assert [(s.partner, s.amount) for s in p1.sponsors] == [("e1", 5000.0), ("s1", 3000.0)]
    assert (p1.status, p1.start, p1.end) == (ProjectStatus.RUNNING, dt.date(2024, 4, 1), dt.date(2024, 12, 31))
    assert store.get_project("p2").covers == {"legal_aid": 1.5, "mediation": 1.0}
    assert store.get_project("p2").sponsors == ()
    with pytest.raises(NotFound, match="p9"):
        store.get_project("p9")


def test_a_project_replaces_the_one_with_its_id_sponsors_too(
    store: GraphStore, tiny: Dataset, projects: list[Project]
) -> None:
    store.upsert(tiny.model_copy(update={"projects": projects}))
    version = store.data_version()
    taken = projects[1].model_copy(update={"status": ProjectStatus.SUBSCRIBED})
    store.upsert(Dataset(projects=[Project.model_validate({**taken.model_dump(), "sponsors": "e1:6000"})]))
    assert store.data_version() > version
    p2 = store.get_project("p2")
    assert (p2.status, [(s.partner, s.amount) for s in p2.sponsors]) == (ProjectStatus.SUBSCRIBED, [("e1", 6000.0)])
    store.upsert(Dataset(projects=[projects[0].model_copy(update={"sponsors": projects[0].sponsors[:1]})]))
    assert [s.partner for s in store.get_project("p1").sponsors] == ["e1"]
    assert store.counts().projects == 2


def test_a_project_naming_unknown_entities_changes_nothing(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    before = (store.counts(), store.data_version())
    bad = Project(id="p3", community="c1", title="t", covers={"youth": 1}, budget=1, sponsors="ghost:1")
    with pytest.raises(ValidationFailed) as info:
        store.upsert(Dataset(projects=[bad]))
    assert [(p.file, p.field) for p in info.value.problems] == [("projects", "sponsors")]
    assert (store.counts(), store.data_version()) == before
    assert store.list_projects() == []


def test_projects_go_with_their_community_and_sponsors_leave_them(
    store: GraphStore, tiny: Dataset, projects: list[Project]
) -> None:
    store.upsert(tiny.model_copy(update={"projects": projects}))
    store.delete_entity("s1")
    assert [s.partner for s in store.get_project("p1").sponsors] == ["e1"]
    store.delete_entity("c1")
    assert [p.id for p in store.list_projects()] == ["p2"]
    assert store.delete_project("p2") is True
    assert store.delete_project("p2") is False
    assert store.counts().projects == 0


def test_clear_and_replace_drop_projects(store: GraphStore, tiny: Dataset, projects: list[Project]) -> None:
    store.upsert(tiny.model_copy(update={"projects": projects}))
    store.upsert(tiny, replace=True)
    assert store.list_projects() == []
    store.upsert(Dataset(projects=projects))
    store.clear()
    assert store.list_projects() == [] and store.counts().projects == 0


def test_snapshot_keeps_projects_and_running_cover(store: GraphStore, tiny: Dataset, projects: list[Project]) -> None:
    store.upsert(tiny.model_copy(update={"projects": projects}))
    version, G = store.snapshot_with_version()
    assert nx.utils.graphs_equal(G, build_graph(store.dataset()))
    assert [p["id"] for p in G.graph["projects"]] == ["p1", "p2"]
    assert G.graph["project_cover"] == {"c1": {"elderly_care": 2.0}}  # p1 runs; p2 is only proposed
    assert version == store.data_version()


def test_a_district_without_projects_has_the_snapshot_it_had(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    assert "projects" not in store.snapshot().graph
    store.upsert(Dataset(entities=[Entity(id="m1", kind="media", name="媒体")]))
    assert store.counts().projects == 0
