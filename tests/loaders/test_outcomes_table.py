"""The outcomes table: what became of suggestions, loaded from a load directory, each bad row located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graphsvc.errors import ValidationFailed
from graphsvc.loaders import load_paths
from graphsvc.model import Dataset
from graphsvc.store import GraphStore, SQLiteStore
from graphsvc.vocabulary import DeclineReason, OutcomeStatus

HEAD = "community,partner,status,reason,at,by,rank,probability\n"


@pytest.fixture
def held(tmp_path: Path, tiny: Dataset) -> GraphStore:
    store = SQLiteStore(tmp_path / "graph.db")
    store.upsert(tiny)
    return store


def test_an_outcomes_table_loads(tmp_path: Path, held: GraphStore) -> None:
    folder = tmp_path / "load"
    folder.mkdir()
    (folder / "outcomes.csv").write_text(
        HEAD + "c1,s1,已婉拒,距离太远,2026/3/5,拱北星辰,gain,0.4\nc2,e1,formed,,2026-04-01,,,\n", encoding="utf-8"
    )
    report = load_paths(held, [folder])
    assert report.after.outcomes == 2 and report.before.outcomes == 0
    first, second = held.list_outcomes()
    assert (first.status, first.reason, first.at, first.by) == (
        OutcomeStatus.DECLINED,
        DeclineReason.TOO_FAR,
        dt.date(2026, 3, 5),
        "拱北星辰",
    )
    assert (first.rank, first.probability) == ("gain", 0.4)
    assert (second.status, second.reason) == (OutcomeStatus.FORMED, None)


@pytest.mark.parametrize(
    ("row", "field", "says"),
    [
        ("c1,s1,declined,,2026-01-01,,,", None, "a decline needs a reason"),
        ("c1,s1,accepted,too far,2026-01-01,,,", None, "only a decline has a reason"),
        ("c1,s1,maybe,,2026-01-01,,,", "status", "unknown outcome status"),
        ("c1,s1,declined,busy,2026-01-01,,,", "reason", "unknown decline reason"),
        ("c1,ghost,proposed,,2026-01-01,,,", "partner", "no entity with id 'ghost'"),
        ("s1,c1,proposed,,2026-01-01,,,", "community", "outcomes name a community"),
        ("c1,s1,proposed,,2026-01-01,,,1.5", "probability", "less than or equal to 1"),
        ("c1,s1,proposed,,someday,,,", "at", "date"),
    ],
)
def test_a_bad_outcome_row_is_located_and_nothing_is_written(
    tmp_path: Path, held: GraphStore, row: str, field: str | None, says: str
) -> None:
    folder = tmp_path / "load"
    folder.mkdir()
    (folder / "outcomes.csv").write_text(HEAD + "c2,e1,formed,,2026-04-01,,,\n" + row + "\n", encoding="utf-8")
    version = held.data_version()
    with pytest.raises(ValidationFailed) as info:
        load_paths(held, [folder])
    problems = info.value.problems
    assert {(Path(p.file).name, p.line) for p in problems} == {("outcomes.csv", 3)}  # the good row is not named
    problem = next(p for p in problems if field is None or p.field == field)
    assert says in problem.reason
    assert held.list_outcomes() == [] and held.data_version() == version


def test_outcomes_in_a_json_document_and_a_dry_run(tmp_path: Path, held: GraphStore) -> None:
    doc = tmp_path / "district.json"
    doc.write_text(
        '{"outcomes": [{"community": "c1", "partner": "e1", "status": "已接受", "at": "2026-05-01", "by": "王"}]}',
        encoding="utf-8",
    )
    dry = load_paths(held, [doc], dry_run=True)
    assert (dry.rows["outcomes"], dry.before.outcomes, dry.after.outcomes) == (1, 0, 1)
    assert held.list_outcomes() == []
    load_paths(held, [doc])
    (kept,) = held.list_outcomes()
    assert (kept.status, kept.by, kept.at) == (OutcomeStatus.ACCEPTED, "王", dt.date(2026, 5, 1))
