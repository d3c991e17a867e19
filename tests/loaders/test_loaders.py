"""Loaders: every error class named by file, line and field; encodings; formats; all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from graphsvc.errors import InputTooLarge, Problem, ValidationFailed
from graphsvc.loaders import load_paths, load_uploads, read_dataset, write_csv
from graphsvc.model import Dataset, Entity
from graphsvc.settings import Settings
from graphsvc.store import SQLiteStore

ENTITIES = """id,kind,name,street,subtype,capacity,contact
c1,community,拱北第1社区,拱北,,,
c2,社区,拱北第2社区,拱北,,,
e1,enterprise,爱心企业一,,,3,王先生
s1,school,法律社团,,student_society,2,
"""
LINKS = "source,target,kind,since,until,weight,project\ne1,c1,funding,2021/3/5,,2,长者饭堂\ns1,c2,实习实践,,,,\n"
NEEDS = "community,category,weight\nc1,养老服务,3\nc2,legal_aid,2\n"
OFFERS = "partner,category,capacity\ne1,funding,5\ns1,法律咨询,4\n"


def write_tables(folder: Path, encoding: str = "utf-8", **overrides: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"entities": ENTITIES, "links": LINKS, "needs": NEEDS, "offers": OFFERS, **overrides}
    for name, text in tables.items():
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder


def problems_of(store: SQLiteStore, folder: Path) -> list[Problem]:
    with pytest.raises(ValidationFailed) as info:
        load_paths(store, [folder])
    return info.value.problems


def where(problems: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return [(Path(p.file).name, p.line, p.field) for p in problems]


def test_good_files_load(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_paths(sqlite_store, [write_tables(tmp_path / "d")])
    assert report.rows == {"entities": 4, "links": 2, "needs": 2, "offers": 2}
    assert report.after.entities["community"] == 2
    e1 = sqlite_store.get_entity("e1")
    assert e1.capacity == 3
    assert e1.attributes == {"contact": "王先生"}
    assert sqlite_store.list_needs("c1")[0].category == "elderly_care"
    assert {link.project for link in sqlite_store.list_links("c1")} == {"长者饭堂"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_chinese_excel_encodings_load_the_same(sqlite_store: SQLiteStore, tmp_path: Path, encoding: str) -> None:
    report = load_paths(sqlite_store, [write_tables(tmp_path / encoding, encoding)])
    assert report.after.entities["community"] == 2
    assert sqlite_store.get_entity("c1").name == "拱北第1社区"


def test_utf16_is_refused_clearly(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "d")
    (folder / "needs.csv").write_bytes(NEEDS.encode("utf-16"))
    problems = problems_of(sqlite_store, folder)
    assert where(problems) == [("needs.csv", None, None)]
    assert "UTF-16" in problems[0].reason
    assert sqlite_store.counts().entities["community"] == 0


def test_undecodable_bytes_are_refused(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "d")
    (folder / "needs.csv").write_bytes(b"community,category,weight\nc1,\xff\xff\xff,3\n")
    problems = problems_of(sqlite_store, folder)
    assert where(problems) == [("needs.csv", 2, None)]
    assert "GBK/GB18030" in problems[0].reason


@pytest.mark.parametrize(
    ("table", "text", "expected_where", "reason_part"),
    [
        ("entities", ENTITIES + "x1,alien,外星人,,,,\n", ("entities.csv", 6, "kind"), "unknown kind"),
        ("entities", ENTITIES + "c1,community,重复,,,,\n", ("entities.csv", 6, "id"), "duplicate of"),
        ("entities", ENTITIES + "e9,enterprise,负数企业,,,-1,\n", ("entities.csv", 6, "capacity"), "greater than"),
        ("entities", ENTITIES + "e8,enterprise,,,,,\n", ("entities.csv", 6, "name"), "required"),
        ("entities", ENTITIES + "e7,enterprise,企业,,street_hub,,\n", ("entities.csv", 6, None), "does not fit"),
        ("links", LINKS + "e1,ghost,funding,,,,\n", ("links.csv", 4, "target"), "no entity with id 'ghost'"),
        ("links", LINKS + "e1,c2,funding,2021-02-30,,,\n", ("links.csv", 4, "since"), "date"),
        ("links", LINKS + "e1,c2,funding,2022-01-01,2021-01-01,,\n", ("links.csv", 4, None), "before since"),
        ("links", LINKS + "e1,c2,bribery,,,,\n", ("links.csv", 4, "kind"), "unknown link kind"),
        ("needs", NEEDS + "c1,flying,2\n", ("needs.csv", 4, "category"), "unknown category"),
        ("needs", NEEDS + "e1,health,2\n", ("needs.csv", 4, "community"), "needs belong to communities"),
        ("needs", NEEDS + "c2,health,lots\n", ("needs.csv", 4, "weight"), "valid number"),
        ("offers", OFFERS + "e1,goods,-5\n", ("offers.csv", 4, "capacity"), "greater than"),
        ("offers", OFFERS + "c1,goods,5\n", ("offers.csv", 4, "partner"), "offers belong to partners"),
        ("offers", "partner,category\ne1,funding\n", ("offers.csv", 1, "capacity"), "missing required column"),
    ],
)
def test_each_error_class_is_named_and_writes_nothing(
    sqlite_store: SQLiteStore,
    tmp_path: Path,
    table: str,
    text: str,
    expected_where: tuple[str, int, str | None],
    reason_part: str,
) -> None:
    folder = write_tables(tmp_path / "d", **{table: text})
    problems = problems_of(sqlite_store, folder)
    assert expected_where in where(problems)
    (problem,) = [p for p in problems if where([p])[0] == expected_where]
    assert reason_part in problem.reason
    assert sqlite_store.counts().entities["community"] == 0


def test_all_problems_of_all_files_at_once(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(
        tmp_path / "d",
        entities=ENTITIES + "x1,alien,外星人,,,,\nx2,martian,火星人,,,,\n",
        links=LINKS + "e1,ghost,funding,2021-13-01,,,\n",
    )
    problems = problems_of(sqlite_store, folder)
    assert set(where(problems)) >= {
        ("entities.csv", 6, "kind"),
        ("entities.csv", 7, "kind"),
        ("links.csv", 4, "since"),
        ("links.csv", 4, "target"),
    }


def test_failed_load_leaves_store_as_it_was(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_paths(sqlite_store, [write_tables(tmp_path / "good")])
    before = sqlite_store.counts()
    bad = write_tables(
        tmp_path / "bad",
        entities=ENTITIES.replace("爱心企业一", "改名") + "m1,media,新媒体,,,,\n",
        links=LINKS + "m1,nobody,publicity,,,,\n",
    )
    problems_of(sqlite_store, bad)
    assert sqlite_store.counts() == before
    assert sqlite_store.get_entity("e1").name == "爱心企业一"


def test_loading_twice_is_idempotent(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "d")
    first = load_paths(sqlite_store, [folder]).after
    second = load_paths(sqlite_store, [folder]).after
    assert first == second


def test_later_load_may_reference_stored_entities(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_paths(sqlite_store, [write_tables(tmp_path / "d")])
    only_links = tmp_path / "more"
    only_links.mkdir()
    (only_links / "links.csv").write_text("source,target,kind\ne1,c2,goods_is_not_a_kind\ns1,c1,internship\n")
    problems = problems_of(sqlite_store, only_links)
    assert where(problems) == [("links.csv", 2, "kind")]
    (only_links / "links.csv").write_text("source,target,kind\ns1,c1,internship\n")
    assert load_paths(sqlite_store, [only_links]).after.links == 3


def test_dry_run_writes_nothing(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_paths(sqlite_store, [write_tables(tmp_path / "d")], dry_run=True)
    assert report.dry_run
    assert report.rows["entities"] == 4
    assert sqlite_store.counts().entities["community"] == 0


def test_dry_run_reports_the_counts_the_load_would_give(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "d")
    dry = load_paths(sqlite_store, [folder], dry_run=True)
    real = load_paths(sqlite_store, [folder])
    assert dry.after == real.after == sqlite_store.counts() != dry.before
    again = load_paths(sqlite_store, [folder], dry_run=True)
    assert again.after == again.before == real.after  # the same rows again are updates, not additions
    sqlite_store.upsert_entities([Entity(id="m-other", kind="media", name="另一家媒体")])
    replacing = load_paths(sqlite_store, [folder], dry_run=True, replace=True)
    assert replacing.replace and replacing.after == real.after  # without the entity a replace would delete
    assert sqlite_store.counts().entities["media"] == replacing.before.entities["media"]


def test_excel_workbook_one_sheet_per_table(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    workbook = Workbook()
    sheets = {"entities": ENTITIES, "links": LINKS, "needs": NEEDS, "offers": OFFERS}
    workbook.remove(workbook.active)
    for name, text in sheets.items():
        sheet = workbook.create_sheet(name)
        for line in text.strip().splitlines():
            sheet.append([cell or None for cell in line.split(",")])
    sheet = workbook["needs"]
    sheet.append(["c1", "flying", 3])
    path = tmp_path / "district.xlsx"
    workbook.save(path)
    problems = problems_of(sqlite_store, path)
    assert [(p.file, p.sheet, p.line, p.field) for p in problems] == [(str(path), "needs", 4, "category")]
    workbook["needs"].delete_rows(4)
    workbook.save(path)
    assert load_paths(sqlite_store, [path]).after.needs == 2


def test_json_document(sqlite_store: SQLiteStore, tmp_path: Path, tiny: Dataset) -> None:
    doc = tiny.model_dump(mode="json")
    doc["links"].append({"source": "e1", "target": "c9", "kind": "funding"})
    path = tmp_path / "district.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    problems = problems_of(sqlite_store, path)
    assert [(p.sheet, p.line, p.field) for p in problems] == [("links", 4, "target")]
    doc["links"].pop()
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert load_paths(sqlite_store, [path]).after.links == 3


def test_broken_json_names_its_line(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "district.json"
    path.write_text('{"entities": [\n  {"id": "c1",}\n]}', encoding="utf-8")
    problems = problems_of(sqlite_store, path)
    assert [(p.line, "not valid JSON" in p.reason) for p in problems] == [(2, True)]


def test_unknown_files_are_refused(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "d")
    (folder / "people.csv").write_text("a,b\n1,2\n")
    problems = problems_of(sqlite_store, folder)
    assert where(problems) == [("people.csv", None, None)]
    assert "named after its table" in problems[0].reason


def test_missing_path(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    problems = problems_of(sqlite_store, tmp_path / "nowhere")
    assert "no such file" in problems[0].reason


def test_size_limits(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "d")
    with pytest.raises(InputTooLarge, match="over the limit"):
        load_paths(sqlite_store, [folder], settings=Settings(max_upload_bytes=100))
    with pytest.raises(InputTooLarge, match="more than 3 rows"):
        load_paths(sqlite_store, [folder], settings=Settings(max_rows=3))
    assert sqlite_store.counts().entities["community"] == 0


def test_uploads_use_the_same_checks(sqlite_store: SQLiteStore) -> None:
    uploads = [("entities.csv", ENTITIES.encode("gb18030")), ("needs.csv", (NEEDS + "c1,flying,1\n").encode())]
    with pytest.raises(ValidationFailed) as info:
        load_uploads(sqlite_store, uploads)
    assert where(info.value.problems) == [("needs.csv", 4, "category")]
    assert load_uploads(sqlite_store, uploads[:1]).after.entities["community"] == 2


def test_written_sample_reads_back_equal(tmp_path: Path, sample_district: Dataset) -> None:
    write_csv(sample_district, tmp_path / "s")
    again = read_dataset([tmp_path / "s"])
    assert again == sample_district
