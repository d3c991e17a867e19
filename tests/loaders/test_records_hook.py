"""``validate_tables``' ``on_records``: what a writer that starts before the checks end is handed, and when."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.loaders import validate
from graphsvc.loaders.tables import RawTable
from graphsvc.loaders.validate import EmptyStore, validate_tables
from graphsvc.model import Entity, Link, Need


def entity_rows(ids: list[str], start: int = 2) -> list[tuple[int, dict[str, Any]]]:
    return [(start + i, {"id": x, "kind": "community", "name": f"社区{x}"}) for i, x in enumerate(ids)]


def handed(tables: list[RawTable]) -> tuple[list[list[Any]], list[str]]:
    chunks: list[list[Any]] = []
    _, problems = validate_tables(tables, EmptyStore(), on_records=lambda records: chunks.append(list(records)))
    return chunks, [str(p) for p in problems]


def test_every_entity_is_handed_on_before_what_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "CHUNK_RECORDS", 2)
    links = RawTable("links", "a/links.csv", rows=[(2, {"source": "c1", "target": "c4", "kind": "volunteering"})] * 1)
    needs = RawTable("needs", "a/needs.csv", rows=[(2, {"community": "c4", "category": "health", "weight": 1})])
    first = RawTable("entities", "b/entities.csv", rows=entity_rows(["c1", "c2", "c3"]))
    second = RawTable("entities", "c/entities.csv", rows=entity_rows(["c4"]))
    chunks, problems = handed([links, needs, first, second])
    assert problems == []
    kinds = [type(chunk[0]) for chunk in chunks]
    assert kinds == [Entity, Entity, Entity, Link, Need]  # c1 c2 | c3 | c4, then the held tables
    assert [e.id for chunk in chunks[:3] for e in chunk] == ["c1", "c2", "c3", "c4"]
    assert all(len({type(r) for r in chunk}) == 1 and len(chunk) <= 2 for chunk in chunks)


def test_nothing_more_is_handed_on_once_a_row_has_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "CHUNK_RECORDS", 2)
    rows = entity_rows(["c1", "c2", "c3", "c4", "c5", "c6"])
    rows[3] = (5, {"id": "c4", "kind": "castle", "name": "x"})  # the fourth row fails its own checks
    chunks, problems = handed([RawTable("entities", "entities.csv", rows=rows)])
    assert [e.id for chunk in chunks for e in chunk] == ["c1", "c2"]  # c3 was not a whole chunk yet
    assert len(problems) == 1 and problems[0].startswith("entities.csv:5 [kind]: ")


def test_the_checks_across_rows_still_report_after_everything_was_handed_on() -> None:
    entities = RawTable("entities", "entities.csv", rows=entity_rows(["c1", "c2"]))
    needs = RawTable("needs", "needs.csv", rows=[(2, {"community": "nobody", "category": "health", "weight": 1})])
    chunks, problems = handed([entities, needs])
    assert [type(chunk[0]) for chunk in chunks] == [Entity, Need]
    assert problems == ["needs.csv:2 [community]: no entity with id 'nobody' in this load or the store"]


def test_areas_are_not_handed_on() -> None:
    areas = RawTable("areas", "areas.csv", rows=[(2, {"level": "street", "name": "拱北"})])
    chunks, problems = handed([areas, RawTable("entities", "entities.csv", rows=entity_rows(["c1"]))])
    assert problems == []
    assert [type(chunk[0]) for chunk in chunks] == [Entity]
