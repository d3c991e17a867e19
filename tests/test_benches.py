"""Smoke tests of the benches that watch real worker processes, at tiny sizes (seconds, not figures).

The figures come from full runs recorded in ``bench/README.md``; here each bench must run end to end and
report what the freshness and memory promises need: no answer older than an acknowledged write, no error, no
lost write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run_bench(name: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(BENCH.parent)}
    done = subprocess.run(
        [sys.executable, str(BENCH / name), *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.timeout(300)
def test_the_freshness_bench_runs_and_finds_no_older_answer() -> None:
    result = run_bench("freshness.py", "--tiny")
    assert result["stale_answers_after_1s"] == 0 and result["older_answers"] == 0, result
    assert result["errors"] == 0 and result["writes"] == 2, result
    assert result["p99_seconds_to_fresh"] is not None, result


@pytest.mark.timeout(300)
def test_the_soak_bench_runs_without_errors_or_lost_writes() -> None:
    result = run_bench("soak.py", "--tiny")
    assert set(result) >= {"minutes", "rss_start_mb", "rss_end_mb", "rss_last_5min_growth_mb", "errors", "lost_writes"}
    assert result["errors"] == 0 and result["lost_writes"] == 0, result
    assert result["rss_start_mb"] > 0, result
