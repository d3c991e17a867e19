"""``graphsvc outcome`` and ``graphsvc outcomes``: recorded declines leave a partner out of a community's list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.model import Dataset
from graphsvc.store import SQLiteStore
from tests.cli.console import Run, graphsvc

OFF_TTY = {"TTY_COMPATIBLE": "0", "COLUMNS": "160"}


@pytest.fixture
def db(tmp_path: Path, tiny: Dataset) -> Path:
    path = tmp_path / "g.db"
    with SQLiteStore(path) as store:
        store.upsert(tiny)
    return path


def run(db: Path, *args: str) -> Run:
    return graphsvc(*args, env={**OFF_TTY, "GRAPHSVC_STORE": f"sqlite://{db}"})


def listed(db: Path, *extra: str) -> list[str]:
    done = run(db, "recommend", "c2", "--json", *extra)
    assert done.code == 0, done.err
    return [r["partner"] for r in json.loads(done.out)["recommendations"]]


def test_a_recorded_decline_leaves_the_partner_out_and_explain_says_why(db: Path) -> None:
    assert "s1" in listed(db)  # the law society offers the legal aid c2 lacks
    done = run(db, "outcome", "c2", "s1", "已婉拒", "--reason", "not our field", "--by", "拱北星辰", "--at", "2026/3/5")
    assert done.code == 0, done.err
    assert "法律社团" in done.out and "不属于本机构领域 not our field" in done.out
    assert "s1" not in listed(db)
    assert "s1" in listed(db, "--include-declined")
    people = run(db, "recommend", "c2")
    assert "1 partner that declined 拱北第2社区 (c2) left out (s1; --include-declined lists them)" in people.out
    why = json.loads(run(db, "recommend", "c2", "--explain", "s1", "--json").out)
    assert [(k["code"], k["text_en"]) for k in why["kept_out"]] == [
        ("declined", "declined on 2026-03-05: not our field")
    ]
    table = json.loads(run(db, "outcomes", "--json").out)
    assert table["count"] == 1
    assert table["data"][0] | {"by": None} == {
        **{"community": "c2", "partner": "s1", "status": "declined", "at": "2026-03-05"},
        **{"reason": "not_our_field", "by": None, "rank": None, "probability": None},
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("c2", "s1", "declined"), "a decline needs a reason"),
        (("c2", "s1", "maybe"), "unknown outcome status"),
        (("c2", "ghost", "accepted"), "partner: no entity with id 'ghost'"),
        (("s1", "c2", "accepted"), "is a school, not a community"),
        (("c2", "s1", "accepted", "--at", "someday"), "date"),
    ],
)
def test_a_bad_outcome_is_refused_and_nothing_is_written(db: Path, args: tuple[str, ...], says: str) -> None:
    done = run(db, "outcome", *args)
    assert done.code == 2
    assert says in done.err
    assert json.loads(run(db, "outcomes", "--json").out)["count"] == 0


def test_an_outcome_keeps_what_the_kept_list_showed(db: Path) -> None:
    assert run(db, "fit", "--json").code == 0
    shown = json.loads(run(db, "recommend", "c2", "--json").out)
    first = shown["recommendations"][0]
    done = run(db, "outcome", "c2", first["partner"], "accepted", "--json")
    assert done.code == 0, done.err
    recorded = json.loads(done.out)
    assert (recorded["rank"], recorded["probability"]) == (shown["rank"], first["probability"])
    # the kept lists are of older data now: the next outcome of the same pair records no guess
    again = json.loads(run(db, "outcome", "c2", first["partner"], "formed", "--at", "2030-01-01", "--json").out)
    assert (again["rank"], again["probability"]) == (None, None)
