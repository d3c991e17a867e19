"""The whole test suite's wall time against an earlier revision's, back to back, each as its own script runs it.

Clones this repository twice (``--before``, default e58acc4: the suite before the redesign step; and HEAD),
then runs ``CI=true bash scripts/test.sh`` in each clone, alternating, ``--rounds`` times. Each clone starts its
own Neo4j (its own home and port), which is not counted: the figure is pytest's time (one process), or the two
halves' time together where the script runs the suite as two processes side by side. Installing, linting and
Neo4j's start are left out of it, as is anything before pytest starts.

    python bench/suite_time.py [--before e58acc4] [--rounds 2]
    python bench/suite_time.py --dry-run    # the plan as one JSON line: nothing cloned, nothing run


Each script installs its clone in editable mode (``pip install -e``); the end of the run installs this
repository again. Last line: ``{"before": rev, "after": rev, "before_s": [...], "after_s": [...],
"tests_before": n, "tests_after": n, "ratio": median after / median before}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTEST_LINE = re.compile(r"=+ (?P<summary>.*?) in (?P<seconds>[\d.]+)s")
HALVES_LINE = re.compile(r"both halves: (?P<seconds>\d+) s")


def run_suite(clone: Path, home: Path, port: int) -> tuple[float, int, str]:
    """``(seconds of pytest, tests run, last lines)`` of one run of the clone's test script."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_") and k != "PYTHONPATH"}
    env.update(
        CI="true",
        GRAPHSVC_NEO4J_HOME=str(home),
        GRAPHSVC_TEST_NEO4J_PORT=str(port),
        GRAPHSVC_NEO4J_PASSWORD=f"suite-{port}-pw",
    )
    done = subprocess.run(["bash", "scripts/test.sh"], cwd=clone, env=env, capture_output=True, text=True)
    out = done.stdout + done.stderr
    if done.returncode != 0 and not PYTEST_LINE.search(out):
        sys.exit(f"{clone}: the test script failed before pytest ran:\n{out[-3000:]}")
    return suite_figures(out)


def suite_figures(out: str) -> tuple[float, int, str]:
    """``(seconds of pytest, tests run, pytest's summary lines)`` read from the test script's output: the two
    halves' time together where the script prints it, else the longest pytest run's."""
    runs = list(PYTEST_LINE.finditer(out))
    if not runs:
        raise ValueError("no pytest summary line in the test script's output")
    tests = sum(int(n) for m in runs for n in re.findall(r"(\d+) (?:passed|failed|errors?)", m["summary"]))
    halves = HALVES_LINE.search(out)
    seconds = float(halves["seconds"]) if halves else max(float(m["seconds"]) for m in runs)
    return seconds, tests, "\n".join(m.group(0) for m in runs)


def short_rev(rev: str, parser: argparse.ArgumentParser) -> str:
    """The short hash of a commit of this repository; a usage error when there is none."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--short", f"{rev}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        parser.error(f"no commit {rev!r} in {REPO}")
    return done.stdout.strip()


def suite_home(name: str) -> Path:
    """Each side's own Neo4j home, kept across runs (installed once)."""
    return Path.home() / ".cache" / "graphsvc" / f"neo4j-suite-time-{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="e58acc4", help="the revision to compare with (default: e58acc4)")
    parser.add_argument("--rounds", type=int, default=2, help="before/after pairs, alternating (default: 2)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan (revisions, runs, homes, ports) as JSON; run nothing"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    revs = {name: short_rev(rev, parser) for name, rev in (("before", args.before), ("after", "HEAD"))}
    if args.dry_run:
        runs = [
            {"round": round_, "side": name, "rev": revs[name], "home": str(suite_home(name)), "port": 7761 + i}
            for round_ in range(1, args.rounds + 1)
            for i, name in enumerate(("before", "after"))
        ]
        print(json.dumps({"dry_run": True, "before": revs["before"], "after": revs["after"], "runs": runs}))
        return
    seconds: dict[str, list[float]] = {"before": [], "after": []}
    tests: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="graphsvc-suite-time-") as work:
        clones = {}
        for name, rev in revs.items():
            clones[name] = Path(work) / name
            subprocess.run(["git", "clone", "-q", str(REPO), str(clones[name])], check=True)
            subprocess.run(["git", "checkout", "-q", rev], cwd=clones[name], check=True)
        try:
            for round_ in range(1, args.rounds + 1):
                for i, name in enumerate(("before", "after")):
                    took, count, lines = run_suite(clones[name], suite_home(name), 7761 + i)
                    seconds[name].append(took)
                    tests[name] = count
                    load = os.getloadavg()[0]
                    print(f"round {round_} {name} ({revs[name]}): {took:.0f} s, {count} tests, load {load:.1f}")
                    print(lines, flush=True)
        finally:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "-e", str(REPO)], check=False)
    result = {
        "before": revs["before"],
        "after": revs["after"],
        "before_s": seconds["before"],
        "after_s": seconds["after"],
        "tests_before": tests["before"],
        "tests_after": tests["after"],
        "ratio": round(statistics.median(seconds["after"]) / statistics.median(seconds["before"]), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
