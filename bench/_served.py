"""A ``graphsvc serve --workers N`` server on loopback for the benches that watch real worker processes.

Used by ``bench/freshness.py`` and ``bench/soak.py`` (run as scripts, so this module is imported by name; the
leading underscore says it is no bench of its own). The
server runs in its own session so that stopping it reaches every worker; which worker answered, and the
version of the edition it has in service, is told by ``/readyz`` (``process``, ``edition.version``).
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

KEY = "bench-key"
AUTH = {"X-API-Key": KEY}
TLS = ssl.create_default_context()  # made once: httpx.get would read the CA bundle on every call
ASK_AT_ONCE = 8
"""Simultaneous new connections reach every worker; one at a time, an idle server often hands them to one."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(store: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "GRAPHSVC_STORE": store, "GRAPHSVC_API_KEYS": KEY, **extra}


def cli(*args: str, store: str, timeout: float = 1800) -> None:
    """``graphsvc ARGS`` in its own process; exits the bench with its output if it fails."""
    command = [sys.executable, "-m", "graphsvc", *args]
    done = subprocess.run(command, env=env_for(store), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"graphsvc {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def load_sample(store: str, communities: int, workdir: Path, *, replace: bool = False) -> None:
    """Write the synthetic district of ``communities`` communities and load it into ``store``."""
    files = workdir / f"district-{communities}"
    cli("sample", "--communities", str(communities), str(files), store=store)
    cli("load", str(files), "--store", store, *(["--replace"] if replace else []), store=store)


def get(url: str, **kwargs: Any) -> httpx.Response:
    """One request on a new connection (so that the kernel may hand it to either worker)."""
    headers = {"Connection": "close", **kwargs.pop("headers", {})}
    return httpx.get(url, timeout=kwargs.pop("timeout", 30), headers=headers, verify=TLS, **kwargs)


def readyz_burst(base: str) -> list[dict[str, Any]]:
    """``/readyz`` from several simultaneous new connections; the bodies of those that answered 200."""

    def one(_: int) -> dict[str, Any] | None:
        try:
            answer = get(f"{base}/readyz", timeout=10)
        except httpx.HTTPError:
            return None
        return dict(answer.json()) if answer.status_code == 200 else None

    with ThreadPoolExecutor(ASK_AT_ONCE) as pool:
        return [body for body in pool.map(one, range(ASK_AT_ONCE)) if body is not None]


class Server:
    """``graphsvc serve`` over ``store`` with ``workers`` processes on a free loopback port."""

    def __init__(self, store: str, workers: int, log: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        command = [sys.executable, "-m", "graphsvc", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers), "--log-level", "warning"]
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env_for(store, **env), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pids: set[int] = set()

    def wait_ready(self, timeout: float) -> set[int]:
        """Wait until every worker has an edition in service; their process ids."""
        deadline = time.monotonic() + timeout
        while len(self.pids) < self.workers:
            if self.process.poll() is not None:
                raise SystemExit(f"graphsvc serve exited ({self.process.returncode}); see {self._log.name}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{len(self.pids)} of {self.workers} workers ready after {timeout:.0f} s")
            self.pids |= {body["process"] for body in readyz_burst(self.base)}
            time.sleep(0.5)
        return self.pids

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the server's own session: its workers, nothing else
            self.process.wait(10)
        self._log.close()


def rss_mb(pid: int) -> float:
    """The resident set of process ``pid`` in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def machine() -> str:
    """The machine in one line: CPUs, memory, load average."""
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, {int(memory.split()[1]) // 1024**2} GiB, load {load}"
