"""Where a local Neo4j server lives: the pinned version, the settings it reads, the home directory's layout.

Layout of the home directory (``$GRAPHSVC_NEO4J_HOME``, default ``~/.cache/graphsvc/neo4j``)::

    runtime/<version>/lib/*.jar       Neo4j and its dependencies (from Maven Central, ~125 MB)
    runtime/<version>/launcher.jar    the compiled launcher
    runtime/<version>/jvm.args        the class path, as a java @argfile
    runtime/<version>/cds-*.jsa       class-data-sharing archive (faster JVM start), per Java version
    data/                             the Neo4j store: kept across stop/start, removed by wipe()
    logs/                             Neo4j's debug.log etc., and graphsvc-neo4j.out (launcher output)
    neo4j.pid, server.json            the running server

>>> bolt_uri(7687)
'bolt://neo4j@127.0.0.1:7687'
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

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
#: The JVM's options, then ``$GRAPHSVC_NEO4J_JAVA_OPTS``. The parallel collector rather than G1 (Neo4j's own
#: default): a batched load allocates quickly and keeps each batch's state alive across young collections, and
#: with G1 those took a third of the server's CPU. A first load of 20,000 communities (the statements alone,
#: warm server, load 2.4-3.0): 12.0-14.2 s of server CPU with G1, 8.4-10.9 s with the parallel collector. Its
#: pauses stop every query for their length (tens of milliseconds for young collections of this 1 GB heap);
#: ``GRAPHSVC_NEO4J_JAVA_OPTS="-XX:-UseParallelGC -XX:+UseG1GC"`` brings G1 back.
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseParallelGC",
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


def default_home() -> Path:
    """``$GRAPHSVC_NEO4J_HOME`` or ``~/.cache/graphsvc/neo4j``."""
    env = os.environ.get(HOME_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "graphsvc" / "neo4j"


def resolve_home(home: Path | str | None) -> Path:
    return (Path(home).expanduser() if home is not None else default_home()).resolve()


def runtime_dir(home: Path) -> Path:
    return home / "runtime" / NEO4J_VERSION


def pid_file(home: Path) -> Path:
    return home / "neo4j.pid"


def state_file(home: Path) -> Path:
    return home / "server.json"


def out_log(home: Path) -> Path:
    return home / "logs" / "graphsvc-neo4j.out"


def bolt_uri(port: int) -> str:
    return f"bolt://neo4j@{HOST}:{port}"


@contextlib.contextmanager
def locked(home: Path) -> Iterator[None]:
    """Serialises install/start/stop/wipe on one home, across processes."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
