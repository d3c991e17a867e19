"""The area hierarchy in files: an ``areas`` table, or district/city/province columns of ``entities``."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.errors import ValidationFailed
from graphsvc.loaders import load_paths, write_csv
from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore

ENTITIES = "id,kind,name,street,district,city\nc1,community,社区一,拱北,香洲,珠海\nc2,community,社区二,吉大,香洲,\n"


def test_entity_columns_make_areas_not_attributes(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    with SQLiteStore(tmp_path / "g.db") as store:
        load_paths(store, [tmp_path / "entities.csv"])
        assert [(a.level.value, a.name, a.parent) for a in store.list_areas()] == [
            ("street", "吉大", "香洲"),
            ("street", "拱北", "香洲"),
            ("district", "香洲", "珠海"),
            ("city", "珠海", None),
        ]
        assert store.get_entity("c1").attributes == {}


def test_an_area_column_that_places_nothing_stays_an_attribute(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text("id,kind,name,district\nm1,media,媒体,香洲\n", encoding="utf-8")
    with SQLiteStore(tmp_path / "g.db") as store:
        load_paths(store, [tmp_path / "entities.csv"])
        assert store.list_areas() == []
        assert store.get_entity("m1").attributes == {"district": "香洲"}


def test_areas_table_with_chinese_headers(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text("id,kind,name,street\nc1,community,社区一,拱北\n", encoding="utf-8")
    (tmp_path / "areas.csv").write_text("层级,名称,上级\n街道,拱北,香洲\n区,香洲,珠海\n", encoding="utf-8")
    with SQLiteStore(tmp_path / "g.db") as store:
        report = load_paths(store, [tmp_path])
        assert report.rows["areas"] == 2
        got = {(a.level.value, a.name): a.parent for a in store.list_areas()}
        assert got == {("street", "拱北"): "香洲", ("district", "香洲"): "珠海", ("city", "珠海"): None}


@pytest.mark.parametrize(
    ("entities", "areas", "where", "says"),
    [
        (ENTITIES + "c3,community,社区三,拱北,金湾,\n", None, ("entities.csv", 4, "district"), "lies in '香洲'"),
        (ENTITIES, "level,name,parent\nprovince,广东,中国\n", ("areas.csv", 2, "parent"), "no level above"),
        (ENTITIES, "level,name,parent\nvillage,x,\n", ("areas.csv", 2, "level"), "unknown area level"),
        (ENTITIES, "level,name,parent\nstreet,拱北,斗门\n", ("entities.csv", 2, "district"), "lies in '斗门'"),
    ],
)
def test_bad_hierarchies_are_located_and_nothing_is_written(
    tmp_path: Path, entities: str, areas: str | None, where: tuple[str, int, str], says: str
) -> None:
    (tmp_path / "entities.csv").write_text(entities, encoding="utf-8")
    if areas is not None:
        (tmp_path / "areas.csv").write_text(areas, encoding="utf-8")
    with SQLiteStore(tmp_path / "g.db") as store:
        with pytest.raises(ValidationFailed) as caught:
            load_paths(store, [tmp_path])
        found = [p for p in caught.value.problems if (Path(p.file).name, p.line, p.field) == where]
        assert found and says in found[0].reason, caught.value.problems
        assert store.list_areas() == [] and store.counts().entities["community"] == 0


def test_sample_files_round_trip_with_their_districts(tmp_path: Path) -> None:
    district = generate_district(communities=150, seed=2)
    paths = write_csv(district, tmp_path / "files")
    assert [p.name for p in paths][-1] == "areas.csv"
    with SQLiteStore(tmp_path / "g.db") as store:
        load_paths(store, [tmp_path / "files"])
        assert sorted(store.list_areas(), key=lambda a: a.key) == sorted(district.areas, key=lambda a: a.key)
    assert [p.name for p in write_csv(generate_district(communities=13), tmp_path / "small")] == [
        "entities.csv",
        "links.csv",
        "needs.csv",
        "offers.csv",
        "projects.csv",
    ]
