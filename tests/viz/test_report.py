"""The street report: its figures are the street's gaps (as ``graphsvc gaps --street NAME --json`` prints them),
its communities worst first, and it is one file that needs nothing else."""

from __future__ import annotations

import html as html_text
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app as cli
from graphsvc.errors import NotFound
from graphsvc.labels import num, pct
from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore


def embedded(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="graphsvc-report">(.*?)</script>', html, re.S)
    assert match, "the report embeds its figures"
    value: dict[str, Any] = json.loads(match.group(1))
    return value


@pytest.fixture(scope="module")
def gongbei(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("report")
    db = root / "graph.db"
    with SQLiteStore(db) as store:
        store.upsert(generate_district())
    runner = CliRunner()
    gaps = runner.invoke(cli, ["gaps", "--street", "拱北", "--json", "--store", f"sqlite://{db}"])
    assert gaps.exit_code == 0, gaps.output
    out = root / "gongbei.html"
    made = runner.invoke(cli, ["report", "street", "拱北", "-o", str(out), "-k", "2", "--store", f"sqlite://{db}"])
    assert made.exit_code == 0, made.output
    return out.read_text(encoding="utf-8"), json.loads(gaps.output)


def test_report_figures_are_the_cli_gaps(gongbei: tuple[str, dict[str, Any]]) -> None:
    html, gaps = gongbei
    report = embedded(html)
    assert report["gaps"] == gaps
    shown = dict(re.findall(r'<div class="value" data-key="(\w+)">([^<]*)</div>', html))
    assert shown == {
        "communities": str(len(gaps["communities"])),
        "need": num(gaps["need"]),
        "covered": num(gaps["covered"]),
        "uncovered": num(gaps["uncovered"]),
        "coverage": pct(gaps["coverage"]),
    }
    table = re.search(r'<table id="categories">(.*?)</table>', html, re.S)
    assert table is not None
    rows = re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">([^<]*)</td>", table.group(1))
    assert [(html_text.unescape(name), need) for name, need in rows] == [
        (f"{c['zh']} {c['en']}", num(c["need"])) for c in gaps["categories"]
    ]


def test_communities_worst_first_roles_partners_and_plan(gongbei: tuple[str, dict[str, Any]]) -> None:
    html, gaps = gongbei
    report = embedded(html)
    order = re.findall(r'<tr data-community="([^"]+)">', html)
    by_id = {c["community"]: c for c in gaps["communities"]}
    assert sorted(order) == sorted(by_id)
    uncovered = [by_id[c]["uncovered"] for c in order]
    assert uncovered == sorted(uncovered, reverse=True)
    missing = {r["role"]: set(r["communities"]) for r in report["roles_missing"]}
    for c in gaps["communities"]:
        for ref in c["roles_missing"]:
            assert c["community"] in missing[ref["role"]]
    assert report["partners"] and all(p["reasons"] for p in report["partners"])
    assert all(p["name"] in html for p in report["partners"])
    assert all(link["community"] in by_id for link in report["plan_links"])


def test_report_is_one_offline_file_for_a4(gongbei: tuple[str, dict[str, Any]]) -> None:
    html, _ = gongbei
    assert "@page { size: A4" in html
    assert (
        "<script src" not in html and "http://" not in html and "https://" not in html.replace("http://www.w3.org", "")
    )
    charts = re.findall(r'<img class="chart" alt="[^"]+" src="data:image/svg\+xml;base64,', html)
    assert len(charts) == 3  # categories, communities, partnerships per year


def test_report_years_are_the_cli_timeline(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(generate_district(communities=13, seed=2))
    runner = CliRunner()
    street = "拱北"
    timeline = runner.invoke(cli, ["timeline", "--street", street, "--json", "--store", f"sqlite://{db}"])
    assert timeline.exit_code == 0, timeline.output
    years = json.loads(timeline.output)["years"]
    out = tmp_path / "r.html"
    made = runner.invoke(cli, ["report", "street", street, "-o", str(out), "-k", "0", "--store", f"sqlite://{db}"])
    assert made.exit_code == 0, made.output
    table = re.search(r'<table id="timeline">(.*?)</table>', out.read_text(encoding="utf-8"), re.S)
    assert table is not None and years
    rows = re.findall(
        r'<tr><td>(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)', table.group(1)
    )
    assert [tuple(map(int, r)) for r in rows] == [(y["year"], y["formed"], y["lapsed"], y["held"]) for y in years]


def test_unknown_street_is_an_error(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(generate_district(communities=13))
    result = CliRunner().invoke(
        cli, ["report", "street", "nowhere", "-o", str(tmp_path / "x.html"), "-k", "0", "--store", f"sqlite://{db}"]
    )
    assert isinstance(result.exception, NotFound) and "nowhere" in str(result.exception)
    assert not (tmp_path / "x.html").exists()


@pytest.mark.browser
def test_pdf_is_printed_on_a4(tmp_path: Path) -> None:
    from tests.viz.cdp import find_chromium

    if find_chromium() is None:
        pytest.skip("headless Chromium not found: apt-get install -y chromium")
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(generate_district())
    out, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    args = ["report", "street", "拱北", "-o", str(out), "--pdf", str(pdf), "-k", "0", "--no-plan"]
    result = CliRunner().invoke(cli, [*args, "--store", f"sqlite://{db}"])
    assert result.exit_code == 0, result.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)  # A4
    assert len(boxes) >= 2  # the report runs over more than one page


def test_district_report_figures_are_the_areas(tmp_path: Path) -> None:
    from graphsvc.analysis.areas.rollup import area_gaps
    from graphsvc.analysis.gaps.find import all_community_gaps
    from graphsvc.graph import build_graph

    district = generate_district(communities=300, seed=1)
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(district)
    out = tmp_path / "xiangzhou.html"
    result = CliRunner().invoke(
        cli, ["report", "area", "district", "香洲", "-o", str(out), "--store", f"sqlite://{db}"]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    report = embedded(html)
    G = build_graph(district)
    expected = area_gaps(G, all_community_gaps(G), "district", "香洲")
    assert report["gaps"] == expected.model_dump(mode="json")
    order = re.findall(r'<tr data-area="([^"]+)">', html)
    assert order == [c.name for c in expected.children] and len(order) == 10
    assert sum(p["communities"] for p in report["plan"]) == expected.area.communities
    assert "<script src" not in html and len(re.findall(r'src="data:image/svg\+xml;base64,', html)) == 2
