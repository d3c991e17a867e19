"""The server's life: start (installing on first use), stop, status, wipe -- one home at a time, under its lock."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.gds import gds_launch
from graphsvc.neo4j_server.home import (
    DEFAULT_PORT,
    HOST,
    JAVA_OPTS_ENV,
    JVM_OPTIONS,
    MAIN_CLASS,
    MIN_PASSWORD_LENGTH,
    NEO4J_VERSION,
    PAGECACHE_BYTES,
    PASSWORD_ENV,
    READY_MARKER,
    bolt_uri,
    locked,
    out_log,
    pid_file,
    resolve_home,
    runtime_dir,
    state_file,
)
from graphsvc.neo4j_server.install import Report, cds_archive, prepare
from graphsvc.neo4j_server.process import (
    bolt_check,
    children,
    log_tail,
    port_free,
    read_state,
    terminate,
)


def check_password(password: str | None) -> str:
    pw = password if password is not None else os.environ.get(PASSWORD_ENV)
    if not pw:
        raise Neo4jServerError(f"no Neo4j password: set {PASSWORD_ENV} (at least {MIN_PASSWORD_LENGTH} characters)")
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise Neo4jServerError(f"the Neo4j password must have at least {MIN_PASSWORD_LENGTH} characters")
    return pw


def start(
    *,
    home: Path | str | None = None,
    port: int = DEFAULT_PORT,
    password: str | None = None,
    timeout: float = 180,
    report: Report | None = None,
    read_only: bool = False,
    with_gds: bool = False,
    import_file: Path | None = None,
) -> str:
    """Starts the local Neo4j server (installing it on first use, each step said through ``report``) and returns
    its URI.

    ``import_file``: first run Neo4j's offline importer in the server's JVM with the arguments in that file, one
    per line (:mod:`graphsvc.neo4j_server.bulk`); if it fails, the server exits and this raises.
    ``with_gds``: with the Graph Data Science plugin (fetched on first use, see :mod:`graphsvc.neo4j_server.gds`).

    The server listens on 127.0.0.1:``port`` only, with authentication on; the store in ``home/data`` is
    kept across restarts. If the server of this home is already running, returns its URI. ``timeout``
    bounds the wait for Bolt to answer (not the first-use download). ``read_only`` starts it with every user
    database read-only (Neo4j's ``server.databases.default_to_read_only``), as an operator may.
    """
    home_dir = resolve_home(home)
    pw = check_password(password)
    with locked(home_dir):
        state = read_state(home_dir)
        if state is not None:
            if state.get("port") != port:
                raise Neo4jServerError(
                    f"the Neo4j server of {home_dir} is already running on port {state.get('port')}, not {port}"
                )
            if with_gds and not state.get("gds"):
                raise Neo4jServerError(
                    f"the Neo4j server of {home_dir} is already running without GDS: stop it, then start it with GDS"
                )
            try:
                bolt_check(port, pw)
            except Exception as e:
                raise Neo4jServerError(
                    f"the Neo4j server of {home_dir} (pid {state['pid']}) is running but Bolt check failed: {e}"
                ) from e
            return bolt_uri(port)

        if not port_free(port):
            raise Neo4jServerError(f"port {HOST}:{port} is already in use by another process")

        runtime, java, major = prepare(home_dir, report)
        argfile, plugin_args = gds_launch(runtime, report) if with_gds else (runtime / "jvm.args", [])
        cmd = [java, *JVM_OPTIONS]
        archive = cds_archive(runtime, major)
        if archive.is_file():
            cmd += [f"-XX:SharedArchiveFile={archive}", "-Xshare:auto", "-Xlog:cds=off", "-Xlog:class+path=off"]
        cmd += shlex.split(os.environ.get(JAVA_OPTS_ENV, ""))
        cmd += [
            f"@{argfile}",
            MAIN_CLASS,
            f"home={home_dir}",
            f"port={port}",
            f"pagecache={PAGECACHE_BYTES}",
            f"host={HOST}",
            f"read_only={'true' if read_only else 'false'}",
            *plugin_args,
            *([f"import={import_file}"] if import_file is not None else []),
        ]

        log = out_log(home_dir)
        log.parent.mkdir(parents=True, exist_ok=True)
        if log.exists():
            os.replace(log, log.with_name(log.name + ".1"))
        env = dict(os.environ, **{PASSWORD_ENV: pw})
        started = time.monotonic()
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=home_dir,
                env=env,
                start_new_session=True,
                close_fds=True,
            )
        children[proc.pid] = proc
        pid_file(home_dir).write_text(f"{proc.pid}\n")
        state_file(home_dir).write_text(
            json.dumps(
                {
                    "pid": proc.pid,
                    "port": port,
                    "uri": bolt_uri(port),
                    "version": NEO4J_VERSION,
                    "started_at": time.time(),
                    "java": java,
                    "gds": with_gds,
                    "reimport": True,  # its launcher serves bulk loads in its running JVM (neo4j_server.bulk)
                }
            )
            + "\n"
        )

        deadline = started + timeout
        last_error: Exception | None = None
        while True:
            if proc.poll() is not None:
                pid_file(home_dir).unlink(missing_ok=True)
                state_file(home_dir).unlink(missing_ok=True)
                children.pop(proc.pid, None)
                raise Neo4jServerError(
                    f"Neo4j exited during start (exit code {proc.returncode}); {log}:\n{log_tail(home_dir)}"
                )
            ready = READY_MARKER.encode() in log.read_bytes()
            if ready:
                try:
                    bolt_check(port, pw)
                    return bolt_uri(port)
                except Exception as e:  # not answering yet, or auth rejected
                    last_error = e
                    if type(e).__name__ == "AuthError":
                        break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)

        terminate(proc.pid, 30)
        pid_file(home_dir).unlink(missing_ok=True)
        state_file(home_dir).unlink(missing_ok=True)
        reason = f"Bolt check failed: {last_error}" if last_error else f"not ready after {timeout:.0f} s"
        raise Neo4jServerError(f"Neo4j did not start ({reason}); {log}:\n{log_tail(home_dir)}")


def stop(*, home: Path | str | None = None, timeout: float = 60) -> bool:
    """Stops the server of this home cleanly (SIGTERM: the DBMS checkpoints and closes its store).

    Returns False if it was not running. If it does not exit within ``timeout`` it is killed and
    Neo4jServerError is raised (the store then recovers from its transaction log on the next start).
    """
    home_dir = resolve_home(home)
    with locked(home_dir):
        state = read_state(home_dir)
        if state is None:
            return False
        pid = state["pid"]
        clean = terminate(pid, timeout)
        children.pop(pid, None)
        pid_file(home_dir).unlink(missing_ok=True)
        state_file(home_dir).unlink(missing_ok=True)
        if not clean:
            raise Neo4jServerError(
                f"Neo4j (pid {pid}) did not stop within {timeout:.0f} s and was killed; log:\n{log_tail(home_dir)}"
            )
        return True


def status(*, home: Path | str | None = None) -> dict[str, Any]:
    """running, pid, uri, port, version, home, data_dir, log."""
    home_dir = resolve_home(home)
    state = read_state(home_dir) or {}
    running = bool(state)
    return {
        "running": running,
        "pid": state.get("pid"),
        "uri": state.get("uri"),
        "port": state.get("port"),
        "version": NEO4J_VERSION,
        "home": str(home_dir),
        "data_dir": str(home_dir / "data"),
        "log": str(out_log(home_dir)),
        "installed": (runtime_dir(home_dir) / "launcher.stamp").is_file(),
        "gds": bool(state.get("gds")),
    }


def wipe(*, home: Path | str | None = None) -> bool:
    """Deletes the store (home/data). Refuses while the server runs. True if there was something to delete."""
    home_dir = resolve_home(home)
    with locked(home_dir):
        if read_state(home_dir) is not None:
            raise Neo4jServerError(f"the Neo4j server of {home_dir} is running; stop it before wiping its data")
        data = home_dir / "data"
        if not data.exists():
            return False
        shutil.rmtree(data)
        return True
