"""Start-ups import what they use: the API before it listens, ``graphsvc recommend`` reading a kept list.

A fresh interpreter is the point (the test process has imported everything), so each test runs one subprocess
that does the one thing, then prints what it printed and the heavy modules it imported. The API still imports
networkx, numpy and scipy.sparse (the recommender it fits in the background); what only an evaluation, a plan
or a page needs, it does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from graphsvc.sample import generate_district
from graphsvc.store.sqlite import SQLiteStore
from tests.cli.console import graphsvc

LOADED = """
heavy = json.loads(sys.argv[1])
print(json.dumps(sorted(h for h in heavy if h in sys.modules)))
"""

API_PROBE = (
    """
import json, sys
import graphsvc.api.app
from graphsvc.analysis import evaluate, recommend  # after the app imported their modules, of the same names
print(json.dumps([evaluate.__name__, recommend.__name__, callable(evaluate) and callable(recommend)]))
"""
    + LOADED
)

RECOMMEND_PROBE = (
    """
import json, sys
import typer.main
from graphsvc.cli import app
typer.main.get_command(app).main(["recommend", "com-00001", "--json"], prog_name="graphsvc", standalone_mode=False)
"""
    + LOADED
)


def probe(script: str, heavy: tuple[str, ...], **env: str) -> tuple[str, list[str]]:
    """What ``script`` printed in a new interpreter with ``env``, and which of ``heavy`` (modules) it imported."""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(heavy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, **env},
    )
    *printed, imported = result.stdout.strip().splitlines()
    return "\n".join(printed), json.loads(imported)


def test_importing_the_api_loads_no_evaluation_plan_solver_or_page_builder() -> None:
    heavy = ("fastapi", "scipy.stats", "scipy.optimize", "pyvis", "IPython", "jinja2", "pandas", "graphsvc.viz")
    printed, imported = probe(API_PROBE, heavy)
    assert imported == ["fastapi"]  # the probe sees what was imported: the app's own framework, nothing else
    assert json.loads(printed) == ["evaluate", "recommend", True]  # the verbs, not their modules


def test_recommend_reading_a_kept_list_loads_no_analysis_library(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert(generate_district(communities=13, seed=1))
    assert json.loads(graphsvc("fit", "--json", env={"GRAPHSVC_STORE": url}, check=True).out)["lists_kept"] == 13
    heavy = (
        "graphsvc.answers",
        "networkx",
        "numpy",
        "scipy",
        "pandas",
        "pyvis",
        "fastapi",
        "graphsvc.analysis.recommender.recommend",
    )
    printed, imported = probe(RECOMMEND_PROBE, heavy, GRAPHSVC_STORE=url)
    assert json.loads(printed)["community"] == "com-00001"  # the kept list was printed
    assert imported == ["graphsvc.answers"]  # read by graphsvc.answers, with no graph library
