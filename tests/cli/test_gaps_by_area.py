"""``graphsvc gaps --by LEVEL``: the areas of a level worst first, the same figures as the area analysis."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from graphsvc.analysis.areas.rollup import area_totals
from graphsvc.analysis.gaps.find import all_community_gaps
from graphsvc.cli import app as cli
from graphsvc.errors import NotFound
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore


def test_gaps_by_district(tmp_path: Path) -> None:
    district = generate_district(communities=300, seed=1)
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(district)
    runner = CliRunner()
    answer = runner.invoke(cli, ["gaps", "--by", "district", "--json", "--store", f"sqlite://{db}"])
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.output)
    G = build_graph(district)
    expected = area_totals(G, all_community_gaps(G), "district")
    assert data["count"] == 3
    assert [(a["name"], a["uncovered"]) for a in data["data"]] == [(a.name, a.uncovered) for a in expected]
    shown = runner.invoke(cli, ["gaps", "--by", "district", "--store", f"sqlite://{db}"])
    assert shown.exit_code == 0 and expected[0].name in shown.output
    wrong = runner.invoke(cli, ["gaps", "--by", "county", "--store", f"sqlite://{db}"])
    assert isinstance(wrong.exception, NotFound)
