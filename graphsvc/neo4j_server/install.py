"""Installing the server: find a JDK, fetch the pinned Neo4j from Maven Central, compile the launcher.

Neo4j is not packaged for Debian, PyPI or npm, and there is no Docker here, so the DBMS comes from Maven
Central: the pinned ``org.neo4j:neo4j`` artifact is fetched with ``mvn dependency:copy-dependencies`` into
the home's runtime directory, and ``GraphsvcNeo4j.java`` is compiled with ``javac`` against it. A one-off
training run records a class-data-sharing archive so that later JVM starts are faster. Every step is
skipped when its stamp file says it is already done. A step that runs says so through ``report`` (the CLI prints
it on stderr), and the fetch names each jar Maven downloads, as it arrives: a first start takes minutes.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import zipfile
from collections import deque
from collections.abc import Callable
from pathlib import Path

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.home import (
    HOST,
    JAVA_ENV,
    JVM_OPTIONS,
    MAIN_CLASS,
    NEO4J_VERSION,
    PASSWORD_ENV,
    locked,
    resolve_home,
    runtime_dir,
)

Report = Callable[[str], None]
"""Where installing says what it is doing, one line at a time (the CLI prints it on stderr)."""

RESOURCES = Path(__file__).resolve().parent
POM = RESOURCES / "pom.xml"
LAUNCHER_SRC = RESOURCES / f"{MAIN_CLASS}.java"


def java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def find_java() -> tuple[str, str, int]:
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
        major = java_major(java)
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


def run_tool(
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


def run_tool_lines(
    cmd: list[str], what: str, on_line: Callable[[str], None], *, cwd: Path | None = None, timeout: float = 1800
) -> None:
    """:func:`run_tool`, handing each line of the tool's output (stdout and stderr) to ``on_line`` as it comes."""
    try:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
    except FileNotFoundError as e:
        raise Neo4jServerError(f"{what}: {cmd[0]} not found") from e
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    tail: deque[str] = deque(maxlen=40)
    try:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                tail.append(line.rstrip("\n"))
                on_line(tail[-1])
        returncode = proc.wait()
    finally:
        timer.cancel()
    if timed_out.is_set():
        raise Neo4jServerError(f"{what}: timed out after {timeout:.0f} s")
    if returncode != 0:
        raise Neo4jServerError(f"{what} failed (exit {returncode}):\n" + "\n".join(tail).strip())


DOWNLOADED = re.compile(r"Downloaded from [^:\s]+: \S*/(?P<file>[^/\s]+\.jar) \((?P<size>[^)]*?)(?: at [^)]*)?\)")


def downloaded_jar(line: str) -> str | None:
    """The jar and its size in a line of Maven's output that says it downloaded one, else ``None`` (poms and
    metadata too: a first fetch downloads hundreds of them).

    >>> downloaded_jar("Downloaded from central: https://repo.maven.apache.org/maven2/org/neo4j/neo4j-bolt/"
    ...                "5.26.30/neo4j-bolt-5.26.30.jar (1.6 MB at 2.1 MB/s)")
    'neo4j-bolt-5.26.30.jar (1.6 MB)'
    >>> downloaded_jar("Downloaded from central: https://repo.maven.apache.org/maven2/org/neo4j/neo4j/"
    ...                "5.26.30/neo4j-5.26.30.pom (12 kB at 95 kB/s)") is None
    True
    """
    found = DOWNLOADED.search(line)
    return f"{found['file']} ({found['size']})" if found else None


def fingerprint(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def maven(what: str) -> str:
    """The ``mvn`` command, or :class:`~graphsvc.errors.Neo4jServerError` saying how to install it."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError(
            f"Maven (mvn) is needed to fetch {what} from Maven Central; install it (apt-get install maven)"
        )
    return mvn


def copy_dependencies(
    mvn: str,
    pom: Path,
    build: Path,
    output: Path,
    what: str,
    on_line: Callable[[str], None],
    *,
    repository_layout: bool = False,
) -> None:
    """Copy ``pom``'s runtime dependencies from Maven Central (or ``~/.m2``) into ``output``, Maven working in
    ``build`` (``repository_layout``: in ``group/artifact/version`` folders, to tell artifacts apart by group)."""
    shutil.copyfile(pom, build / "pom.xml")
    # Not quiet (-q): Maven's "Downloaded from" lines are what tells the person the fetch is moving. Batch
    # mode (-B) writes them one line each, without progress bars or colours.
    command = [mvn, "-B", "-f", str(build / "pom.xml"), "dependency:copy-dependencies", "-DincludeScope=runtime"]
    if repository_layout:
        command.append("-Dmdep.useRepositoryLayout=true")
    run_tool_lines([*command, f"-DoutputDirectory={output}"], what, on_line, cwd=build)


def fetch_jars(runtime: Path, report: Report | None = None) -> Path:
    """Copies org.neo4j:neo4j and its runtime dependencies from Maven Central into runtime/lib, naming through
    ``report`` each jar downloaded (jars already in the local Maven repository are copied without a line)."""
    lib = runtime / "lib"
    stamp = runtime / "lib.stamp"
    want = fingerprint(POM.read_bytes())
    if lib.is_dir() and stamp.is_file() and stamp.read_text().strip() == want:
        return lib
    mvn = maven("Neo4j")
    say = report or (lambda line: None)
    say(
        f"fetching Neo4j {NEO4J_VERSION} from Maven Central with Maven (first use only: about 125 MB, "
        "a few minutes); each jar is named as it arrives"
    )
    jars = 0

    def on_line(line: str) -> None:
        nonlocal jars
        if (jar := downloaded_jar(line)) is not None:
            jars += 1
            say(f"  downloaded {jar}")

    runtime.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="fetch-", dir=runtime))
    try:
        copy_dependencies(mvn, POM, build, build / "lib", f"fetching Neo4j {NEO4J_VERSION} with Maven", on_line)
        if not any((build / "lib").glob(f"neo4j-{NEO4J_VERSION}.jar")):
            raise Neo4jServerError(f"Maven did not deliver neo4j-{NEO4J_VERSION}.jar")
        if lib.exists():
            shutil.rmtree(lib)
        (build / "lib").rename(lib)
        stamp.write_text(want + "\n")
        copied = len(list(lib.glob("*.jar")))
        say(f"Neo4j {NEO4J_VERSION} fetched: {copied} jars in {lib} ({jars} downloaded now, the others from ~/.m2)")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return lib


def argfile_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_launcher(runtime: Path, lib: Path, javac: str, java_major: int, report: Report | None = None) -> Path:
    """Compiles GraphsvcNeo4j.java into runtime/launcher.jar and writes runtime/jvm.args (the class path)."""
    jar = runtime / "launcher.jar"
    argfile = runtime / "jvm.args"
    stamp = runtime / "launcher.stamp"
    want = fingerprint(LAUNCHER_SRC.read_bytes(), (runtime / "lib.stamp").read_text(), str(java_major))
    if jar.is_file() and argfile.is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return argfile
    jars = sorted(str(p) for p in lib.glob("*.jar"))
    if report is not None:
        report("compiling graphsvc's Neo4j launcher (once)")
    with tempfile.TemporaryDirectory(prefix="javac-", dir=runtime) as tmp:
        classes = Path(tmp) / "classes"
        classes.mkdir()
        run_tool(
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
                str(LAUNCHER_SRC),
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
    argfile.write_text("-cp " + argfile_quote(classpath) + "\n")
    for old in runtime.glob("cds-*.jsa"):
        old.unlink()
    stamp.write_text(want + "\n")
    return argfile


def cds_archive(runtime: Path, java_major: int) -> Path:
    return runtime / f"cds-java{java_major}-{(runtime / 'launcher.stamp').read_text().strip()}.jsa"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def train_cds(runtime: Path, java: str, java_major: int, argfile: Path, report: Report | None = None) -> None:
    """One-off training run that records a CDS archive; optional (skipped on failure)."""
    archive = cds_archive(runtime, java_major)
    if archive.is_file() or (runtime / "cds.failed").is_file():
        return
    if report is not None:
        report("starting Neo4j once to record a class-data-sharing archive, which makes later starts faster (once)")
    scratch = Path(tempfile.mkdtemp(prefix="cds-training-", dir=runtime))
    tmp_archive = scratch / "archive.jsa"
    env = dict(os.environ, **{PASSWORD_ENV: "graphsvc-training-" + secrets.token_hex(8)})
    try:
        run_tool(
            [
                java,
                *JVM_OPTIONS,
                f"-XX:ArchiveClassesAtExit={tmp_archive}",
                "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off",
                f"@{argfile}",
                MAIN_CLASS,
                f"home={scratch / 'home'}",
                f"port={free_port()}",
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


def install(*, home: Path | str | None = None, report: Report | None = None) -> Path:
    """Fetches the pinned Neo4j (first use only), compiles the launcher, records the CDS archive; each step that
    runs says so through ``report``.

    Idempotent and cheap once done; returns the runtime directory.
    """
    home_dir = resolve_home(home)
    with locked(home_dir):
        return prepare(home_dir, report)[0]


def prepare(home: Path, report: Report | None = None) -> tuple[Path, str, int]:
    """(runtime dir, java, java major version)"""
    runtime = runtime_dir(home)
    java, javac, major = find_java()
    lib = fetch_jars(runtime, report)
    argfile = build_launcher(runtime, lib, javac, major, report)
    train_cds(runtime, java, major, argfile, report)
    return runtime, java, major
