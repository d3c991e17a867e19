"""Every bench in ``bench/`` still runs: each at a tiny size, as its own process, as a person would run it.

A bench measures and is never timed here: at these sizes its figures mean nothing. What is checked is what rots
unseen when the code under a bench moves — the script runs to its end and its last line is one JSON object
with the keys its docstring and ``bench/README.md`` name. ``suite_time.py`` runs the whole suite twice, so
only its plan (``--dry-run``) and the parsing of the test script's output are checked here, not a real run.
The Neo4j benches run against the session's real server (they clear its database, as every Neo4j test does).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.neo4j_fixtures import UNDER_CI, Neo4jServer
from tests.viz.cdp import find_chromium

pytestmark = pytest.mark.background  # scripts/test.sh runs these in its background half

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"


def run_bench(name: str, *args: str, tmp_path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``bench/{name}.py`` with ``args`` in an empty directory; its last stdout line, parsed."""
    environ = {k: v for k, v in os.environ.items() if k != "GRAPHSVC_STORE"}  # never the person's own store
    environ.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        **(env or {}),
    )
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), *args],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"bench/{name}.py exited {done.returncode}:\n{output}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"bench/{name}.py printed nothing"
    result = json.loads(lines[-1])
    assert isinstance(result, dict), f"bench/{name}.py: the last line is not one JSON object: {lines[-1]}"
    return result


def needs_tool(tool: str, install: str) -> str:
    """The tool's path; the test skips without it, except under ``CI=true`` (where ``scripts/test.sh`` installs
    it)."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} not found: {install}"
        if UNDER_CI:
            pytest.fail(message + " (CI=true: every bench must run)", pytrace=False)
        pytest.skip(message)
    return path


def test_every_bench_has_a_smoke_test() -> None:
    benches = {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")}  # _x.py: a bench's helper
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert benches - tested == set(), "a bench without a smoke test here (test_<bench name>)"


def test_api_latency(tmp_path: Path) -> None:
    needs_tool("wrk", "apt-get install -y wrk")
    args = ("--communities", "20", "--duration", "1", "--connections", "2", "--threads", "1", "--warm-timeout", "180")
    result = run_bench("api_latency", *args, tmp_path=tmp_path)
    assert set(result) == {"reco_p99_ms", "health_p99_ms", "p99_ratio", "reco_rps"}
    assert result["reco_rps"] > 0


def test_evaluate_robustness(tmp_path: Path) -> None:
    result = run_bench(
        "evaluate_robustness", "--graphs", "karate", "florentine", "--seeds", "0", "--jobs", "1", tmp_path=tmp_path
    )
    assert {"graphs", "runs", "graphsvc_ge_best", "worst_gap", "mean_gap", "below"} <= set(result)
    assert (result["graphs"], result["runs"]) == (2, 2)


@pytest.mark.neo4j
def test_neo4j_load(tmp_path: Path, neo4j_server: Neo4jServer) -> None:
    env = {"GRAPHSVC_NEO4J_PASSWORD": neo4j_server.password}
    result = run_bench(
        "neo4j_load", "--uri", neo4j_server.uri, "--communities", "13", "--repeat", "1", tmp_path=tmp_path, env=env
    )
    assert set(result) == {"batched_vs_per_row", "batched_rows_per_s", "snapshot_vs_drain"}


@pytest.mark.neo4j
def test_load_command(tmp_path: Path, neo4j_server: Neo4jServer) -> None:
    env = {"GRAPHSVC_NEO4J_PASSWORD": neo4j_server.password, "GRAPHSVC_NEO4J_HOME": str(neo4j_server.home)}
    result = run_bench(
        "load_command", "--uri", neo4j_server.uri, "--communities", "13", "--runs", "1", tmp_path=tmp_path, env=env
    )
    assert {"rows_per_s", "neo4j_vs_sqlite", "sqlite_s", "neo4j_s", "ordinary_rows_per_s"} <= set(result)
    assert result["communities"] == 13 and result["ordinary_s"] is None  # without --ordinary


def test_peers(tmp_path: Path) -> None:
    result = run_bench("peers", "--communities", "30", "--runs", "1", tmp_path=tmp_path)
    keys = {"communities", "graphsvc_s", "plain_s", "gds_s", "graphsvc_vs_plain", "graphsvc_vs_gds", "lists_full"}
    assert keys <= set(result)
    assert result["gds_s"] is None and result["graphsvc_vs_gds"] is None  # no --uri: no GDS
    assert set(result["lists_full"]) == {"graphsvc", "plain"}
    parts = result["graphsvc_parts_s"]
    assert parts["fit"] > 0 and parts["lists"] > 0
    assert parts["fit"] + parts["lists"] == pytest.approx(result["graphsvc_s"], abs=0.05)


@pytest.mark.neo4j
def test_neo4j_snapshot(tmp_path: Path, neo4j_server: Neo4jServer) -> None:
    env = {"GRAPHSVC_NEO4J_PASSWORD": neo4j_server.password}
    result = run_bench(
        "neo4j_snapshot", "--uri", neo4j_server.uri, "--communities", "13", "--repeat", "1", tmp_path=tmp_path, env=env
    )
    assert set(result) == {"communities", "sqlite_s", "neo4j_s", "ratio"}
    assert result["communities"] == 13


def test_notebook_time(tmp_path: Path) -> None:
    result = run_bench("notebook_time", "--notebooks", "01_explore_district.ipynb", tmp_path=tmp_path)
    assert set(result) == {"seconds", "slowest", "budget", "within"}
    assert set(result["seconds"]) == {"01_explore_district.ipynb"}


def test_one_story(tmp_path: Path) -> None:
    result = run_bench("one_story", "--tiny", tmp_path=tmp_path)
    assert {"before", "after", "seeds", "districts", "gain_vs_likelihood_hits"} <= set(result)
    (district,) = result["districts"].values()
    for metrics in district["after"].values():
        assert set(metrics) == {"hits@10", "mrr", "gap_closed@5", "gap_fit@5"}


def test_fair(tmp_path: Path) -> None:
    result = run_bench("fair", "--tiny", tmp_path=tmp_path)
    assert {"projects", "fair_need_covered", "first_come_need_covered", "fair_vs_first_come"} <= set(result)
    assert result["unmatched_without_reason"] == 0


def test_recommend_speed(tmp_path: Path) -> None:
    result = run_bench("recommend_speed", "--sizes", "20", "--reference-max", "3", tmp_path=tmp_path)
    assert set(result) == {"speedup", "topk_identical", "detail"}
    assert result["topk_identical"] is True, "the fast path's lists differ from the NetworkX reference's"


def test_scale(tmp_path: Path) -> None:
    result = run_bench("scale", "--sizes", "20", "--exact-up-to", "20", tmp_path=tmp_path)
    keys = {"sizes", "seconds", "cpu_seconds", "peak_mb", "exponent", "help_s", "recommend_warm_s"}
    keys |= {"api_peak_mb", "api_healthz_s", "api_readyz_s", "api_warm_s"}
    keys |= {"candidates_vs_every_partner", "plan_gain_vs_exact"}
    assert keys <= set(result)
    # A step that fails is reported as None and the bench goes on: at the smoke size, every one must run.
    failed = [step for step, by_size in result["cpu_seconds"].items() if by_size.get("20") is None]
    assert failed == [], f"steps that failed or timed out: {failed}"
    assert result["api_warm_s"].get("20") is not None, "the API never reported its recommendations warm"


def test_scale_runs_only_the_steps_asked_for(tmp_path: Path) -> None:
    result = run_bench("scale", "--sizes", "20", "--steps", "plan", "--no-api", "--exact-up-to", "0", tmp_path=tmp_path)
    assert list(result["cpu_seconds"]) == ["load", "plan"]  # the store is loaded first, whatever is asked
    assert result["cpu_seconds"]["plan"]["20"] is not None


def test_suite_time(tmp_path: Path) -> None:
    """The plan only (``--dry-run``): a real run clones the repository twice and runs the whole suite in each."""
    result = run_bench("suite_time", "--dry-run", "--rounds", "1", tmp_path=tmp_path)
    assert set(result) == {"dry_run", "before", "after", "runs"}
    assert [(run["side"], run["port"]) for run in result["runs"]] == [("before", 7761), ("after", 7762)]


def load_bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_suite_time_reads_the_test_scripts_output() -> None:
    """``suite_time.py`` reads pytest's summary lines and the line ``scripts/test.sh`` prints for both halves."""
    suite_time = load_bench("suite_time")
    script = (REPO / "scripts" / "test.sh").read_text()
    printf = re.search(r"printf '\\n(== pytest exit status: .*?)\\n'", script)
    assert printf is not None, "scripts/test.sh no longer prints the two halves' exit status and time"
    halves = printf[1].replace("%d", "0", 2).replace("%d", "412")
    out = "\n".join(
        [
            "========== 901 passed, 3 skipped in 300.12s (0:05:00) ==========",
            "==== 88 passed, 1 failed in 350.50s (0:05:50) ====",
            halves,
        ]
    )
    seconds, tests, lines = suite_time.suite_figures(out)
    assert (seconds, tests) == (412.0, 990)
    assert len(lines.splitlines()) == 2
    assert suite_time.suite_figures(out.replace(halves, ""))[0] == 350.5  # one pytest run: its own time
    with pytest.raises(ValueError):
        suite_time.suite_figures("== lint and types\n")


@pytest.mark.browser
def test_viz_draw(tmp_path: Path) -> None:
    if find_chromium() is None:
        message = "headless Chromium not found: apt-get install -y chromium"
        if UNDER_CI:
            pytest.fail(message + " (CI=true: the browser tests must run)", pytrace=False)
        pytest.skip(message)
    result = run_bench("viz_draw", "--tiny", tmp_path=tmp_path)
    assert set(result) == {"first_draw_ms", "pyvis_default_ms", "speedup"}


def test_matcher(tmp_path: Path) -> None:
    last = run_bench("matcher", tmp_path=tmp_path)
    assert {"services", "precision", "recall", "per_category", "legal_clinic_as_health"} <= last.keys()
    assert last["services"] >= 200 and last["legal_clinic_as_health"] == 0
    assert {"precision", "recall"} <= last["per_category"]["legal_aid"].keys()


@pytest.mark.timeout(300)
def test_freshness(tmp_path: Path) -> None:
    result = run_bench("freshness", "--tiny", tmp_path=tmp_path)
    assert result["stale_answers_after_1s"] == 0 and result["older_answers"] == 0, result
    assert result["errors"] == 0 and result["writes"] == 2, result
    assert result["p99_seconds_to_fresh"] is not None, result


@pytest.mark.timeout(300)
def test_soak(tmp_path: Path) -> None:
    result = run_bench("soak", "--tiny", tmp_path=tmp_path)
    assert set(result) >= {"minutes", "rss_start_mb", "rss_end_mb", "rss_last_5min_growth_mb", "errors", "lost_writes"}
    assert result["errors"] == 0 and result["lost_writes"] == 0, result
    assert result["rss_start_mb"] > 0, result


def test_area_overview(tmp_path: Path) -> None:
    result = run_bench("area_overview", "--communities", "400", "--area-budget", "10", tmp_path=tmp_path)
    keys = {"communities", "render_s", "street_view_s", "render_vs_street_view", "items", "labelled", "linked"}
    assert keys | {"page_mb", "street_view_nodes"} <= set(result)
    assert result["items"] == result["labelled"] == result["linked"] == 4  # the sample's 4 districts
