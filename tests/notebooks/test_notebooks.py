"""The notebooks in ``notebooks/``: committed without outputs, and each runs top to bottom in a fresh kernel.

Every notebook is executed headless with nbclient in its own new kernel (the ``python3`` kernel of this
interpreter), in an empty temporary working directory, with ``GRAPHSVC_STORE`` unset: it must make its own
data, write nothing to the working directory or the user's data directory, and raise no error. A probe cell
appended at the end reads the notebook's variables, so the tests can check what the notebook showed. How long
each notebook takes is measured in ``bench/notebook_time.py``, not here.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import graphsvc
from graphsvc.analysis import BASELINES
from graphsvc.sample import generate_district
from graphsvc.store import open_store

pytestmark = pytest.mark.background  # scripts/test.sh runs these in its background half

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = [
    "01_explore_district.ipynb",
    "02_street_gaps_and_recommendations.ipynb",
    "03_evaluate_recommender.ipynb",
    "04_what_if_plan.ipynb",
]
CELL_TIMEOUT = 180
"""Seconds one cell may take (generous: CI machines are loaded)."""

PROBE_HEAD = """
import json as _json, sys as _sys
import graphsvc as _graphsvc
_facts = {"executable": _sys.executable, "graphsvc": _graphsvc.__file__}
"""
PROBES = {
    "01_explore_district.ipynb": """
_facts.update(
    source=source,
    communities=int((entities["kind"] == "community").sum()),
    streets=len(streets),
    centrality_rows=len(centrality),
)
""",
    "02_street_gaps_and_recommendations.ipynb": """
_all = research.streets_frame(G)
_facts.update(
    street=street,
    lowest_coverage_street=_all.sort_values("coverage").iloc[0]["street"],
    members=len(communities),
    recommended_communities=int(recs["community"].nunique()),
    max_rank=int(recs["rank"].max()),
    reasons_everywhere=bool((recs["reasons_zh"].str.len() > 0).all() and (recs["reasons_en"].str.len() > 0).all()),
    unmet_statuses=sorted(set(unmet["status"])),
    listed_minus_score=float((check["listed reasons"] - check["score"]).min()),
)
""",
    "03_evaluate_recommender.ipynb": """
_facts.update(
    methods=sorted(evaluation["method"]),
    hits_methods=sorted(hits_table.columns),
    ks=[int(k) for k in hits_table.index],
    date_methods=sorted(by_date["method"]),
    ece_as_shown=float(calibration.loc["as shown", "ece"]),
    ece_after=float(calibration.loc["after learning from outcomes", "ece"]),
    brier_as_shown=float(calibration.loc["as shown", "brier"]),
    brier_after=float(calibration.loc["after learning from outcomes", "brier"]),
    simulated_outcomes=sum(1 for _ in simulated),
    district_outcomes=len(G.graph.get("outcomes", [])),
)
""",
    "04_what_if_plan.ipynb": """
_facts.update(
    coverage_before=comparison["coverage_before"].tolist(),
    coverage_after=comparison["coverage_after"].tolist(),
    plan_after=plan.totals.after,
    plan_before=plan.totals.before,
    what_if_covered=after_gaps.covered,
    edges_added=H.number_of_edges() - G.number_of_edges(),
    planned_links=len(plan.links),
    fair_need_covered=float(fair_summary["fair_need_covered"].sum()),
    first_come_need_covered=float(fair_summary["first_come_need_covered"].sum()),
    fair_projects=int(fair_summary["projects"].sum()),
    proposed=int((projects["status"] == "proposed").sum()),
    unmatched_reasons=bool(len(left)) and bool(left["reason"].notna().all() and left["text_zh"].astype(bool).all()),
)
""",
}
PROBE_TAIL = """
print("PROBE" + _json.dumps(_facts, ensure_ascii=False))
"""


def read(name: str) -> Any:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def code_cells(nb: Any) -> list[Any]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def run(name: str, workdir: Path) -> tuple[Any, dict[str, Any]]:
    """Execute a notebook plus its probe in a fresh kernel; return the executed notebook and the probe's facts."""
    nb = read(name)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_HEAD + PROBES[name] + PROBE_TAIL))
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()  # raises CellExecutionError on the first error
    text = "".join(out.get("text", "") for out in nb.cells[-1].outputs if out.output_type == "stream")
    match = re.search(r"^PROBE(.*)$", text, flags=re.M)
    assert match, f"the probe printed nothing: {text!r}"
    return nb, json.loads(match.group(1))


def outputs_of(nb: Any, kind: str) -> list[Any]:
    return [out for cell in code_cells(nb) for out in cell.outputs if kind in out.get("data", {})]


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory; no GRAPHSVC_STORE; the user data directory redirected to an empty one.

    The kernel imports graphsvc from this tree (``PYTHONPATH``), not from wherever the interpreter's
    editable install happens to point (another checkout sharing the interpreter, say).
    """
    monkeypatch.delenv("GRAPHSVC_STORE", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("MPLBACKEND", "agg")
    workdir = tmp_path / "work"
    workdir.mkdir()
    return workdir


def test_every_notebook_is_listed() -> None:
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name: str) -> None:
    nb = read(name)
    nbformat.validate(nb)
    cells = code_cells(nb)
    assert cells
    assert [cell.outputs for cell in cells] == [[] for _ in cells]
    assert [cell.execution_count for cell in cells] == [None for _ in cells]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_hidden_state(name: str) -> None:
    """Cells read no IPython history and no data a previous notebook or session left behind."""
    nb = read(name)
    source = "\n".join(cell.source for cell in code_cells(nb))
    assert not re.search(r"\bOut\[|\b_oh\b|\b_i\d*\b|(?<![\w.])_\d+\b|%store|%run", source)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "SYNTHETIC" in first.source
    assert "GRAPHSVC_STORE" in source and "generate_district" in source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_top_to_bottom_in_a_fresh_kernel(name: str, clean_env: Path, tmp_path: Path) -> None:
    nb, facts = run(name, clean_env)

    assert os.path.realpath(facts["executable"]) == os.path.realpath(sys.executable)
    assert facts["graphsvc"] == graphsvc.__file__
    cells = code_cells(nb)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert not [out for cell in cells for out in cell.outputs if out.output_type == "error"]
    assert list(clean_env.iterdir()) == [], "the notebook wrote into its working directory"
    assert not (tmp_path / "xdg-data").exists(), "the notebook wrote into the user data directory"

    if name.startswith("01"):
        assert facts["source"].startswith("synthetic sample district")
        assert facts["communities"] == 130 and facts["streets"] == 10
        assert facts["centrality_rows"] == 474
        assert len(outputs_of(nb, "image/png")) == 1
        assert any("<iframe" in out["data"]["text/html"] for out in outputs_of(nb, "text/html"))
    elif name.startswith("02"):
        assert facts["street"] == facts["lowest_coverage_street"]
        assert facts["recommended_communities"] == facts["members"] == 13
        assert facts["max_rank"] == 3
        assert facts["reasons_everywhere"]
        assert facts["unmet_statuses"] and "covered" not in facts["unmet_statuses"]
        assert facts["listed_minus_score"] >= -1e-6
        assert any("<iframe" in out["data"]["text/html"] for out in outputs_of(nb, "text/html"))
    elif name.startswith("03"):
        every_method = sorted(["graphsvc", *BASELINES])
        assert facts["methods"] == facts["hits_methods"] == facts["date_methods"] == every_method
        assert facts["ks"] == [1, 5, 10, 20]
        assert len(outputs_of(nb, "image/png")) == 1
        # learning from (simulated) outcomes calibrates the probabilities of suggestions it did not see
        assert facts["ece_after"] < facts["ece_as_shown"] and facts["brier_after"] < facts["brier_as_shown"]
        assert facts["simulated_outcomes"] > 100 and facts["district_outcomes"] == 0  # simulated in a copy only
    else:
        before, after = facts["coverage_before"], facts["coverage_after"]
        assert len(before) == len(after) == 10
        assert all(a >= b - 1e-9 for b, a in zip(before, after, strict=True))
        assert sum(after) > sum(before)
        assert facts["what_if_covered"] == pytest.approx(facts["plan_after"], abs=1e-3)
        assert facts["plan_after"] > facts["plan_before"]
        assert facts["edges_added"] == facts["planned_links"] > 0
        assert len(outputs_of(nb, "image/png")) == 1
        assert facts["fair_projects"] == facts["proposed"] > 0
        assert facts["fair_need_covered"] > facts["first_come_need_covered"]
        assert facts["unmatched_reasons"]


def test_reads_the_store_named_by_graphsvc_store(
    clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"sqlite://{tmp_path / 'own.db'}"
    with open_store(uri) as store:
        store.upsert(generate_district(communities=26, seed=3))
    monkeypatch.setenv("GRAPHSVC_STORE", uri)
    _, facts = run("01_explore_district.ipynb", clean_env)
    assert facts["source"] == uri
    assert facts["communities"] == 26
