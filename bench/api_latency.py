"""Latency of the recommendations endpoint against /healthz on the same running server (wrk).

Starts ``graphsvc serve --demo`` on loopback over a fresh SQLite store holding the
synthetic district (2,000 communities by default), waits until the edition's
recommendations are warm, then runs wrk at 16 connections against ``/healthz``
and against ``/communities/{id}/recommendations`` (rotating over every
community). With ``--workers N`` (N > 1) it then serves the same store with
``graphsvc serve --workers N``, waits until every worker is warm, and runs the
recommendations load in turns with the 1-worker server (``--rounds``, medians),
both kept running, so a change in the machine's load hits both alike. Measures;
asserts nothing. The last line printed is one JSON object::

    {"reco_p99_ms": x, "health_p99_ms": x, "p99_ratio": x, "reco_rps": x,
     "workers": N, "rps_1_worker": x, "rps_n_workers": x, "scaling": x, "reco_p99_ms_n_workers": x}

(the last five only with ``--workers N``; ``scaling`` is ``rps_n_workers / rps_1_worker``).

Needs ``wrk`` on PATH (Debian/Ubuntu: ``apt-get install -y wrk``; macOS: ``brew install wrk``).

    python bench/api_latency.py [--communities 2000] [--connections 16] [--duration 15] [--workers 2 --rounds 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

WRK_SCRIPT = """
local n = {communities}
local counter = 0
local mode = "{mode}"
request = function()
  if mode == "reco" then
    counter = counter + 1
    return wrk.format("GET", string.format("/communities/com-%05d/recommendations", (counter % n) + 1))
  end
  return wrk.format("GET", "/healthz")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {{\\"p50_us\\": %d, \\"p99_us\\": %d, \\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d}}\\n",
    latency:percentile(50), latency:percentile(99), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_warm(base: str, timeout: float, workers: int = 1) -> dict[str, Any]:
    """Wait until ``workers`` distinct processes have answered that their recommendations are warm."""
    deadline = time.monotonic() + timeout
    warm: set[int] = set()
    while time.monotonic() < deadline:
        try:
            body = httpx.get(f"{base}/readyz", timeout=2, headers={"Connection": "close"}).json()
            edition = body.get("edition") or {}
            if edition.get("recommendations_warm"):
                warm.add(body.get("process", 0))
                if len(warm) >= workers:
                    return dict(body)
        except httpx.HTTPError:
            pass
        time.sleep(0.2 if warm else 0.5)
    raise SystemExit(f"server at {base} not warm after {timeout:.0f} s ({len(warm)} of {workers} workers)")


def start_server(args: argparse.Namespace, store: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "graphsvc", "serve", "--demo", "--communities", str(args.communities)]
    cmd += ["--port", str(port), "--log-level", "warning", "--store", store, "--workers", str(workers)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=60)


def run_wrk(wrk: str, base: str, mode: str, args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    script = workdir / f"{mode}.lua"
    script.write_text(WRK_SCRIPT.format(communities=args.communities, mode=mode.split("-")[0]))
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "-s", str(script), base + "/"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    raw = json.loads(line.removeprefix("RESULT "))
    result = {
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "errors": raw["errors"],
    }
    print(
        f"{mode:6s} p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
        f"{result['rps']:.0f} req/s  errors {result['errors']}"
    )
    return result


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median requests per second."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=2000, help="size of the synthetic district")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--warm-timeout", type=float, default=600, help="seconds to wait for the server to be warm")
    parser.add_argument("--workers", type=int, default=1, help="also measure with this many worker processes")
    parser.add_argument("--rounds", type=int, default=3, help="alternating 1-worker / N-worker runs (medians)")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk not found: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk (macOS)")

    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp:
        workdir = Path(tmp)
        store = f"sqlite://{workdir / 'graph.db'}"
        servers: list[subprocess.Popen[bytes]] = []
        try:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            started = time.monotonic()
            servers.append(start_server(args, store, port, workers=1))
            ready = wait_warm(base, args.warm_timeout)
            snapshot = ready["edition"]
            print(
                f"server warm after {time.monotonic() - started:.1f} s: {snapshot['nodes']} nodes, "
                f"{snapshot['edges']} edges, {args.communities} communities"
            )
            health = run_wrk(wrk, base, "health", args, workdir)
            reco = run_wrk(wrk, base, "reco", args, workdir)
            scaled: dict[str, float] | None = None
            if args.workers > 1:
                # The N-worker server runs beside the idle 1-worker one over the same store, and the two are
                # measured in turn, so that a change in the machine's load hits both sides alike.
                port_n = free_port()
                base_n = f"http://127.0.0.1:{port_n}"
                started = time.monotonic()
                servers.append(start_server(args, store, port_n, workers=args.workers))
                wait_warm(base_n, args.warm_timeout, workers=args.workers)
                print(f"{args.workers} workers warm after {time.monotonic() - started:.1f} s")
                ones, manys = [reco], []
                for round_ in range(args.rounds):
                    manys.append(run_wrk(wrk, base_n, f"reco-{args.workers}w", args, workdir))
                    if round_ < args.rounds - 1:
                        ones.append(run_wrk(wrk, base, "reco", args, workdir))
                reco = median_run(ones)
                scaled = median_run(manys)
        finally:
            for server in servers:
                stop_server(server)
    summary: dict[str, float] = {
        "reco_p99_ms": round(reco["p99_ms"], 3),
        "health_p99_ms": round(health["p99_ms"], 3),
        "p99_ratio": round(reco["p99_ms"] / health["p99_ms"], 3),
        "reco_rps": round(reco["rps"], 1),
    }
    if scaled is not None:
        summary["workers"] = args.workers
        summary["rps_1_worker"] = round(reco["rps"], 1)
        summary["rps_n_workers"] = round(scaled["rps"], 1)
        summary["scaling"] = round(scaled["rps"] / reco["rps"], 3)
        summary["reco_p99_ms_n_workers"] = round(scaled["p99_ms"], 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
