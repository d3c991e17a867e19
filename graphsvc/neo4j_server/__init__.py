"""Run a real Neo4j Community server on this machine, for development and tests.

Neo4j is not packaged for Debian, PyPI or npm, and there is no Docker here, so the DBMS comes from Maven
Central: the pinned ``org.neo4j:neo4j`` artifact (Neo4j Community, which includes the ``neo4j-bolt`` server)
is fetched with ``mvn dependency:copy-dependencies`` into a cache directory, and a small Java launcher
(``GraphsvcNeo4j.java``, compiled with ``javac`` on first use) starts it with the Bolt connector on
127.0.0.1 and authentication on. Clients use the official drivers exactly as against a packaged server.

Layout of the home directory (``$GRAPHSVC_NEO4J_HOME``, default ``~/.cache/graphsvc/neo4j``)::

    runtime/<version>/lib/*.jar       Neo4j and its dependencies (from Maven Central, ~125 MB)
    runtime/<version>/launcher.jar    the compiled launcher
    runtime/<version>/jvm.args        the class path, as a java @argfile
    runtime/<version>/cds-*.jsa       class-data-sharing archive (faster JVM start), per Java version
    data/                             the Neo4j store: kept across stop/start, removed by wipe()
    logs/                             Neo4j's debug.log etc., and graphsvc-neo4j.out (launcher output)
    neo4j.pid, server.json            the running server

The password of user ``neo4j`` comes from ``$GRAPHSVC_NEO4J_PASSWORD`` (at least 8 characters).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphsvc.errors import Neo4jServerError

__all__ = [
    "HOME_ENV",
    "JAVA_OPTS_ENV",
    "NEO4J_VERSION",
    "PASSWORD_ENV",
    "Neo4jServerError",
    "default_home",
    "install",
    "start",
    "status",
    "stop",
    "wipe",
]

#: Pinned Neo4j version (the 5.26 LTS line runs on Java 17). Keep in sync with pom.xml.
NEO4J_VERSION = "5.26.30"
PASSWORD_ENV = "GRAPHSVC_NEO4J_PASSWORD"
HOME_ENV = "GRAPHSVC_NEO4J_HOME"
#: Extra JVM options, appended last (e.g. "-XX:TieredStopAtLevel=1" for an even faster start).
JAVA_OPTS_ENV = "GRAPHSVC_NEO4J_JAVA_OPTS"
#: Path of the ``java`` executable to use (else $JAVA_HOME/bin/java, else ``java`` on PATH, else /usr/lib/jvm).
JAVA_ENV = "GRAPHSVC_NEO4J_JAVA"

DEFAULT_PORT = 7687
HOST = "127.0.0.1"
MAIN_CLASS = "GraphsvcNeo4j"
READY_MARKER = "GRAPHSVC_NEO4J_READY"
MIN_PASSWORD_LENGTH = 8
PAGECACHE_BYTES = 256 * 1024 * 1024
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)

_RESOURCES = Path(__file__).resolve().parent
_POM = _RESOURCES / "pom.xml"
_LAUNCHER_SRC = _RESOURCES / f"{MAIN_CLASS}.java"

# JVMs started by this Python process: kept so they can be reaped (no zombies) when they stop.
_children: dict[int, subprocess.Popen[bytes]] = {}


# --------------------------------------------------------------------------------------------- paths


def default_home() -> Path:
    """``$GRAPHSVC_NEO4J_HOME`` or ``~/.cache/graphsvc/neo4j``."""
    env = os.environ.get(HOME_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "graphsvc" / "neo4j"


def _home(home: Path | str | None) -> Path:
    return (Path(home).expanduser() if home is not None else default_home()).resolve()


def _runtime_dir(home: Path) -> Path:
    return home / "runtime" / NEO4J_VERSION


def _pid_file(home: Path) -> Path:
    return home / "neo4j.pid"


def _state_file(home: Path) -> Path:
    return home / "server.json"


def _out_log(home: Path) -> Path:
    return home / "logs" / "graphsvc-neo4j.out"


def _uri(port: int) -> str:
    return f"bolt://neo4j@{HOST}:{port}"


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Serialises install/start/stop/wipe on one home, across processes."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------- java


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def _find_java() -> tuple[str, str, int]:
    """(java, javac, major version) of a JDK >= 17."""
    candidates: list[str] = []
    if os.environ.get(JAVA_ENV):
        candidates.append(os.environ[JAVA_ENV])
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(os.path.realpath(on_path))
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        candidates += sorted(str(p / "bin" / "java") for p in jvm_root.iterdir() if (p / "bin" / "java").exists())
    tried = []
    for java in candidates:
        javac = str(Path(java).parent / "javac")
        major = _java_major(java)
        tried.append(f"{java} (version {major})")
        if major is not None and major >= 17 and os.access(javac, os.X_OK):
            return java, javac, major
    raise Neo4jServerError(
        "Neo4j "
        + NEO4J_VERSION
        + " needs a JDK >= 17 (java and javac); set "
        + JAVA_ENV
        + " or JAVA_HOME. Tried: "
        + (", ".join(tried) or "nothing found")
    )


# ------------------------------------------------------------------------------------------- install


def _run(
    cmd: list[str], what: str, *, cwd: Path | None = None, timeout: float = 1800, env: dict[str, str] | None = None
) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError as e:
        raise Neo4jServerError(f"{what}: {cmd[0]} not found") from e
    except subprocess.TimeoutExpired as e:
        raise Neo4jServerError(f"{what}: timed out after {timeout:.0f} s") from e
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
        raise Neo4jServerError(f"{what} failed (exit {proc.returncode}):\n{tail}")


def _fingerprint(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _fetch_jars(runtime: Path) -> Path:
    """Copies org.neo4j:neo4j and its runtime dependencies from Maven Central into runtime/lib."""
    lib = runtime / "lib"
    stamp = runtime / "lib.stamp"
    want = _fingerprint(_POM.read_bytes())
    if lib.is_dir() and stamp.is_file() and stamp.read_text().strip() == want:
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError(
            "Maven (mvn) is needed to fetch Neo4j from Maven Central; install it (apt-get install maven)"
        )
    runtime.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="fetch-", dir=runtime))
    try:
        shutil.copyfile(_POM, build / "pom.xml")
        _run(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(build / "pom.xml"),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={build / 'lib'}",
            ],
            f"fetching Neo4j {NEO4J_VERSION} with Maven",
            cwd=build,
        )
        if not any((build / "lib").glob(f"neo4j-{NEO4J_VERSION}.jar")):
            raise Neo4jServerError(f"Maven did not deliver neo4j-{NEO4J_VERSION}.jar")
        if lib.exists():
            shutil.rmtree(lib)
        (build / "lib").rename(lib)
        stamp.write_text(want + "\n")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return lib


def _argfile_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _build_launcher(runtime: Path, lib: Path, javac: str, java_major: int) -> Path:
    """Compiles GraphsvcNeo4j.java into runtime/launcher.jar and writes runtime/jvm.args (the class path)."""
    jar = runtime / "launcher.jar"
    argfile = runtime / "jvm.args"
    stamp = runtime / "launcher.stamp"
    want = _fingerprint(_LAUNCHER_SRC.read_bytes(), (runtime / "lib.stamp").read_text(), str(java_major))
    if jar.is_file() and argfile.is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return argfile
    jars = sorted(str(p) for p in lib.glob("*.jar"))
    with tempfile.TemporaryDirectory(prefix="javac-", dir=runtime) as tmp:
        classes = Path(tmp) / "classes"
        classes.mkdir()
        _run(
            [
                javac,
                "-nowarn",
                "--release",
                "17",
                "-encoding",
                "UTF-8",
                "-d",
                str(classes),
                "-cp",
                os.pathsep.join(jars),
                str(_LAUNCHER_SRC),
            ],
            "compiling the Neo4j launcher",
        )
        tmp_jar = Path(tmp) / "launcher.jar"
        with zipfile.ZipFile(tmp_jar, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: graphsvc\r\n\r\n")
            for f in sorted(classes.rglob("*.class")):
                zf.write(f, f.relative_to(classes).as_posix())
        os.replace(tmp_jar, jar)
    # CDS requires a class path made of jars only, in the same order at dump and at run time.
    classpath = os.pathsep.join([str(jar), *jars])
    argfile.write_text("-cp " + _argfile_quote(classpath) + "\n")
    for old in runtime.glob("cds-*.jsa"):
        old.unlink()
    stamp.write_text(want + "\n")
    return argfile


def _cds_archive(runtime: Path, java_major: int) -> Path:
    return runtime / f"cds-java{java_major}-{(runtime / 'launcher.stamp').read_text().strip()}.jsa"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _train_cds(runtime: Path, java: str, java_major: int, argfile: Path) -> None:
    """One-off training run that records a CDS archive; optional (skipped on failure)."""
    archive = _cds_archive(runtime, java_major)
    if archive.is_file() or (runtime / "cds.failed").is_file():
        return
    scratch = Path(tempfile.mkdtemp(prefix="cds-training-", dir=runtime))
    tmp_archive = scratch / "archive.jsa"
    env = dict(os.environ, **{PASSWORD_ENV: "graphsvc-training-" + secrets.token_hex(8)})
    try:
        _run(
            [
                java,
                *JVM_OPTIONS,
                f"-XX:ArchiveClassesAtExit={tmp_archive}",
                "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off",
                f"@{argfile}",
                MAIN_CLASS,
                f"home={scratch / 'home'}",
                f"port={_free_port()}",
                "train=true",
            ],
            "recording the class-data-sharing archive",
            timeout=600,
            env=env,
        )
        if tmp_archive.is_file():
            os.replace(tmp_archive, archive)
    except Neo4jServerError as e:
        (runtime / "cds.failed").write_text(str(e) + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def install(*, home: Path | str | None = None) -> Path:
    """Fetches the pinned Neo4j (first use only), compiles the launcher, records the CDS archive.

    Idempotent and cheap once done; returns the runtime directory.
    """
    home_dir = _home(home)
    with _locked(home_dir):
        return _install(home_dir)[0]


def _install(home: Path) -> tuple[Path, str, int]:
    """(runtime dir, java, java major version)"""
    runtime = _runtime_dir(home)
    java, javac, major = _find_java()
    lib = _fetch_jars(runtime)
    argfile = _build_launcher(runtime, lib, javac, major)
    _train_cds(runtime, java, major, argfile)
    return runtime, java, major


# ------------------------------------------------------------------------------------------ processes


def _pid_alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _children.pop(pid, None)
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


def _is_our_server(pid: int, home: Path) -> bool:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return _pid_alive(pid)  # no /proc: trust the pid file
    return MAIN_CLASS.encode() in args and f"home={home}".encode() in args


def _read_state(home: Path) -> dict[str, Any] | None:
    """The state of a live server of this home, else None (stale files are removed)."""
    try:
        pid = int(_pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None
    state: dict[str, Any] = {}
    try:
        loaded = json.loads(_state_file(home).read_text())
        if isinstance(loaded, dict):
            state = loaded
    except (OSError, ValueError):
        pass
    if _pid_alive(pid) and _is_our_server(pid, home):
        state["pid"] = pid
        return state
    _pid_file(home).unlink(missing_ok=True)
    _state_file(home).unlink(missing_ok=True)
    return None


def _log_tail(home: Path, lines: int = 40) -> str:
    try:
        text = _out_log(home).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _password(password: str | None) -> str:
    pw = password if password is not None else os.environ.get(PASSWORD_ENV)
    if not pw:
        raise Neo4jServerError(f"no Neo4j password: set {PASSWORD_ENV} (at least {MIN_PASSWORD_LENGTH} characters)")
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise Neo4jServerError(f"the Neo4j password must have at least {MIN_PASSWORD_LENGTH} characters")
    return pw


def _bolt_check(port: int, password: str, timeout: float = 5.0) -> None:
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


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM, wait; SIGKILL if needed. True if it exited within timeout after SIGTERM."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    for _ in range(200):
        if not _pid_alive(pid):
            break
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------------------------------- public API


def start(
    *, home: Path | str | None = None, port: int = DEFAULT_PORT, password: str | None = None, timeout: float = 180
) -> str:
    """Starts the local Neo4j server (installing it on first use) and returns its URI.

    The server listens on 127.0.0.1:``port`` only, with authentication on; the store in ``home/data`` is
    kept across restarts. If the server of this home is already running, returns its URI. ``timeout``
    bounds the wait for Bolt to answer (not the first-use download).
    """
    home_dir = _home(home)
    pw = _password(password)
    with _locked(home_dir):
        state = _read_state(home_dir)
        if state is not None:
            if state.get("port") != port:
                raise Neo4jServerError(
                    f"the Neo4j server of {home_dir} is already running on port {state.get('port')}, not {port}"
                )
            try:
                _bolt_check(port, pw)
            except Exception as e:
                raise Neo4jServerError(
                    f"the Neo4j server of {home_dir} (pid {state['pid']}) is running but Bolt check failed: {e}"
                ) from e
            return _uri(port)

        if not _port_free(port):
            raise Neo4jServerError(f"port {HOST}:{port} is already in use by another process")

        runtime, java, major = _install(home_dir)
        cmd = [java, *JVM_OPTIONS]
        archive = _cds_archive(runtime, major)
        if archive.is_file():
            cmd += [f"-XX:SharedArchiveFile={archive}", "-Xshare:auto", "-Xlog:cds=off", "-Xlog:class+path=off"]
        cmd += shlex.split(os.environ.get(JAVA_OPTS_ENV, ""))
        cmd += [
            f"@{runtime / 'jvm.args'}",
            MAIN_CLASS,
            f"home={home_dir}",
            f"port={port}",
            f"pagecache={PAGECACHE_BYTES}",
            f"host={HOST}",
        ]

        log = _out_log(home_dir)
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
        _children[proc.pid] = proc
        _pid_file(home_dir).write_text(f"{proc.pid}\n")
        _state_file(home_dir).write_text(
            json.dumps(
                {
                    "pid": proc.pid,
                    "port": port,
                    "uri": _uri(port),
                    "version": NEO4J_VERSION,
                    "started_at": time.time(),
                    "java": java,
                }
            )
            + "\n"
        )

        deadline = started + timeout
        last_error: Exception | None = None
        while True:
            if proc.poll() is not None:
                _pid_file(home_dir).unlink(missing_ok=True)
                _state_file(home_dir).unlink(missing_ok=True)
                _children.pop(proc.pid, None)
                raise Neo4jServerError(
                    f"Neo4j exited during start (exit code {proc.returncode}); {log}:\n{_log_tail(home_dir)}"
                )
            ready = READY_MARKER.encode() in log.read_bytes()
            if ready:
                try:
                    _bolt_check(port, pw)
                    return _uri(port)
                except Exception as e:  # not answering yet, or auth rejected
                    last_error = e
                    if type(e).__name__ == "AuthError":
                        break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)

        _terminate(proc.pid, 30)
        _pid_file(home_dir).unlink(missing_ok=True)
        _state_file(home_dir).unlink(missing_ok=True)
        reason = f"Bolt check failed: {last_error}" if last_error else f"not ready after {timeout:.0f} s"
        raise Neo4jServerError(f"Neo4j did not start ({reason}); {log}:\n{_log_tail(home_dir)}")


def stop(*, home: Path | str | None = None, timeout: float = 60) -> bool:
    """Stops the server of this home cleanly (SIGTERM: the DBMS checkpoints and closes its store).

    Returns False if it was not running. If it does not exit within ``timeout`` it is killed and
    Neo4jServerError is raised (the store then recovers from its transaction log on the next start).
    """
    home_dir = _home(home)
    with _locked(home_dir):
        state = _read_state(home_dir)
        if state is None:
            return False
        pid = state["pid"]
        clean = _terminate(pid, timeout)
        _children.pop(pid, None)
        _pid_file(home_dir).unlink(missing_ok=True)
        _state_file(home_dir).unlink(missing_ok=True)
        if not clean:
            raise Neo4jServerError(
                f"Neo4j (pid {pid}) did not stop within {timeout:.0f} s and was killed; log:\n{_log_tail(home_dir)}"
            )
        return True


def status(*, home: Path | str | None = None) -> dict[str, Any]:
    """running, pid, uri, port, version, home, data_dir, log."""
    home_dir = _home(home)
    state = _read_state(home_dir) or {}
    running = bool(state)
    return {
        "running": running,
        "pid": state.get("pid"),
        "uri": state.get("uri"),
        "port": state.get("port"),
        "version": NEO4J_VERSION,
        "home": str(home_dir),
        "data_dir": str(home_dir / "data"),
        "log": str(_out_log(home_dir)),
        "installed": (_runtime_dir(home_dir) / "launcher.stamp").is_file(),
    }


def wipe(*, home: Path | str | None = None) -> bool:
    """Deletes the store (home/data). Refuses while the server runs. True if there was something to delete."""
    home_dir = _home(home)
    with _locked(home_dir):
        if _read_state(home_dir) is not None:
            raise Neo4jServerError(f"the Neo4j server of {home_dir} is running; stop it before wiping its data")
        data = home_dir / "data"
        if not data.exists():
            return False
        shutil.rmtree(data)
        return True
