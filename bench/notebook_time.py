"""Seconds each notebook in ``notebooks/`` takes top to bottom in a fresh kernel, kernel start included.

    python bench/notebook_time.py [--runs 1] [--notebooks 01_explore_district.ipynb ...]

Each notebook runs as ``tests/notebooks`` runs it: headless with nbclient in a new ``python3`` kernel, in an
empty temporary working directory, ``GRAPHSVC_STORE`` unset and the user data directory redirected, this
checkout first on ``PYTHONPATH``. The target is under a minute per notebook; the figure per notebook is the
median of ``--runs`` runs. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 60


def run_once(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "GRAPHSVC_STORE"}
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            XDG_DATA_HOME=str(Path(tmp) / "xdg-data"),
            MPLBACKEND="agg",
        )
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)  # the kernel inherits this process's environment
        try:
            client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}})
            start = time.perf_counter()
            client.execute()
            return time.perf_counter() - start
        finally:
            os.environ.clear()
            os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--notebooks", nargs="+", metavar="NAME", help="only these notebooks (default: every one)")
    args = parser.parse_args()
    paths = sorted((REPO / "notebooks").glob("*.ipynb"))
    if args.notebooks:
        unknown = sorted(set(args.notebooks) - {p.name for p in paths})
        if unknown:
            parser.error(f"no such notebook in notebooks/: {', '.join(unknown)}")
        paths = [p for p in paths if p.name in args.notebooks]
    seconds: dict[str, float] = {}
    for path in paths:
        runs = [run_once(path) for _ in range(args.runs)]
        seconds[path.name] = round(statistics.median(runs), 1)
        print(f"{path.name}: {seconds[path.name]} s", flush=True)
    slowest = max(seconds.values())
    print(
        json.dumps(
            {"seconds": seconds, "slowest": slowest, "budget": BUDGET_SECONDS, "within": slowest < BUDGET_SECONDS}
        )
    )


if __name__ == "__main__":
    main()
