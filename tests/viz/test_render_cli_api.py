"""``graphsvc render`` and the API's ``/pages`` routes, end to end on a small store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graphsvc.api.app import create_app
from graphsvc.cli import app
from graphsvc.errors import NotFound
from graphsvc.model import Dataset
from graphsvc.sample import generate_district
from graphsvc.settings import Settings
from graphsvc.store import SQLiteStore
from tests.cli.console import graphsvc
from tests.viz.helpers import XSS_IMG, nodes_by_id, page_data, with_hostile


def small_district() -> Dataset:
    return with_hostile(generate_district(communities=13, seed=4))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("render") / "graph.db"
    with SQLiteStore(path) as store:
        store.upsert(small_district())
    return path


def render(store_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["render", *args, "--store", f"sqlite://{store_path}"])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "page"),
    [(["overview"], "overview"), (["community", "com-00001"], "community"), (["street", "拱北"], "street")],
)
def test_render_writes_one_offline_page(store_path: Path, tmp_path: Path, args: list[str], page: str) -> None:
    out = tmp_path / f"{page}.html"
    code, output = render(store_path, *args, "-o", str(out))
    assert code == 0, output
    html = out.read_text(encoding="utf-8")
    assert f'data-page="{page}"' in html
    assert "<script src=" not in html  # scripts inline: a single file
    assert "vis-network" in html and "拱北" in html


def test_render_community_draws_suggestions(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.html"
    assert render(store_path, "community", "com-00001", "-k", "3", "-o", str(out))[0] == 0
    dashed = [e for e in page_data(out.read_text(encoding="utf-8"))["edges"] if e.get("dashes")]
    assert 1 <= len(dashed) <= 3
    assert all("理由 reasons:" in e["title"] for e in dashed)


@pytest.mark.parametrize("args", [["community", "nope"], ["street", "火星"], ["community", "org-hub-001"]])
def test_render_reports_unknown_targets(store_path: Path, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(app, ["render", *args, "-o", str(out), "--store", f"sqlite://{store_path}"])
    assert isinstance(result.exception, NotFound)  # the console script turns it into exit code 4
    assert not out.exists()


def test_render_exits_4_for_an_unknown_community(store_path: Path, tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite://{store_path}"}
    done = graphsvc("render", "community", "nope", "-o", str(tmp_path / "x.html"), env=env)
    assert done.code == 4 and "nope" in done.err


def test_render_refuses_a_missing_folder(store_path: Path, tmp_path: Path) -> None:
    exit_code, output = render(store_path, "overview", "-o", str(tmp_path / "no" / "such" / "x.html"))
    assert exit_code == 2 and "--output" in output
    assert not (tmp_path / "no").exists()


@pytest.fixture(scope="module")
def sample_client(store_path: Path) -> Iterator[TestClient]:
    with SQLiteStore(store_path) as store:
        application = create_app(Settings(store="sqlite://:memory:", api_keys="k", cors_origins=""), store=store)
        with TestClient(application) as test_client:
            yield test_client


@pytest.mark.parametrize(
    ("url", "page"),
    [
        ("/pages/overview", "overview"),
        ("/pages/communities/com-xss", "community"),
        ("/pages/streets/%E6%8B%B1%E5%8C%97", "street"),
    ],
)
def test_api_serves_pages_with_their_own_scripts(sample_client: TestClient, url: str, page: str) -> None:
    response = sample_client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'data-page="{page}"' in response.text and "<img" not in response.text
    for src in (
        "/pages/static/vis-network.min.js",
        "/pages/static/graphsvc-page.js",
        "/pages/static/graphsvc-page.css",
    ):
        assert f'"{src}"' in response.text
        asset = sample_client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 1000
    nodes = nodes_by_id(response.text)
    assert any(n["label"] == XSS_IMG for n in nodes.values())


def test_api_links_nodes_to_pages(sample_client: TestClient) -> None:
    nodes = nodes_by_id(sample_client.get("/pages/overview").text)
    assert nodes["com-00001"]["url"] == "/pages/communities/com-00001"
    assert sample_client.get(nodes["com-00001"]["url"]).status_code == 200


@pytest.mark.parametrize(
    "url", ["/pages/communities/nope", "/pages/communities/org-hub-001", "/pages/streets/nowhere", "/pages/static/x.js"]
)
def test_api_answers_unknown_pages_with_a_problem(sample_client: TestClient, url: str) -> None:
    response = sample_client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_api_does_not_serve_other_package_files(sample_client: TestClient) -> None:
    for name in ("page.html.j2", "README.md", "LICENSE-MIT", "..%2F__init__.py"):
        assert sample_client.get(f"/pages/static/{name}").status_code == 404


def test_pages_take_the_rank_mode(store_path: Path, tmp_path: Path, sample_client: TestClient) -> None:
    for rank in ("gain", "likelihood", "gap"):
        out = tmp_path / f"{rank}.html"
        assert render(store_path, "community", "com-00001", "-k", "3", "--rank", rank, "-o", str(out))[0] == 0
        assert 1 <= sum(1 for e in page_data(out.read_text(encoding="utf-8"))["edges"] if e.get("dashes")) <= 3
        page = sample_client.get("/pages/communities/com-00001", params={"rank": rank})
        assert page.status_code == 200
        assert any(e.get("dashes") for e in page_data(page.text)["edges"])
    assert render(store_path, "community", "com-00001", "--rank", "best", "-o", str(tmp_path / "x.html"))[0] == 2
    assert sample_client.get("/pages/communities/com-00001", params={"rank": "best"}).status_code == 422
