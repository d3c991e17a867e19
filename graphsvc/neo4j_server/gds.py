"""The Graph Data Science plugin, as an option of the server (``graphsvc neo4j start --with-gds``).

GDS (open source edition) comes from Maven Central like Neo4j itself: ``org.neo4j.gds:proc`` (the ``gds.*``
procedures) with ``org.neo4j.gds:opengds-extension`` (which registers them: ``proc`` alone registers none, and
without it the database refuses to start, "GraphDataScienceProcedures which is not a known injectable
component"). :func:`fetch_gds` copies them with their dependencies into ``runtime/<neo4j>/gds-<version>/``,
leaving out every jar Neo4j already ships (the same artifact; Neo4j's copy is the one loaded). The server then
runs with those jars on its class path and as its plugins folder, and with ``gds.*`` unrestricted
(:func:`gds_launch`). About 15 MB, fetched once per home.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.install import (
    RESOURCES,
    Report,
    argfile_quote,
    copy_dependencies,
    downloaded_jar,
    fingerprint,
    maven,
)

#: The GDS release for the pinned Neo4j (2.13.x is the line for Neo4j 5.26). Keep in sync with gds-pom.xml.
GDS_VERSION = "2.13.9"
GDS_POM = RESOURCES / "gds-pom.xml"
GDS_GROUP_PATH = "org/neo4j/gds/"
UNRESTRICTED = "gds.*"


def gds_dir(runtime: Path) -> Path:
    return runtime / f"gds-{GDS_VERSION}"


def shipped_artifacts(neo4j_lib: Path) -> set[str]:
    """The file names of Neo4j's own jars, for :func:`duplicates`."""
    return {p.name for p in neo4j_lib.glob("*.jar")}


def duplicates(jar: str, shipped: set[str]) -> bool:
    """Whether ``jar`` (its path in a Maven repository layout) is an artifact Neo4j ships already, in any version.

    >>> shipped = {"jackson-core-2.22.1.jar", "annotations-5.26.30.jar"}
    >>> duplicates("com/fasterxml/jackson/core/jackson-core/2.18.6/jackson-core-2.18.6.jar", shipped)
    True
    >>> duplicates("org/neo4j/gds/annotations/2.13.9/annotations-2.13.9.jar", shipped)  # GDS's own
    False
    """
    if jar.startswith(GDS_GROUP_PATH):
        return False
    artifact = jar.split("/")[-3]
    pattern = re.compile(re.escape(artifact) + r"-\d[^/]*\.jar")
    return any(pattern.fullmatch(name) for name in shipped)


def fetch_gds(runtime: Path, report: Report | None = None) -> Path:
    """GDS and its dependencies (less what Neo4j ships) in ``runtime/gds-<version>/lib``, fetched with Maven once."""
    lib = gds_dir(runtime) / "lib"
    stamp = gds_dir(runtime) / "lib.stamp"
    want = fingerprint(GDS_POM.read_bytes(), (runtime / "lib.stamp").read_text())
    if lib.is_dir() and stamp.is_file() and stamp.read_text().strip() == want:
        return lib
    mvn = maven("GDS")
    say = report or (lambda line: None)
    say(f"fetching Graph Data Science {GDS_VERSION} from Maven Central (first use only: about 15 MB)")

    def on_line(line: str) -> None:
        if (jar := downloaded_jar(line)) is not None:
            say(f"  downloaded {jar}")

    gds_dir(runtime).mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="fetch-", dir=gds_dir(runtime)))
    try:
        repo = build / "repo"
        copy_dependencies(
            mvn, GDS_POM, build, repo, f"fetching GDS {GDS_VERSION} with Maven", on_line, repository_layout=True
        )
        shipped = shipped_artifacts(runtime / "lib")
        kept = build / "lib"
        kept.mkdir()
        dropped = 0
        for jar in sorted(repo.rglob("*.jar")):
            if duplicates(jar.relative_to(repo).as_posix(), shipped):
                dropped += 1
            else:
                shutil.copyfile(jar, kept / jar.name)
        if not (kept / f"opengds-extension-{GDS_VERSION}.jar").is_file():
            raise Neo4jServerError(f"Maven did not deliver opengds-extension-{GDS_VERSION}.jar")
        if lib.exists():
            shutil.rmtree(lib)
        kept.rename(lib)
        stamp.write_text(want + "\n")
        jars = len(list(lib.glob("*.jar")))
        say(f"GDS {GDS_VERSION} fetched: {jars} jars in {lib} ({dropped} left out: Neo4j ships them)")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return lib


def gds_launch(runtime: Path, report: Report | None = None) -> tuple[Path, list[str]]:
    """The class-path argfile of a server with GDS (Neo4j's class path, then GDS's jars) and the launcher's extra
    arguments (the plugins folder, ``gds.*`` unrestricted); fetches GDS on first use."""
    lib = fetch_gds(runtime, report)
    argfile = gds_dir(runtime) / "jvm.args"
    base = (runtime / "jvm.args").read_text().strip()
    prefix = '-cp "'
    if not base.startswith(prefix):
        raise Neo4jServerError(f"unexpected class path file {runtime / 'jvm.args'}: run `graphsvc neo4j start` again")
    classpath = base[len(prefix) : -1].replace('\\"', '"').replace("\\\\", "\\")
    jars = [str(p) for p in sorted(lib.glob("*.jar"))]
    argfile.write_text("-cp " + argfile_quote(":".join([classpath, *jars])) + "\n")
    return argfile, [f"plugins={lib}", f"unrestricted={UNRESTRICTED}"]
