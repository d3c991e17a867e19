"""HSDS export and the free-text matcher on graphsvc's own offers table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.errors import ValidationFailed
from graphsvc.loaders import HsdsOptions, load_paths
from graphsvc.loaders.category_text import match_categories
from graphsvc.loaders.hsds_export import write_hsds
from graphsvc.model import Dataset
from graphsvc.store import SQLiteStore
from graphsvc.vocabulary import AreaLevel

V1 = Path(__file__).parent / "hsds_v1"


def partners(store: SQLiteStore) -> dict[str, tuple[str, str, str | None]]:
    return {e.id: (e.name, e.kind.value, e.subtype and e.subtype.value) for e in store.list_entities() if e.is_partner}


def offered(store: SQLiteStore) -> set[tuple[str, str]]:
    return {(o.partner, o.category) for o in store.list_offers()}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_hsds_round_trip_keeps_ids_names_categories(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_paths(sqlite_store, [V1])
    out = tmp_path / "hsds"
    write_hsds(sqlite_store.dataset(), out)
    services = {r["id"]: r for r in rows(out / "service.csv")}
    assert services["svc-4"]["name"] == "长者服务" and services["svc-4"]["organization_id"] == "org-3"
    terms = {(a["link_id"], a["taxonomy_term_id"]) for a in rows(out / "attribute.csv")}
    assert {("svc-5", "youth"), ("svc-5", "children"), ("svc-2", "legal_aid")} <= terms
    areas = {(a["service_id"], a["uri"]) for a in rows(out / "service_area.csv")}
    assert ("svc-2", "urn:graphsvc:community:city:Bay Town") in areas

    with SQLiteStore(tmp_path / "again.db") as again:
        report = load_paths(again, [out], formats={"hsds": HsdsOptions(areas=AreaLevel.service_area)})
        assert partners(again) == partners(sqlite_store)
        assert offered(again) == offered(sqlite_store)
        assert {e.id: e.name for e in again.list_entities(kind="community")} == {
            e.id: e.name for e in sqlite_store.list_entities(kind="community")
        }
        # every org that offers something keeps its areas; svc-6 (no category) is still reported
        assert {lk.key for lk in again.list_links()} == {lk.key for lk in sqlite_store.list_links()}
        assert [s["id"] for s in report.hsds[0].services_unmatched] == ["svc-6"]
        services_again = json.loads(again.get_entity("org-3").attributes["hsds_services"])
        assert [(s["id"], s["name"]) for s in services_again] == [("svc-4", "长者服务"), ("svc-5", "周末课堂")]


def test_graphsvc_data_round_trip(tiny: Dataset, sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    sqlite_store.upsert(tiny)
    write_hsds(sqlite_store.dataset(), tmp_path / "out")
    with SQLiteStore(tmp_path / "again.db") as again:
        load_paths(again, [tmp_path / "out"])
        assert partners(again) == partners(sqlite_store)  # kinds and subtypes come back through their columns
        assert offered(again) == offered(sqlite_store)
        linked = {(link.source, link.target) for link in again.list_links()}
        assert ("e1", "c1") in linked and ("e1", "c2") in linked  # community ids through the service-area uri


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("开展老年人日间照料、助餐服务", ["elderly_care"]),
        ("为残疾人提供康复和法律援助", ["disability", "legal_aid"]),
        ("Legal clinic for seniors", ["legal_aid"]),  # legal aid for a group: neither care nor health
        ("After-school tutoring for teens and kids", ["youth", "children", "training"]),
        ("Parts and accessories", []),
    ],
)
def test_free_text_matcher(text: str, expected: list[str]) -> None:
    assert match_categories(text) == expected


def write_district(folder: Path, offers: str) -> Path:
    folder.mkdir()
    (folder / "entities.csv").write_text("id,kind,name\nc1,community,拱北第1社区\no1,organization,星辰\n", "utf-8")
    (folder / "offers.csv").write_text(offers, "utf-8")
    return folder


def test_offers_by_description(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    offers = "partner,description,capacity\no1,开展老年人日间照料、助餐服务,3\n"
    load_paths(sqlite_store, [write_district(tmp_path / "d", offers)])
    assert {(o.partner, o.category, o.capacity) for o in sqlite_store.list_offers()} == {("o1", "elderly_care", 3.0)}


def test_offers_by_chinese_header_and_several_categories(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    offers = "合作方,业务范围,容量\no1,青少年和儿童课外辅导,2\n"
    load_paths(sqlite_store, [write_district(tmp_path / "d", offers)])
    assert offered(sqlite_store) == {("o1", "youth"), ("o1", "children")}


def test_offer_description_matching_nothing_is_a_problem(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    offers = "partner,description,capacity\no1,开展老年人日间照料,3\no1,搬家,1\n"
    with pytest.raises(ValidationFailed) as info:
        load_paths(sqlite_store, [write_district(tmp_path / "d", offers)])
    (problem,) = info.value.problems
    assert (Path(problem.file).name, problem.line, problem.field) == ("offers.csv", 3, "description")
    assert sqlite_store.counts().offers == 0


def test_cli_load_and_export(tmp_path: Path) -> None:
    runner = CliRunner()
    store = f"sqlite://{tmp_path / 'g.db'}"
    result = runner.invoke(app, ["load", str(V1), "--areas", "service_area", "--store", store, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["after"]["entities"]["community"] == 4
    assert data["hsds"][0]["unmapped_terms"][0] == {"term": "T-SEN Senior Day Care", "services": 1}

    result = runner.invoke(app, ["load", str(V1), "--store", store, "--dry-run"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "HSDS 1.x directory" in result.stdout
    assert "T-TAX Tax Preparation" in result.stdout and "svc-6 Knitting Circle" in result.stdout

    result = runner.invoke(app, ["export", "--format", "hsds", str(tmp_path / "out"), "--store", store])
    assert result.exit_code == 0, result.output
    assert {r["id"] for r in rows(tmp_path / "out" / "organization.csv")} == {"org-1", "org-2", "org-3", "org-4"}


def test_cli_bad_mapping_file_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    store = f"sqlite://{tmp_path / 'g.db'}"
    table = tmp_path / "terms.csv"
    table.write_text("term\nLegal\n", "utf-8")
    result = runner.invoke(app, ["load", str(V1), "--categories", str(table), "--store", store])
    assert isinstance(result.exception, ValidationFailed)
    assert "'term' and 'category'" in str(result.exception)
