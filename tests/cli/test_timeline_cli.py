"""``graphsvc timeline``: the years and the fragile partnerships, for people and for programs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from graphsvc.model import Dataset, Entity, Link, Project
from graphsvc.store import SQLiteStore
from tests.cli.console import Run, graphsvc

OFF_TTY = {"TTY_COMPATIBLE": "0", "COLUMNS": "200"}


def small(end: str = "2026-06-20") -> Dataset:
    """Two streets: c1 (A) linked to e1 since 2022 and sponsored by e2 through p1 (ending ``end``); c2 (B)
    linked to e1 since 2024."""
    return Dataset(
        entities=[
            Entity(id="c1", kind="community", name="甲社区", street="A"),
            Entity(id="c2", kind="community", name="乙社区", street="B"),
            Entity(id="e1", kind="enterprise", name="企业一"),
            Entity(id="e2", kind="enterprise", name="企业二"),
        ],
        links=[
            Link(source="e1", target="c1", kind="funding", since="2022-03-01"),
            Link(source="e1", target="c2", kind="funding", since="2024-05-01"),
        ],
        projects=[
            Project(
                id="p1",
                community="c1",
                title="长者饭堂",
                covers="elderly_care:1",
                budget=100,
                status="running",
                sponsors="e2:100",
                start="2025-01-01",
                end=end,
            )
        ],
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "g.db"
    with SQLiteStore(path) as store:
        store.upsert(small())
    return path


def run(db: Path, *args: str) -> Run:
    return graphsvc(*args, env={**OFF_TTY, "GRAPHSVC_STORE": f"sqlite://{db}"})


def test_timeline_json_counts_the_years_and_flags_the_fragile_one(db: Path) -> None:
    done = run(db, "timeline", "--on", "2026-06-01", "--json")
    assert done.code == 0, done.err
    body = json.loads(done.out)
    assert [(y["year"], y["formed"], y["held"]) for y in body["years"]] == [
        (2022, 1, 1),
        (2023, 0, 1),
        (2024, 1, 2),
        (2025, 1, 3),
    ]
    assert set(body["by_street"]) == {"A", "B"}
    assert [(f["community"], f["partner"], f["days_left"]) for f in body["fragile"]] == [("c1", "e2", 19)]
    street = json.loads(run(db, "timeline", "--street", "B", "--on", "2026-06-01", "--json").out)
    assert [(y["year"], y["formed"]) for y in street["years"]] == [(2024, 1)] and street["fragile"] == []


def test_timeline_for_people_and_its_errors(db: Path) -> None:
    done = run(db, "timeline", "--on", "2026-06-01")
    assert done.code == 0, done.err
    assert "合作关系逐年变化" in done.out and "甲社区 (c1)" in done.out and "企业二 (e2)" in done.out
    assert "2025" in done.out
    later = run(db, "timeline", "--on", "2026-01-01")  # p1 ends in 170 days: not near enough
    assert "no fragile partnership" in later.out
    bad = run(db, "timeline", "--on", "someday")
    assert bad.code == 2 and "not a date" in bad.err
    assert run(db, "timeline", "--street", "Z").code != 0


def test_gaps_of_a_community_say_it_is_fragile(tmp_path: Path) -> None:
    db = tmp_path / "soon.db"
    with SQLiteStore(db) as store:
        store.upsert(small(end=(dt.date.today() + dt.timedelta(days=12)).isoformat()))
    body = json.loads(run(db, "gaps", "c1", "--json").out)
    assert [(f["partner"], f["project"], f["days_left"]) for f in body["fragile_partnerships"]] == [("e2", "p1", 12)]
    assert json.loads(run(db, "gaps", "c2", "--json").out)["fragile_partnerships"] == []
    people = run(db, "gaps", "c1")
    assert "脆弱合作 fragile" in people.out and "ends in 12 days" in people.out
