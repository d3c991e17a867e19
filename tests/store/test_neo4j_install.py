"""Installing the local Neo4j says what it does: a first start fetches ~125 MB for minutes, never in silence.

Maven is replaced by a script on ``PATH`` that writes what Maven writes and delivers two jars, so that the test
needs no network; the real fetch runs in ``scripts/test.sh`` (and the Neo4j tests) on a new machine.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.home import NEO4J_VERSION
from graphsvc.neo4j_server.install import fetch_jars

CENTRAL = "https://repo.maven.apache.org/maven2"
BOLT = f"{CENTRAL}/org/neo4j/neo4j-bolt/{NEO4J_VERSION}/neo4j-bolt-{NEO4J_VERSION}.jar"
FAKE_MVN = f"""#!/bin/sh
for arg in "$@"; do case "$arg" in -DoutputDirectory=*) out="${{arg#-DoutputDirectory=}}";; esac; done
echo "[INFO] Scanning for projects..."
echo "Downloading from central: {CENTRAL}/org/neo4j/neo4j/{NEO4J_VERSION}/neo4j-{NEO4J_VERSION}.pom"
echo "Downloaded from central: {CENTRAL}/org/neo4j/neo4j/{NEO4J_VERSION}/neo4j-{NEO4J_VERSION}.pom (12 kB at 95 kB/s)"
echo "Downloaded from central: {BOLT} (1.6 MB at 2.1 MB/s)"
[ -n "$FAIL" ] && {{ echo "[ERROR] Could not resolve dependencies"; exit 1; }}
mkdir -p "$out" && touch "$out/neo4j-{NEO4J_VERSION}.jar" "$out/neo4j-bolt-{NEO4J_VERSION}.jar"
"""


@pytest.fixture
def fake_mvn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mvn = bin_dir / "mvn"
    mvn.write_text(FAKE_MVN)
    mvn.chmod(mvn.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


@pytest.mark.usefixtures("fake_mvn")
def test_the_fetch_names_each_jar_as_it_arrives(tmp_path: Path) -> None:
    said: list[str] = []
    lib = fetch_jars(tmp_path / "runtime", said.append)
    assert sorted(p.name for p in lib.iterdir()) == [f"neo4j-{NEO4J_VERSION}.jar", f"neo4j-bolt-{NEO4J_VERSION}.jar"]
    assert said[0].startswith(f"fetching Neo4j {NEO4J_VERSION} from Maven Central")
    assert said[1:] == [
        f"  downloaded neo4j-bolt-{NEO4J_VERSION}.jar (1.6 MB)",
        f"Neo4j {NEO4J_VERSION} fetched: 2 jars in {lib} (1 downloaded now, the others from ~/.m2)",
    ]
    said.clear()
    assert fetch_jars(tmp_path / "runtime", said.append) == lib
    assert said == [], "a second start fetches nothing and says nothing"


@pytest.mark.usefixtures("fake_mvn")
def test_a_failed_fetch_shows_the_end_of_mavens_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "1")
    with pytest.raises(Neo4jServerError, match=r"(?s)failed \(exit 1\).*Could not resolve dependencies"):
        fetch_jars(tmp_path / "runtime")
