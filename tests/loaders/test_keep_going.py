"""``keep_going``: the consistent rows are written, each inconsistent row is skipped and reported.

``hsds_broken/`` is referentially broken by hand: service s2 (line 3) and s4 (line 5) and location l2 (line 3)
name organizations the directory does not hold; address a2 (line 3) is at l2, so it goes once l2 does; address
a3 (line 4) has a 1,207-character city (a region pasted into it), an id over 200 characters once it is an area.
What stays: o1 (s1 senior meals) at Harbor City, o2 (s3 youth club) at Harbor City through a4.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.errors import ValidationFailed
from graphsvc.loaders import load_paths
from graphsvc.store import SQLiteStore

BROKEN = Path(__file__).parent / "hsds_broken"
SKIPPED = {
    ("service.csv", 3, "organization_id"),
    ("service.csv", 5, "organization_id"),
    ("location.csv", 3, "organization_id"),
    ("address.csv", 3, "location_id"),
    ("address.csv", 4, "id"),
    ("address.csv", 4, "name"),
    ("address.csv", 4, "target"),
}


def test_without_keep_going_nothing_is_written(sqlite_store: SQLiteStore) -> None:
    with pytest.raises(ValidationFailed) as failed:
        load_paths(sqlite_store, [BROKEN])
    assert {(Path(p.file).name, p.line) for p in failed.value.problems} >= {("service.csv", 3), ("address.csv", 4)}
    assert sqlite_store.counts().links == 0 and sqlite_store.list_entities() == []


def test_keep_going_writes_the_consistent_rows_and_reports_every_skipped_one(sqlite_store: SQLiteStore) -> None:
    report = load_paths(sqlite_store, [BROKEN], keep_going=True)
    assert {e.id for e in sqlite_store.list_entities()} == {"o1", "o2", "city:Harbor City"}
    assert {(o.partner, o.category) for o in sqlite_store.list_offers()} == {("o1", "elderly_care"), ("o2", "youth")}
    assert {link.key for link in sqlite_store.list_links()} == {
        ("o1", "city:Harbor City", "service"),
        ("o2", "city:Harbor City", "service"),
    }
    assert {(Path(p.file).name, p.line, p.field) for p in report.skipped} == SKIPPED
    assert report.skipped_rows == 5
    by_reason = report.skipped_by_reason()
    assert by_reason["[organization_id] no HSDS organization with id … in this directory"] == 3
    assert by_reason["[id] String should have at most 200 characters"] == 1
    assert sum(by_reason.values()) == len(report.skipped) == 8
    # the over-long value is quoted in part, with its length, not in full
    long = next(p for p in report.skipped if p.field == "id")
    assert "(1211 characters)" in long.reason and len(long.reason) < 200
    as_dict = report.as_dict()
    assert as_dict["skipped_rows"] == 5 and len(as_dict["skipped"]) == 8  # type: ignore[arg-type]


def test_keep_going_skips_rows_of_graphsvc_tables_and_those_naming_them(
    sqlite_store: SQLiteStore, tmp_path: Path
) -> None:
    (tmp_path / "entities.csv").write_text(
        "id,kind,name\nc1,community,One\n" + f"c2,community,{'x' * 600}\no1,organization,Org\n", encoding="utf-8"
    )
    (tmp_path / "links.csv").write_text(
        "source,target,kind\no1,c1,service\no1,c2,service\no1,nobody,service\n", encoding="utf-8"
    )
    report = load_paths(sqlite_store, [tmp_path], keep_going=True)
    assert {e.id for e in sqlite_store.list_entities()} == {"c1", "o1"}
    assert {link.key for link in sqlite_store.list_links()} == {("o1", "c1", "service")}
    # c2's over-long name skips its row; the link naming c2 goes in the next round; the one naming nobody at once
    assert sorted((Path(p.file).name, p.line, p.field) for p in report.skipped) == [
        ("entities.csv", 3, "name"),
        ("links.csv", 3, "target"),
        ("links.csv", 4, "target"),
    ]


def test_keep_going_with_nothing_wrong_skips_nothing(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text("id,kind,name\nc1,community,One\n", encoding="utf-8")
    report = load_paths(sqlite_store, [tmp_path], keep_going=True)
    assert report.skipped == [] and report.as_dict()["skipped_by_reason"] == {}
    assert [e.id for e in sqlite_store.list_entities()] == ["c1"]


def test_a_problem_of_a_whole_file_still_refuses_the_load(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text("id,kind,name\nc1,community,One\n", encoding="utf-8")
    (tmp_path / "needs.csv").write_text("community,category\nc1,health\n", encoding="utf-8")  # no weight column
    with pytest.raises(ValidationFailed, match="weight"):
        load_paths(sqlite_store, [tmp_path], keep_going=True)
    assert sqlite_store.list_entities() == []
