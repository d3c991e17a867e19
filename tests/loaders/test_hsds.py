"""HSDS import: the project's own small 1.x, 3.0 CSV and 3.0 JSON directories, mapped and checked by hand.

``hsds_v1/`` (HSDS 1.x names: organizations, physical_address, service_taxonomy, taxonomy):
four organizations; svc-1 has a local term (``Senior Day Care``) the built-in table does not
know, svc-2 a child term of ``Legal``, svc-3 an unmapped term and a name that says
"Mediation", svc-4/svc-5 only Chinese text, svc-6 nothing mappable, svc-7 is defunct.
``hsds_v3/`` and ``hsds_v3_json/`` hold the same 3.0 directory as CSV tables and as nested JSON.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphsvc.analysis.core.common import may_serve, serves_only
from graphsvc.analysis.core.policy import communities_without_provider
from graphsvc.analysis.gaps.find import district_gaps
from graphsvc.errors import ConfigError, ValidationFailed
from graphsvc.loaders import HsdsOptions, load_paths
from graphsvc.store import SQLiteStore
from graphsvc.vocabulary import SERVES_ONLY, AreaLevel, StreetLevel

HERE = Path(__file__).parent
V1, V3, V3_JSON = HERE / "hsds_v1", HERE / "hsds_v3", HERE / "hsds_v3_json"


def offers(store: SQLiteStore) -> set[tuple[str, str, float]]:
    return {(o.partner, o.category, o.capacity) for o in store.list_offers()}


def links(store: SQLiteStore) -> set[tuple[str, str, str]]:
    return {link.key for link in store.list_links()}


def test_v1_organizations_services_and_city_areas(sqlite_store: SQLiteStore) -> None:
    report = load_paths(sqlite_store, [V1])
    orgs = {e.id: e for e in sqlite_store.list_entities() if e.is_partner}
    assert sorted(orgs) == ["org-1", "org-2", "org-3", "org-4"]
    assert {e.kind.value for e in orgs.values()} == {"organization"}
    assert orgs["org-1"].name == "Harbor Senior Services"
    assert orgs["org-1"].attributes["alternate_name"] == "Harbor Seniors"
    # svc-1 by its text (its local term is unknown), svc-2 through its parent term Legal,
    # svc-3 by its name, svc-4/5 from Chinese text (svc-5 into two categories); svc-7 is defunct.
    assert offers(sqlite_store) == {
        ("org-1", "elderly_care", 1.0),
        ("org-2", "legal_aid", 1.0),
        ("org-2", "mediation", 1.0),
        ("org-3", "elderly_care", 1.0),
        ("org-3", "youth", 1.0),
        ("org-3", "children", 1.0),
    }
    communities = {e.id: e for e in sqlite_store.list_entities(kind="community")}
    assert {c: (e.name, e.street) for c, e in communities.items()} == {  # no street unless one is chosen
        "city:Harbor City": ("Harbor City", None),
        "city:Bay Town": ("Bay Town", None),
        "city:拱北": ("拱北", None),
    }
    # org-1 is at Harbor City and serves Bay Town; org-2 the other way round.
    assert links(sqlite_store) == {
        ("org-1", "city:Harbor City", "service"),
        ("org-1", "city:Bay Town", "service"),
        ("org-2", "city:Bay Town", "service"),
        ("org-2", "city:Harbor City", "service"),
        ("org-3", "city:拱北", "service"),
    }
    (summary,) = report.hsds
    assert summary.version == "1.x"
    assert (summary.services, summary.services_by_taxonomy, summary.services_by_text) == (7, 1, 4)
    assert summary.unmapped_terms == [
        {"term": "T-SEN Senior Day Care", "services": 1},
        {"term": "T-TAX Tax Preparation", "services": 1},
    ]
    assert [s["id"] for s in summary.services_unmatched] == ["svc-6"]
    assert [s["id"] for s in summary.services_inactive] == ["svc-7"]
    assert {(r["table"], r["id"]) for r in summary.without_area} == {("location", "loc-4"), ("organization", "org-4")}
    assert summary.other_level_areas == [{"area": "Bay County", "services": 1}]
    assert str(V1 / "phones.csv") in summary.ignored_files
    assert report.as_dict()["hsds"] == [summary.as_dict()]


def test_mapping_table_puts_terms_in_front_of_text(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    table = tmp_path / "terms.csv"
    table.write_text("term,category\nSenior Day Care,elderly_care;健康管理\nT-TAX,hardship_relief\n", "utf-8")
    report = load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(categories=table)})
    assert {(p, c) for p, c, _ in offers(sqlite_store) if p != "org-3"} == {
        ("org-1", "elderly_care"),
        ("org-1", "health"),
        ("org-2", "legal_aid"),
        ("org-2", "hardship_relief"),  # the term wins over the text ("Mediation")
    }
    assert report.hsds[0].unmapped_terms == []
    assert report.hsds[0].services_by_taxonomy == 3


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (
            AreaLevel.postal_code,
            {"postal_code:94001": None, "postal_code:94002": None, "postal_code:519000": None},
        ),
        (AreaLevel.county, {"county:Bay County": None, "county:香洲区": None}),
        (
            AreaLevel.service_area,
            {
                "service_area:Harbor City": None,
                "service_area:Bay Town": None,
                "service_area:Bay County": None,
                "service_area:拱北": None,
            },
        ),
    ],
)
def test_area_levels(sqlite_store: SQLiteStore, level: AreaLevel, expected: dict[str, str | None]) -> None:
    load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(areas=level)})
    assert {e.id: e.street for e in sqlite_store.list_entities(kind="community")} == expected


@pytest.mark.parametrize(
    ("areas", "streets", "expected"),
    [
        (AreaLevel.city, StreetLevel.county, {"city:Harbor City": "Bay County", "city:Bay Town": "Bay County"}),
        (AreaLevel.city, StreetLevel.state, {"city:Harbor City": "CA", "city:拱北": "广东"}),
        (AreaLevel.county, StreetLevel.state, {"county:Bay County": "CA", "county:香洲区": "广东"}),
        (AreaLevel.postal_code, StreetLevel.city, {"postal_code:94001": "Harbor City", "postal_code:519000": "拱北"}),
    ],
)
def test_streets_are_the_level_chosen_above_the_areas(
    sqlite_store: SQLiteStore, areas: AreaLevel, streets: StreetLevel, expected: dict[str, str]
) -> None:
    report = load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(areas=areas, streets=streets)})
    got = {e.id: e.street for e in sqlite_store.list_entities(kind="community")}
    assert {c: got[c] for c in expected} == expected
    assert report.hsds[0].streets == streets.value


@pytest.mark.parametrize(
    ("areas", "streets"),
    [
        (AreaLevel.city, StreetLevel.city),
        (AreaLevel.county, StreetLevel.city),
        (AreaLevel.county, StreetLevel.county),
        (AreaLevel.service_area, StreetLevel.state),
    ],
)
def test_a_street_level_not_above_the_areas_is_refused(areas: AreaLevel, streets: StreetLevel) -> None:
    with pytest.raises(ConfigError, match="do not lie above"):
        HsdsOptions(areas=areas, streets=streets)


def test_several_service_areas_at_service_area_level(sqlite_store: SQLiteStore) -> None:
    load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(areas=AreaLevel.service_area)})
    served = sorted(t for s, t, _ in links(sqlite_store) if s == "org-1")
    assert served == ["service_area:Bay County", "service_area:Bay Town", "service_area:Harbor City"]


@pytest.mark.parametrize("directory", [V3, V3_JSON], ids=["csv", "json"])
def test_v3_tables_and_nested_json(sqlite_store: SQLiteStore, directory: Path) -> None:
    report = load_paths(sqlite_store, [directory])
    (summary,) = report.hsds
    assert summary.version == "3.0"
    # s1: term Food Pantry (an alias of hardship_relief); s2: unmapped term, then its English text.
    assert offers(sqlite_store) == {("o1", "hardship_relief", 1.0), ("o2", "youth", 1.0), ("o2", "culture_arts", 1.0)}
    assert summary.unmapped_terms == [{"term": "t-music Music Lessons", "services": 1}]
    assert sqlite_store.get_entity("o2").attributes["alternate_name"] == "YAC"
    # o2's location has no organization_id: the service delivered there names it.
    assert ("o2", "city:Riverside", "service") in links(sqlite_store)
    assert {t for s, t, _ in links(sqlite_store) if s == "o1"} >= {"city:North Ward", "city:South Ward"}
    assert "city:Mailtown" not in {e.id for e in sqlite_store.list_entities(kind="community")}  # postal address


def test_gaps_without_needs_name_areas_with_no_provider(sqlite_store: SQLiteStore) -> None:
    load_paths(sqlite_store, [V1])
    G = sqlite_store.snapshot()
    lacking = {g.category: g.communities for g in communities_without_provider(G)}
    assert "elderly_care" not in lacking  # every city is served by org-1 or org-3
    assert lacking["legal_aid"] == ["city:拱北"]
    assert lacking["youth"] == ["city:Bay Town", "city:Harbor City"]
    assert [g.category for g in district_gaps(G).no_provider] == list(lacking)


def test_bad_references_are_named_and_nothing_is_written(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(V1, folder)
    services = folder / "services.csv"
    services.write_text(services.read_text("utf-8").replace("svc-2,org-2,", "svc-2,org-9,"), "utf-8")
    services.write_text(services.read_text("utf-8") + "svc-1,org-1,,Again,,,,,active\n", "utf-8")
    orgs = folder / "organizations.csv"
    orgs.write_text(orgs.read_text("utf-8").replace("org-4,Quiet Org,", "org-4,,"), "utf-8")
    before = sqlite_store.counts()
    with pytest.raises(ValidationFailed) as info:
        load_paths(sqlite_store, [folder])
    where = {(Path(p.file).name, p.line, p.field) for p in info.value.problems}
    assert ("services.csv", 3, "organization_id") in where
    assert ("organizations.csv", 5, "name") in where
    assert ("services.csv", 9, "id") in where  # svc-1 again
    assert sqlite_store.counts() == before


def test_bad_mapping_table_is_named(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    table = tmp_path / "terms.csv"
    table.write_text("term,category\nSenior Day Care,elderly_care\nTax Preparation,taxes\n", "utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(categories=table)})
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.field) == (str(table), 3, "category")
    assert sqlite_store.counts().offers == 0


def test_needs_load_beside_the_directory(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    needs = tmp_path / "needs.csv"
    needs.write_text("community,category,weight\ncity:Bay Town,youth,2\ncity:拱北,legal_aid,1\n", "utf-8")
    load_paths(sqlite_store, [V1, needs])
    assert {(n.community, n.category) for n in sqlite_store.list_needs()} == {
        ("city:Bay Town", "youth"),
        ("city:拱北", "legal_aid"),
    }
    uncovered = {c.category: c.uncovered for c in district_gaps(sqlite_store.snapshot()).categories}
    assert uncovered == {"youth": 2.0, "legal_aid": 1.0}  # no provider of either is linked there


def test_needs_inside_the_directory_load_the_usual_way(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    folder = tmp_path / "with-needs"
    shutil.copytree(V1, folder)
    (folder / "needs.csv").write_text("community,category,weight\ncity:拱北,养老服务,2\n", "utf-8")
    report = load_paths(sqlite_store, [folder])
    assert [(n.community, n.category, n.weight) for n in sqlite_store.list_needs()] == [
        ("city:拱北", "elderly_care", 2)
    ]
    assert str(folder / "needs.csv") not in report.hsds[0].ignored_files


def test_kinds_table_makes_partners_schools_and_enterprises(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    table = tmp_path / "kinds.csv"
    table.write_text("organization,kind,subtype\norg-2,高校,student_society\nQuiet Org,enterprise,\n", "utf-8")
    load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(kinds=table)})
    kinds = {e.id: (e.kind.value, e.subtype.value if e.subtype else None) for e in sqlite_store.list_entities()}
    assert kinds["org-2"] == ("school", "student_society")
    assert kinds["org-4"] == ("enterprise", None)  # by name
    assert kinds["org-1"] == ("organization", None)


def test_bad_kinds_table_is_named(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    table = tmp_path / "kinds.csv"
    table.write_text("organization,kind\norg-2,school\norg-3,charity\n", "utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_paths(sqlite_store, [V1], formats={"hsds": HsdsOptions(kinds=table)})
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.field) == (str(table), 3, "kind")


def test_service_areas_say_where_an_organization_may_serve(sqlite_store: SQLiteStore) -> None:
    load_paths(sqlite_store, [V3])
    # o1's service s1 is offered in North Ward and South Ward (service_area.csv): nowhere else
    assert sqlite_store.get_entity("o1").attributes[SERVES_ONLY] == "city:North Ward;city:South Ward"
    G = sqlite_store.snapshot()
    assert serves_only(G, "o1") == {"city:North Ward", "city:South Ward"}
    assert not may_serve(G, "o1", "city:Riverside")
