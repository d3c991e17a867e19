"""Area pages: the overview of a territory too large to draw node by node, and the sample as it always was."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.analysis.areas.rollup import area_totals
from graphsvc.analysis.gaps.find import all_community_gaps, district_gaps
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
from graphsvc.viz import PageOptions, PageUrls, overview_page, street_page
from graphsvc.viz.areas import area_page
from graphsvc.viz.panels import gap_shares_of
from tests.viz.helpers import page_data


def test_the_case_sized_sample_draws_as_it_always_did() -> None:
    G = build_graph(generate_district())
    gaps = all_community_gaps(G)
    shares, district = gap_shares_of(gaps), district_gaps(G, gaps=gaps)
    with_gaps = overview_page(G, gaps=gaps, gap_shares=shares, district=district)
    assert with_gaps == overview_page(G, gap_shares=shares, district=district)
    data = page_data(with_gaps)
    assert len(data["nodes"]) == G.number_of_nodes() and data["search"] == []
    assert 'data-page="overview"' in with_gaps


@pytest.fixture(scope="module")
def territory() -> tuple[object, list[object]]:
    G = build_graph(generate_district(communities=400, seed=0))
    return G, all_community_gaps(G)


def test_overview_over_the_budget_draws_districts_worst_first(territory: tuple) -> None:  # type: ignore[type-arg]
    G, gaps = territory
    html = overview_page(G, gaps=gaps, urls=PageUrls(), options=PageOptions(area_budget=20))
    data = page_data(html)
    assert 'data-page="areas"' in html
    expected = area_totals(G, gaps, "district")
    assert [n["label"] for n in data["nodes"]] == [f"{a.name}\n{round(100 * a.uncovered / a.need)}%" for a in expected]
    assert [a.uncovered for a in expected] == sorted((a.uncovered for a in expected), reverse=True)
    assert all(n["url"] == PageUrls().area("district", n["area"]) for n in data["nodes"])
    assert {n["x"] for n in data["nodes"]} and all(n["shape"] == "box" for n in data["nodes"])
    kinds = {row[2] for row in data["search"]}
    assert kinds == {"c", "s", "p"} and sum(row[2] == "c" for row in data["search"]) == 400
    assert data["links"]["community"] == "/pages/communities/"


def test_without_a_hierarchy_the_worst_streets_are_drawn(territory: tuple) -> None:  # type: ignore[type-arg]
    G, gaps = territory
    G = G.copy()
    del G.graph["areas"]
    html = overview_page(G, gaps=gaps, options=PageOptions(area_budget=20))
    nodes = page_data(html)["nodes"]
    assert len(nodes) == 20
    worst = [a.name for a in area_totals(G, gaps, "street")][:20]
    assert [n["area"] for n in nodes] == worst
    assert "图中只画出前 20 个" in html and "url" not in nodes[0]  # a file: no links


def test_district_page_and_street_links(territory: tuple) -> None:  # type: ignore[type-arg]
    G, gaps = territory
    html = area_page(G, gaps, "district", "香洲", urls=PageUrls())
    nodes = page_data(html)["nodes"]
    assert sorted(n["area"] for n in nodes) == sorted(s for s, d in G.graph["areas"]["street"].items() if d == "香洲")
    assert all(n["url"] == PageUrls().street(n["area"]) for n in nodes)
    assert PageUrls().area_report("district", "香洲") in html
    street = street_page(G, "拱北", urls=PageUrls())
    assert PageUrls().report("拱北") in street and PageUrls().area("district", "香洲") in street


def test_render_overview_file_links_to_a_server_when_asked(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from graphsvc.cli import app as cli
    from graphsvc.store import SQLiteStore

    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(generate_district(communities=400, seed=0))
    out = tmp_path / "o.html"
    args = ["render", "overview", "-o", str(out), "--store", f"sqlite://{db}", "--area-budget", "10"]
    result = CliRunner().invoke(cli, [*args, "--links", "http://127.0.0.1:8000/pages"])
    assert result.exit_code == 0, result.output
    nodes = page_data(out.read_text(encoding="utf-8"))["nodes"]
    assert nodes and all(n["url"].startswith("http://127.0.0.1:8000/pages/") for n in nodes)
    bad = CliRunner().invoke(cli, [*args, "--links", "javascript:alert(1)"])
    assert bad.exit_code == 2
