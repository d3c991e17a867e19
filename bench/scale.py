"""Every step a new user runs, at growing district sizes: time, CPU, peak memory and the growth exponent.

For each size N it writes the synthetic district (``graphsvc sample DIR --communities N``) and runs, each as
a new process exactly as a user would, over a fresh SQLite store:

    load              graphsvc load DIR --json
    snapshot          the store's snapshot graph (what every analysis command starts with)
    recommend_cold    graphsvc recommend com-00001 -k 10 --json   (no model kept yet: fits and keeps it)
    fit               graphsvc fit --force --json                  (the explicit fit, and every default list kept)
    recommend_warm    graphsvc recommend com-00001 -k 10 --json   (the kept default list: read, not computed)
    recommend_all     recommendations for every community, k=10, computed (research API: recommend_all, kept model)
    gaps              graphsvc gaps --json
    plan              graphsvc plan --json
    evaluate          graphsvc evaluate --json
    render_overview   graphsvc render overview -o overview.html

Each step's wall seconds, CPU seconds (user + system) and peak RSS come from GNU time. Then the API:
``graphsvc serve`` on the same store (its model and default lists kept), the seconds until ``/healthz``
answers, until ``/readyz`` answers 200 (ready: an edition in service, its recommender fitted) and until it
reports every community's default answer cached (warm), and the server's peak RSS (VmHWM) once warm. On
districts large enough for candidate pools, 200 communities' default lists chosen among their candidates
are compared with the lists chosen among every partner (``candidates_vs_every_partner``). ``--help`` is timed
alone (best of 5). For sizes up to ``--exact-up-to``, the scalable district plan's gain is compared with the
exact plan's (in-process, same graph). The growth exponent of a step is the log-log slope of its CPU seconds
between the two largest sizes (CPU, because the machine is shared and wall time is noisy).

    python bench/scale.py [--sizes 130,2000,20000] [--step-timeout 1800] [--exact-up-to 2000] [--steps load,fit]

Measures; asserts nothing. The last line printed is one JSON object::

    {"sizes": [...], "seconds": {step: {size: s}}, "cpu_seconds": {...}, "peak_mb": {step: {size: mb}},
     "exponent": {step: x}, "help_s": x, "recommend_warm_s": {size: s}, "api_peak_mb": {size: mb},
     "api_healthz_s": {...}, "api_readyz_s": {...}, "api_warm_s": {...},
     "candidates_vs_every_partner": {size: {...}}, "plan_gain_vs_exact": {size: ratio}}
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

TIME = shutil.which("time") or "/usr/bin/time"
MARK = "GRAPHSVC-BENCH"

SNAPSHOT = """
import sys
from graphsvc.store import open_store
with open_store(sys.argv[1]) as store:
    G = store.snapshot()
print(G.number_of_nodes(), G.number_of_edges())
"""

RECOMMEND_ALL = """
import sys
from graphsvc.analysis import recommend_all
from graphsvc.fitted import stored_model
from graphsvc.store import open_store
with open_store(sys.argv[1]) as store:
    version = store.data_version()
    G = store.snapshot()
    model, reused = stored_model(store, G, version=version)
answers = recommend_all(G, k=10, model=model)
print(len(answers), "communities; kept model reused:", reused)
"""


def measure(cmd: list[str], timeout: float) -> dict[str, float | None]:
    """Run ``cmd`` under GNU time: wall and CPU seconds and peak RSS (MB); ``None``s if it failed or timed out."""
    full = [TIME, "-f", f"{MARK} %e %U %S %M", *cmd]
    try:
        done = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  timed out after {timeout:.0f} s: {' '.join(cmd[2:])}", flush=True)
        return {"wall": None, "cpu": None, "peak_mb": None}
    line = next((x for x in done.stderr.splitlines() if x.startswith(MARK)), None)
    if done.returncode != 0 or line is None:
        print(f"  failed ({done.returncode}): {' '.join(cmd[2:])}\n{done.stderr[-2000:]}", flush=True)
        return {"wall": None, "cpu": None, "peak_mb": None}
    wall, user, system, rss_kb = line.split()[1:]
    cpu = round(float(user) + float(system), 2)
    return {"wall": float(wall), "cpu": cpu, "peak_mb": round(int(rss_kb) / 1024, 1)}


def graphsvc(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphsvc", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_figures(store_uri: str, timeout: float) -> dict[str, float | None]:
    """Start ``graphsvc serve`` on the store: seconds to /healthz, to /readyz 200 (an edition in service, its
    recommender fitted), to every community's default answer cached (``recommendations_warm``), and the
    server's peak RSS once warm (or when given up)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = graphsvc("serve", "--port", str(port), "--log-level", "warning", "--store", store_uri)
    started = time.monotonic()
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    healthz: float | None = None
    readyz: float | None = None
    warm: float | None = None
    peak: float | None = None
    try:
        deadline = started + timeout
        while time.monotonic() < deadline and warm is None:
            try:
                if healthz is None and httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    healthz = time.monotonic() - started
                if healthz is not None:
                    answer = httpx.get(f"{base}/readyz", timeout=5)
                    if answer.status_code == 200:
                        readyz = readyz or time.monotonic() - started
                        if (answer.json().get("edition") or {}).get("recommendations_warm"):
                            warm = time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        status = Path(f"/proc/{server.pid}/status").read_text()
        hwm = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        peak = round(int(hwm.split()[1]) / 1024, 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"healthz_s": healthz, "readyz_s": readyz, "warm_s": warm, "peak_mb": peak}


def pool_agreement(store_uri: str, sample: int = 200) -> dict[str, float] | None:
    """On a district large enough for candidate pools, the default lists of ``sample`` communities chosen among
    their candidates against the lists chosen among every partner: the share of identical lists, the share of
    listed partners in common, and the ratio of the lists' expected need closed. ``None`` below the pools."""
    import random

    from graphsvc.analysis.core.options import RecommendationOptions
    from graphsvc.analysis.recommender.recommend import Recommender
    from graphsvc.fitted import load_model
    from graphsvc.store import open_store

    with open_store(store_uri) as store:
        G = store.snapshot()
        model = load_model(store)
    if model is None:
        return None
    rec = Recommender(G, model)
    if rec.scorer.pools is None:
        return None
    options = RecommendationOptions(k=10)
    same = common = 0
    pooled = every = 0.0
    chosen = random.Random(0).sample(sorted(rec.task.queries), min(sample, len(rec.task.queries)))
    for community in chosen:
        mine = rec.answer(community, options)
        theirs = rec._answer(community, rec.scorer.row(community), None, options)
        a = [r.partner for r in mine.recommendations]
        b = [r.partner for r in theirs.recommendations]
        same += a == b
        common += len(set(a) & set(b))
        pooled += mine.expected_gain
        every += theirs.expected_gain
    return {
        "identical_lists": round(same / len(chosen), 4),
        "partners_in_common": round(common / (10 * len(chosen)), 4),
        "expected_gain_ratio": round(pooled / every, 4) if every else 1.0,
    }


def plan_ratio(store_uri: str) -> float:
    """Gain of the scalable plan over the gain of the exact plan, on the same snapshot."""
    from graphsvc.analysis import district_plan
    from graphsvc.store import open_store

    with open_store(store_uri) as store:
        G = store.snapshot()
    exact = district_plan(G, method="exact").totals
    scalable = district_plan(G, method="scalable").totals
    gain = exact.after - exact.before
    return round((scalable.after - scalable.before) / gain, 4) if gain > 0 else 1.0


STEPS = (
    "load",
    "snapshot",
    "recommend_cold",
    "fit",
    "recommend_warm",
    "recommend_all",
    "gaps",
    "plan",
    "evaluate",
    "render_overview",
)


def exponent(series: dict[int, float | None]) -> float | None:
    points = sorted((n, t) for n, t in series.items() if t)
    if len(points) < 2:
        return None
    (n1, t1), (n2, t2) = points[-2:]
    return round(math.log(t2 / t1) / math.log(n2 / n1), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="130,2000,20000", help="communities per district, comma-separated")
    parser.add_argument("--step-timeout", type=float, default=1800, help="seconds before a step is given up")
    parser.add_argument("--exact-up-to", type=int, default=2000, help="compare with the exact plan up to this size")
    parser.add_argument("--no-api", action="store_true", help="skip the API figures")
    parser.add_argument(
        "--steps", default=",".join(STEPS), help="the steps to run, comma-separated (load always runs first)"
    )
    args = parser.parse_args()
    wanted = set(args.steps.split(","))
    if unknown := wanted - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))} (known: {', '.join(STEPS)})")
    sizes = [int(x) for x in args.sizes.split(",")]

    helps = [measure(graphsvc("--help"), 60) for _ in range(5)]
    help_s = min(h["wall"] or math.inf for h in helps)
    help_cpu = min(h["cpu"] or math.inf for h in helps)
    print(f"graphsvc --help: {help_s:.3f} s, {help_cpu:.2f} s CPU (best of 5)", flush=True)

    steps = [step for step in STEPS if step == "load" or step in wanted]
    wall: dict[str, dict[int, float | None]] = {s: {} for s in steps}
    cpu: dict[str, dict[int, float | None]] = {s: {} for s in steps}
    peak: dict[str, dict[int, float | None]] = {s: {} for s in steps}
    api: dict[str, dict[int, float | None]] = {"peak_mb": {}, "healthz_s": {}, "readyz_s": {}, "warm_s": {}}
    agreement: dict[int, dict[str, float]] = {}
    ratios: dict[int, float] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="graphsvc-scale-") as tmp:
            work = Path(tmp)
            data = work / "district"
            subprocess.run(graphsvc("sample", str(data), "--communities", str(n)), capture_output=True, check=True)
            uri = f"sqlite://{work / 'graph.db'}"
            store = ["--store", uri]
            commands = {
                "load": graphsvc("load", str(data), "--json", *store),
                "snapshot": [sys.executable, "-c", SNAPSHOT, uri],
                "recommend_cold": graphsvc("recommend", "com-00001", "-k", "10", "--json", *store),
                "fit": graphsvc("fit", "--force", "--json", *store),
                "recommend_warm": graphsvc("recommend", "com-00001", "-k", "10", "--json", *store),
                "recommend_all": [sys.executable, "-c", RECOMMEND_ALL, uri],
                "gaps": graphsvc("gaps", "--json", *store),
                "plan": graphsvc("plan", "--json", *store),
                "evaluate": graphsvc("evaluate", "--json", *store),
                "render_overview": graphsvc("render", "overview", "-o", str(work / "overview.html"), *store),
            }
            for step in steps:
                m = measure(commands[step], args.step_timeout)
                wall[step][n], cpu[step][n], peak[step][n] = m["wall"], m["cpu"], m["peak_mb"]
                print(f"N={n:>7} {step:16s} wall {m['wall']} s  cpu {m['cpu']} s  peak {m['peak_mb']} MB", flush=True)
            if not args.no_api:
                figures = api_figures(uri, args.step_timeout)
                for key, value in figures.items():
                    api[key][n] = round(value, 2) if value is not None else None
                print(f"N={n:>7} api              {figures}", flush=True)
            if (found := pool_agreement(uri)) is not None:
                agreement[n] = found
                print(f"N={n:>7} candidates vs every partner: {found}", flush=True)
            if n <= args.exact_up_to:
                ratios[n] = plan_ratio(uri)
                print(f"N={n:>7} plan gain, scalable / exact: {ratios[n]}", flush=True)

    result: dict[str, Any] = {
        "sizes": sizes,
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_mb": peak,
        "exponent": {step: exponent(cpu[step]) for step in steps},
        "help_s": help_s,
        "help_cpu_s": help_cpu,
        "recommend_warm_s": wall.get("recommend_warm", {}),
        "api_peak_mb": api["peak_mb"],
        "api_healthz_s": api["healthz_s"],
        "api_readyz_s": api["readyz_s"],
        "api_warm_s": api["warm_s"],
        "candidates_vs_every_partner": agreement,
        "plan_gain_vs_exact": ratios,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
