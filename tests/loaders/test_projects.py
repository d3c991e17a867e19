"""The projects table: read from CSV, a workbook and JSON alike, every bad row named by file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from graphsvc.errors import ValidationFailed
from graphsvc.loaders import load_paths, read_dataset, write_csv
from graphsvc.store import SQLiteStore
from graphsvc.vocabulary import ProjectStatus
from tests.loaders.test_loaders import ENTITIES, write_tables

PROJECTS = """id,community,title,covers,budget,status,sponsors,proposed_on,start,end
p1,c1,长者饭堂,养老服务:2,8000,实施中,e1:5000; s1:3000,2024/3/1,2024-04-01,2024年12月31日
p2,c2,法律咨询角,legal_aid:1.5；mediation:1,6000,proposed,,,,
"""


def test_projects_csv_loads(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_paths(sqlite_store, [write_tables(tmp_path / "d", projects=PROJECTS)])
    assert report.rows["projects"] == 2 and report.after.projects == 2
    p1, p2 = sqlite_store.list_projects()
    assert (p1.status, p1.covers, p1.taken) == (ProjectStatus.RUNNING, {"elderly_care": 2.0}, 8000.0)
    assert str(p1.start) == "2024-04-01" and str(p1.end) == "2024-12-31" and str(p1.proposed_on) == "2024-03-01"
    assert p2.covers == {"legal_aid": 1.5, "mediation": 1.0} and p2.sponsors == ()


def test_chinese_headers_and_table_name(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    text = "编号,社区,项目名称,覆盖需求,预算,状态,认购方\np1,c1,长者饭堂,养老服务:2,8000,已认购,e1:8000\n"
    folder = write_tables(tmp_path / "d")
    (folder / "项目.csv").write_text(text, encoding="utf-8")
    load_paths(sqlite_store, [folder])
    assert sqlite_store.get_project("p1").status is ProjectStatus.SUBSCRIBED


def test_workbook_and_json_give_the_same_projects(tmp_path: Path) -> None:
    csv_dir = write_tables(tmp_path / "csv", projects=PROJECTS)
    from_csv = read_dataset([csv_dir])
    book = Workbook()
    book.remove(book.active)
    for name in ("entities", "links", "needs", "offers", "projects"):
        sheet = book.create_sheet(name)
        for row in (csv_dir / f"{name}.csv").read_text(encoding="utf-8").splitlines():
            sheet.append(row.split(",") if name != "projects" else _project_cells(row))
    book.save(tmp_path / "district.xlsx")
    from_xlsx = read_dataset([tmp_path / "district.xlsx"])
    assert from_xlsx.projects == from_csv.projects
    doc = json.loads(json.dumps({"projects": [p.model_dump(mode="json") for p in from_csv.projects]}))
    for record in doc["projects"]:  # the documented cell forms
        record["covers"] = "; ".join(f"{k}:{v}" for k, v in record["covers"].items())
        record["sponsors"] = "; ".join(f"{s['partner']}:{s['amount']}" for s in record["sponsors"]) or None
    (tmp_path / "json").mkdir()
    for name in ("entities", "links", "needs", "offers"):
        (tmp_path / "json" / f"{name}.csv").write_bytes((csv_dir / f"{name}.csv").read_bytes())
    (tmp_path / "json" / "projects.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert read_dataset([tmp_path / "json"]).projects == from_csv.projects


def _project_cells(line: str) -> list[str]:
    import csv

    return next(csv.reader([line]))


def test_written_projects_read_back(tmp_path: Path) -> None:
    dataset = read_dataset([write_tables(tmp_path / "d", projects=PROJECTS)])
    paths = write_csv(dataset, tmp_path / "out")
    assert [p.name for p in paths][-1] == "projects.csv"
    assert read_dataset([tmp_path / "out"]).projects == dataset.projects


@pytest.mark.parametrize(
    ("row", "field", "reason_part"),
    [
        ("p9,c1,t,flying:2,100,proposed,,,,", "covers", "unknown category"),
        ("p9,c1,t,养老服务,100,proposed,,,,", "covers", "is not 'name:amount'"),
        ("p9,c1,t,youth:-1,100,proposed,,,,", "covers.youth", "greater than or equal to 0"),
        ("p9,c1,t,youth:1,lots,proposed,,,,", "budget", "valid number"),
        ("p9,c1,t,youth:1,100,dreaming,,,,", "status", "unknown project status"),
        ("p9,c1,t,youth:1,100,running,,,,", None, "at least one sponsor"),
        ("p9,c1,t,youth:1,100,subscribed,e1:200,,,", None, "more than the budget"),
        ("p9,c1,t,youth:1,100,subscribed,e1:50; e1:50,,,", None, "named twice"),
        ("p9,c1,t,youth:1,100,proposed,,,2024-05-01,2024-04-01", None, "before start"),
        ("p9,c1,t,youth:1,100,proposed,,,2024-02-30,", "start", "date"),
        ("p9,e1,t,youth:1,100,proposed,,,,", "community", "projects belong to communities"),
        ("p9,ghost,t,youth:1,100,proposed,,,,", "community", "no entity with id 'ghost'"),
        ("p9,c1,t,youth:1,100,subscribed,c2:50,,,", "sponsors", "sponsors are partners"),
        ("p9,c1,t,youth:1,100,subscribed,ghost:50,,,", "sponsors", "no entity with id 'ghost'"),
        ("p1,c1,t,youth:1,100,proposed,,,,", "id", "duplicate of"),
        ("p9,c1,,youth:1,100,proposed,,,,", "title", "required"),
    ],
)
def test_bad_project_rows_are_named(
    sqlite_store: SQLiteStore, tmp_path: Path, row: str, field: str | None, reason_part: str
) -> None:
    folder = write_tables(tmp_path / "d", projects=PROJECTS + row + "\n")
    with pytest.raises(ValidationFailed) as info:
        load_paths(sqlite_store, [folder])
    found = [(Path(p.file).name, p.line, p.field, p.reason) for p in info.value.problems]
    assert any((*where,) == ("projects.csv", 4, field) and reason_part in reason for *where, reason in found), found
    assert sqlite_store.counts().projects == 0 and sqlite_store.counts().entities["community"] == 0


def test_a_project_may_name_entities_already_stored(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_paths(sqlite_store, [write_tables(tmp_path / "d")])
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    load_paths(sqlite_store, [tmp_path / "later"])
    assert sqlite_store.counts().projects == 2


def test_entities_fixture_is_shared() -> None:
    assert ENTITIES.startswith("id,kind,name")


def test_a_community_with_projects_cannot_become_a_partner(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    no_needs = "community,category,weight\n"
    load_paths(sqlite_store, [write_tables(tmp_path / "d", needs=no_needs, projects=PROJECTS)])
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "entities.csv").write_text("id,kind,name\nc2,enterprise,改成企业\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_paths(sqlite_store, [tmp_path / "later"])
    (problem,) = info.value.problems
    assert (problem.line, problem.field) == (2, "kind") and "1 projects (p2)" in problem.reason
