"""The data commands end to end, run in-process as the ``graphsvc`` console script runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.sample import DistrictFigures
from tests.cli.console import Run, graphsvc


def run(*args: str, store: Path, check: bool = True) -> Run:
    return graphsvc(*args, env={"GRAPHSVC_STORE": f"sqlite://{store}"}, check=check)


def stats(store: Path) -> dict[str, object]:
    out = run("stats", "--json", store=store).out
    assert out.count("\n") == 1, "stats --json prints exactly one line"
    parsed: dict[str, object] = json.loads(out)
    return parsed


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    run("sample", str(folder), store=folder / "unused.db")
    return folder


def test_sample_load_stats(sample_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    run("load", str(sample_dir), store=db)
    counts = stats(db)
    figures = DistrictFigures.for_size(130)
    societies = figures.universities * figures.societies_per_university
    assert counts["entities"] == {
        "community": 130,
        "organization": 1
        + figures.streets
        + figures.social_organizations
        + figures.social_work_agencies
        + figures.self_organizations,
        "enterprise": figures.enterprises,
        "school": figures.universities + societies,
        "media": figures.media,
    }
    run("load", str(sample_dir), store=db)
    assert stats(db) == counts


def test_reencoded_files_load_to_the_same_counts(sample_dir: Path, tmp_path: Path) -> None:
    reference = tmp_path / "ref.db"
    run("load", str(sample_dir), store=reference)
    for encoding in ("utf-8-sig", "gb18030"):
        folder = tmp_path / encoding
        folder.mkdir()
        for csv_file in sample_dir.glob("*.csv"):
            (folder / csv_file.name).write_bytes(csv_file.read_text("utf-8").encode(encoding))
        db = tmp_path / f"{encoding}.db"
        run("load", str(folder), store=db)
        assert stats(db) == stats(reference)


def test_bad_row_exits_2_and_changes_nothing(sample_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    run("load", str(sample_dir), store=db)
    before = stats(db)
    bad = tmp_path / "bad"
    bad.mkdir()
    for csv_file in sample_dir.glob("*.csv"):
        (bad / csv_file.name).write_bytes(csv_file.read_bytes())
    lines = (bad / "links.csv").read_text("utf-8").splitlines()
    lines.append("ent-0001,com-99999,funding,,,,")
    (bad / "links.csv").write_text("\n".join(lines) + "\n", "utf-8")
    result = run("load", str(bad), store=db, check=False)
    assert result.code == 2
    assert "links.csv" in result.err
    assert f"{len(lines)}" in result.err
    assert "target" in result.err and "com-99999" in result.err
    assert "Traceback" not in result.err
    assert stats(db) == before


def test_demo_and_export(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    out = run("demo", "--communities", "26", "--seed", "3", store=db).out
    assert "synthetic" in out
    assert stats(db)["entities"]["community"] == 26  # type: ignore[index]
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = tmp_path / f"g.{fmt}"
        run("export", "--format", fmt, str(path), store=db)
        G = reader(path)
        assert sum(1 for _, k in G.nodes(data="kind") if k == "community") == 26
    path = tmp_path / "g.json"
    run("export", "--format", "json", str(path), store=db)
    G = nx.node_link_graph(json.loads(path.read_text("utf-8")), edges="edges")
    assert G.number_of_nodes() > 26


def test_unknown_store_uri_is_a_clear_error_from_the_real_console_script(tmp_path: Path) -> None:
    # The one test that starts ``python -m graphsvc``: the real entry point, its exit code and its stderr.
    env = {**os.environ, "GRAPHSVC_STORE": "mysql://nope"}
    result = subprocess.run([sys.executable, "-m", "graphsvc", "stats"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert "unknown store URI" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help() -> None:
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in ("sample", "load", "stats", "export", "demo"):
        assert command in top.output
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output
