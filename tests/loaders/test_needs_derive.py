"""Needs derived from an area table and service standards (``needs/``: two cities, checked by hand).

Harbor City: 10,000 residents, 1,000 older, 400 children; Bay Town: 2,000 residents, no older, 100 children.
Standards: elderly care 1 per 100 older, children 1 per 200 children, legal aid 1 per 5,000 residents,
health 1 per 500 older. Harbor City: elderly care 10, children 2, legal aid 2, health 2; Bay Town: children
0.5, legal aid 0.4 (no older residents: no elderly care or health need).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphsvc.analysis.gaps.find import community_gaps
from graphsvc.analysis.recommender.recommend import recommend
from graphsvc.errors import ValidationFailed
from graphsvc.loaders import load_paths
from graphsvc.loaders.needs_derive import derive_needs_files, read_standards
from graphsvc.store import SQLiteStore
from tests.cli.console import graphsvc
from tests.loaders.test_hsds import V3

HERE = Path(__file__).parent
AREAS, STANDARDS, V1 = HERE / "needs" / "areas.csv", HERE / "needs" / "standards.csv", HERE / "hsds_v1"


def test_needs_are_counts_times_standards() -> None:
    assert derive_needs_files(AREAS, STANDARDS) == [
        ("city:Harbor City", "elderly_care", 10.0),
        ("city:Harbor City", "children", 2.0),
        ("city:Harbor City", "legal_aid", 2.0),
        ("city:Harbor City", "health", 2.0),
        ("city:Bay Town", "children", 0.5),
        ("city:Bay Town", "legal_aid", 0.4),
    ]


def test_the_shipped_example_standards_read_cleanly() -> None:
    from importlib import resources

    with resources.as_file(resources.files("graphsvc").joinpath("data/needs_standards.csv")) as path:
        standards, problems = read_standards(path)
    assert problems == [] and len(standards) >= 8
    assert {s.category for s in standards} >= {"elderly_care", "disability", "hardship_relief", "children"}


def test_every_problem_of_both_tables_is_named(tmp_path: Path) -> None:
    (tmp_path / "standards.csv").write_text(
        "category,group,units,per\nflying,older,1,100\nelderly_care,seniors,1,100\nchildren,children,1,0\n",
        encoding="utf-8",
    )
    (tmp_path / "areas.csv").write_text("community,older,children\nc1,12,-3\nc1,1,1\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        derive_needs_files(tmp_path / "areas.csv", tmp_path / "standards.csv")
    got = {(Path(p.file).name, p.line, p.field) for p in failed.value.problems}
    assert got == {
        ("standards.csv", 2, "category"),  # no such category
        ("standards.csv", 3, "group"),  # no column 'seniors' in the area table
        ("standards.csv", 4, "per"),  # per 0
        ("areas.csv", 2, "children"),  # a negative count
        ("areas.csv", 3, "community"),  # c1 twice
    }


def test_derived_needs_load_and_the_directory_has_gaps(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    out = tmp_path / "needs.csv"
    done = graphsvc("needs", "derive", "--areas", str(AREAS), "--standards", str(STANDARDS), "-o", str(out), env=env)
    assert done.code == 0, done.err
    assert "6 needs of 2 communities" in done.out
    with SQLiteStore(tmp_path / "g.db") as store:
        load_paths(store, [V1, out])
        g = community_gaps(store.snapshot(), "city:Harbor City")
    # org-1 (elderly care) and org-2 (legal aid, mediation) serve Harbor City: 1 unit each of 10 and 2
    assert g.needs_recorded and g.need == 16.0
    covered = {c.category: c.covered for c in g.categories}
    assert covered["elderly_care"] > 0 and covered["legal_aid"] > 0 and covered["children"] == 0


def test_recommendations_close_the_derived_needs(tmp_path: Path) -> None:
    """A directory, an area table and the shipped standards: a partner that may serve the area is listed with a
    gain, and its first reason names the derived need. In the v3 directory without its service area sa3, o2
    (youth services, at Riverside and North Ward) may serve anywhere; South Ward has young people."""
    directory = tmp_path / "v3"
    shutil.copytree(V3, directory)
    rows = (V3 / "service_area.csv").read_text(encoding="utf-8").splitlines()
    (directory / "service_area.csv").write_text("\n".join(r for r in rows if not r.startswith("sa3,")) + "\n")
    areas = tmp_path / "areas.csv"
    areas.write_text(
        "community,name,population,older,children,youth,disability,hardship\n"
        "city:South Ward,South Ward,9000,0,0,1200,0,0\n",
        encoding="utf-8",
    )
    needs = tmp_path / "needs.csv"
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    assert graphsvc("needs", "derive", "--areas", str(areas), "-o", str(needs), env=env).code == 0
    with SQLiteStore(tmp_path / "g.db") as store:
        load_paths(store, [directory, needs])
        G = store.snapshot()
    recs = recommend(G, "city:South Ward", k=3)
    assert recs.needs_recorded and [r.partner for r in recs.recommendations] == ["o2"]
    first = recs.recommendations[0]
    assert first.gain > 0 and first.reasons[0].code == "gap:youth" and "youth services" in first.reasons[0].text_en
