"""Process control: is the server of a home alive, is a port free, does Bolt answer, stop a JVM."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from graphsvc.neo4j_server.home import HOST, MAIN_CLASS, out_log, pid_file, state_file

# JVMs started by this Python process: kept so they can be reaped (no zombies) when they stop.
children: dict[int, subprocess.Popen[bytes]] = {}


def pid_alive(pid: int) -> bool:
    child = children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        children.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def is_our_server(pid: int, home: Path) -> bool:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return pid_alive(pid)  # no /proc: trust the pid file
    return MAIN_CLASS.encode() in args and f"home={home}".encode() in args


def read_state(home: Path) -> dict[str, Any] | None:
    """The state of a live server of this home, else None (stale files are removed)."""
    try:
        pid = int(pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None
    state: dict[str, Any] = {}
    try:
        loaded = json.loads(state_file(home).read_text())
        if isinstance(loaded, dict):
            state = loaded
    except (OSError, ValueError):
        pass
    if pid_alive(pid) and is_our_server(pid, home):
        state["pid"] = pid
        return state
    pid_file(home).unlink(missing_ok=True)
    state_file(home).unlink(missing_ok=True)
    return None


def log_tail(home: Path, lines: int = 40) -> str:
    try:
        text = out_log(home).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def bolt_check(port: int, password: str, timeout: float = 5.0) -> None:
    """Raises neo4j's exceptions if Bolt does not answer or rejects the password."""
    import neo4j  # the driver is only needed here

    driver = neo4j.GraphDatabase.driver(
        f"bolt://{HOST}:{port}",
        auth=("neo4j", password),
        connection_timeout=timeout,
        max_connection_lifetime=30,
        connection_acquisition_timeout=timeout,
    )
    try:
        driver.verify_connectivity()
    finally:
        driver.close()


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def terminate(pid: int, timeout: float) -> bool:
    """SIGTERM, wait; SIGKILL if needed. True if it exited within timeout after SIGTERM."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    for _ in range(200):
        if not pid_alive(pid):
            break
        time.sleep(0.05)
    return False
