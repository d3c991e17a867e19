"""Installing the server: find a JDK, fetch the pinned Neo4j from Maven Central, compile the launcher.

Neo4j is not packaged for Debian, PyPI or npm, and there is no Docker here, so the DBMS comes from Maven
Central: the pinned ``org.neo4j:neo4j`` artifact is fetched with ``mvn dependency:copy-dependencies`` into
the home's runtime directory, and ``GraphsvcNeo4j.java`` is compiled with ``javac`` against it. A one-off
training run records a class-data-sharing archive so that later JVM starts are faster. Every step is
skipped when its stamp file says it is already done.
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
import zipfile
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


def fingerprint(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def fetch_jars(runtime: Path) -> Path:
    """Copies org.neo4j:neo4j and its runtime dependencies from Maven Central into runtime/lib."""
    lib = runtime / "lib"
    stamp = runtime / "lib.stamp"
    want = fingerprint(POM.read_bytes())
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
        shutil.copyfile(POM, build / "pom.xml")
        run_tool(
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


def argfile_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_launcher(runtime: Path, lib: Path, javac: str, java_major: int) -> Path:
    """Compiles GraphsvcNeo4j.java into runtime/launcher.jar and writes runtime/jvm.args (the class path)."""
    jar = runtime / "launcher.jar"
    argfile = runtime / "jvm.args"
    stamp = runtime / "launcher.stamp"
    want = fingerprint(LAUNCHER_SRC.read_bytes(), (runtime / "lib.stamp").read_text(), str(java_major))
    if jar.is_file() and argfile.is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return argfile
    jars = sorted(str(p) for p in lib.glob("*.jar"))
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


def train_cds(runtime: Path, java: str, java_major: int, argfile: Path) -> None:
    """One-off training run that records a CDS archive; optional (skipped on failure)."""
    archive = cds_archive(runtime, java_major)
    if archive.is_file() or (runtime / "cds.failed").is_file():
        return
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


def install(*, home: Path | str | None = None) -> Path:
    """Fetches the pinned Neo4j (first use only), compiles the launcher, records the CDS archive.

    Idempotent and cheap once done; returns the runtime directory.
    """
    home_dir = resolve_home(home)
    with locked(home_dir):
        return prepare(home_dir)[0]


def prepare(home: Path) -> tuple[Path, str, int]:
    """(runtime dir, java, java major version)"""
    runtime = runtime_dir(home)
    java, javac, major = find_java()
    lib = fetch_jars(runtime)
    argfile = build_launcher(runtime, lib, javac, major)
    train_cds(runtime, java, major, argfile)
    return runtime, java, major
