"""``/areas``: the hierarchy's levels, one level's areas worst first, one area with its children; area pages."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from graphsvc.analysis.areas.rollup import area_totals
from graphsvc.analysis.gaps.find import all_community_gaps
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore
from tests.api.conftest import ClientFactory


@pytest.fixture
def district_store(tiny_store: GraphStore, api_store: GraphStore) -> GraphStore:
    api_store.upsert(generate_district(communities=300, seed=1), replace=True)  # after the tiny district
    return api_store


def test_levels_areas_and_one_area(make_client: ClientFactory, district_store: GraphStore) -> None:
    client = make_client(district_store)
    levels = client.get("/areas").json()
    assert [(x["level"], x["count"]) for x in levels["data"]] == [("community", 300), ("street", 24), ("district", 3)]
    G = build_graph(generate_district(communities=300, seed=1))
    expected = area_totals(G, all_community_gaps(G), "district")
    answer = client.get("/areas/district").json()
    assert answer["count"] == 3
    assert [(a["name"], a["uncovered"]) for a in answer["data"]] == [(a.name, a.uncovered) for a in expected]
    one = client.get("/areas/district/" + quote("香洲")).json()
    assert one["area"]["need"] == expected[[a.name for a in expected].index("香洲")].need
    assert one["children_level"] == "street" and len(one["children"]) == 10
    street = client.get("/areas/street/" + quote("拱北")).json()
    assert street["path"] == [["district", "香洲"]]
    gaps = client.get("/streets/" + quote("拱北") + "/gaps").json()
    assert (street["area"]["need"], street["area"]["covered"]) == (gaps["need"], gaps["covered"])
    page = client.get("/pages/areas/district/" + quote("香洲"))
    assert page.status_code == 200 and 'data-page="areas"' in page.text


@pytest.mark.parametrize(
    ("path", "status"),
    [("/areas/county", 404), ("/areas/district/nowhere", 404), ("/pages/areas/street/x", 404)],
)
def test_unknown_levels_and_areas_are_404(
    make_client: ClientFactory, district_store: GraphStore, path: str, status: int
) -> None:
    response = make_client(district_store).get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_street_report_page_has_the_streets_gaps(make_client: ClientFactory, district_store: GraphStore) -> None:
    from tests.viz.test_report import embedded

    client = make_client(district_store)
    page = client.get("/pages/reports/streets/" + quote("拱北"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    report = embedded(page.text)
    assert report["gaps"] == client.get("/streets/" + quote("拱北") + "/gaps").json()
    assert report["path"] == [["district", "香洲"]]
    assert client.get("/pages/reports/streets/nowhere").status_code == 404


def test_plan_by_district_adds_up_to_the_plan(make_client: ClientFactory, district_store: GraphStore) -> None:
    client = make_client(district_store)
    plan = client.get("/plan").json()
    by = client.get("/areas/district/plan").json()
    assert by["count"] == 3
    assert sum(a["links"] for a in by["data"]) == len(plan["links"])
    assert sum(a["after"] for a in by["data"]) == pytest.approx(plan["totals"]["after"], abs=1e-2)
    assert client.get("/areas/county/plan").status_code == 404


def test_district_report_page(make_client: ClientFactory, district_store: GraphStore) -> None:
    from tests.viz.test_report import embedded

    client = make_client(district_store)
    page = client.get("/pages/reports/areas/district/" + quote("香洲"))
    assert page.status_code == 200
    assert embedded(page.text)["gaps"] == client.get("/areas/district/" + quote("香洲")).json()
    assert client.get("/pages/reports/areas/street/" + quote("拱北")).status_code == 404
