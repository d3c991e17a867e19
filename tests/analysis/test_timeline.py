"""The cycle over time: partnerships formed and lapsed per year, fragile partnerships, in gaps too."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.gaps.find import community_gaps
from graphsvc.analysis.gaps.timeline import fragile_partnerships, partnership_timeline
from graphsvc.errors import NotFound
from graphsvc.graph import build_graph
from graphsvc.model import Entity, Link, Outcome, Project

ON = dt.date(2026, 6, 1)


def _graph(projects: list[Project] = (), links: list[Link] = (), outcomes: list[Outcome] = ()):  # type: ignore[assignment]
    entities = [
        Entity(id="c1", kind="community", name="一社区", street="A"),
        Entity(id="c2", kind="community", name="二社区", street="B"),
        *(Entity(id=e, kind="enterprise", name=f"企业{e}") for e in ("e1", "e2", "e3", "e4")),
    ]
    return build_graph(entities=entities, links=links, projects=projects, outcomes=outcomes)


def _project(pid: str, community: str, sponsor: str, status: str, start: str | None, end: str | None) -> Project:
    return Project(
        id=pid,
        community=community,
        title=f"项目{pid}",
        covers="elderly_care:1",
        budget=100,
        status=status,
        sponsors=f"{sponsor}:100",
        start=start,
        end=end,
    )


def test_years_count_links_projects_and_outcomes_per_street() -> None:
    G = _graph(
        links=[
            Link(source="e1", target="c1", kind="funding", since="2021-03-01"),
            Link(source="c1", target="e1", kind="volunteering", since="2022-01-01"),  # same pair: formed once
            Link(source="e2", target="c2", kind="funding", since="2022-07-01"),
        ],
        projects=[_project("p1", "c1", "e3", "closed", "2022-02-01", "2024-03-31")],  # held by a project only
        outcomes=[
            Outcome(community="c2", partner="e4", status="formed", at="2023-05-01"),
            Outcome(community="c2", partner="e4", status="lapsed", at="2025-01-10"),
        ],
    )
    t = partnership_timeline(G, on=ON)
    assert (t.partnerships, t.lapsed, t.undated) == (4, 2, 0)
    assert [(y.year, y.formed, y.lapsed, y.held) for y in t.years] == [
        (2021, 1, 0, 1),
        (2022, 2, 0, 3),
        (2023, 1, 0, 4),
        (2024, 0, 1, 3),
        (2025, 0, 1, 2),
    ]
    street_a = [(y.year, y.formed, y.lapsed) for y in t.by_street["A"]]
    assert street_a == [(2021, 1, 0), (2022, 1, 0), (2023, 0, 0), (2024, 0, 1)]
    b = partnership_timeline(G, street="B", on=ON)
    assert [(y.year, y.formed, y.lapsed, y.held) for y in b.years] == [
        (2022, 1, 0, 1),
        (2023, 1, 0, 2),
        (2024, 0, 0, 2),
        (2025, 0, 1, 1),
    ]
    assert b.by_street == {}


def test_a_project_not_yet_ended_has_not_lapsed_and_an_undated_one_is_counted_apart() -> None:
    G = _graph(
        projects=[
            _project("p1", "c1", "e1", "running", "2025-01-01", "2026-12-31"),  # ends after ON
            _project("p2", "c1", "e2", "subscribed", None, None),
        ]
    )
    t = partnership_timeline(G, on=ON)
    assert (t.partnerships, t.lapsed, t.undated) == (2, 0, 1)
    assert [(y.year, y.formed, y.held) for y in t.years] == [(2025, 1, 1)]
    closed_later = _graph(projects=[_project("p1", "c1", "e1", "closed", "2025-01-01", "2026-12-31")])
    assert partnership_timeline(closed_later, on=ON).lapsed == 0  # closed, but its end is after ON
    no_end = _graph(projects=[_project("p1", "c1", "e1", "closed", "2025-01-01", None)])
    assert (partnership_timeline(no_end, on=ON).lapsed, partnership_timeline(no_end, on=ON).years[-1].lapsed) == (1, 0)
    later = partnership_timeline(G, on=dt.date(2027, 2, 1))  # a running project past its end: lapsed
    assert later.lapsed == 1 and [(y.year, y.lapsed) for y in later.years] == [(2025, 0), (2026, 1)]


def test_fragile_is_one_project_near_its_end() -> None:
    G = _graph(
        links=[
            Link(source="e1", target="c1", kind="funding", project="p1"),  # its only link is through p1
            Link(source="e2", target="c1", kind="funding", project="p2"),
            Link(source="e2", target="c1", kind="volunteering"),  # a link of its own: not fragile
        ],
        projects=[
            _project("p1", "c1", "e1", "running", "2025-01-01", "2026-06-20"),
            _project("p2", "c1", "e2", "running", "2025-01-01", "2026-06-20"),
            _project("p3", "c1", "e3", "running", "2025-01-01", "2027-01-01"),  # ends far off
            _project("p4", "c1", "e4", "subscribed", "2025-01-01", "2026-07-01"),  # sponsorship only
        ],
    )
    found = fragile_partnerships(G, "c1", on=ON)
    assert [(f.partner, f.project, f.days_left) for f in found] == [("e1", "p1", 19), ("e4", "p4", 30)]
    assert "p1" in found[0].note_en and "企业e1" in found[0].note_zh
    assert [f.partner for f in fragile_partnerships(G, "c1", on=ON, within_days=20)] == ["e1"]
    assert [f.partner for f in fragile_partnerships(G, "c1", on=dt.date(2026, 6, 21))] == ["e4"]  # p1 ended
    assert [(f.community, f.partner) for f in partnership_timeline(G, on=ON).fragile] == [("c1", "e1"), ("c1", "e4")]


def test_a_second_project_or_a_lapse_makes_it_not_fragile() -> None:
    G = _graph(
        projects=[
            _project("p1", "c1", "e1", "running", "2025-01-01", "2026-06-20"),
            _project("p2", "c1", "e1", "running", "2025-01-01", "2027-06-20"),
            _project("p3", "c1", "e2", "running", "2025-01-01", "2026-06-20"),
        ],
        outcomes=[Outcome(community="c1", partner="e2", status="lapsed", at="2026-05-01")],
    )
    assert fragile_partnerships(G, "c1", on=ON) == []


def test_gaps_flag_fragile_partnerships_today() -> None:
    today = dt.date.today()
    soon, far = (today + dt.timedelta(days=10)).isoformat(), (today + dt.timedelta(days=400)).isoformat()
    G = _graph(
        projects=[
            _project("p1", "c1", "e1", "running", "2025-01-01", soon),
            _project("p2", "c1", "e2", "running", "2025-01-01", far),
        ]
    )
    gaps = community_gaps(G, "c1")
    assert [(f.partner, f.days_left) for f in gaps.fragile_partnerships] == [("e1", 10)]
    assert community_gaps(G, "c2").fragile_partnerships == []
    assert "fragile_partnerships" in gaps.model_dump()


def test_an_unknown_street_is_not_found() -> None:
    with pytest.raises(NotFound):
        partnership_timeline(_graph(), street="Z")
