"""A first load at bulk speed: Neo4j's own offline importer (``neo4j-admin database import full``) run on the
database of the server graphsvc started.

The importer writes a database's store files directly, with no transactions, which is why it is fast; it needs
the database stopped. Neo4j Community cannot stop one database while the DBMS runs, so
:func:`import_database` stops the server of the home, sets the database's directories aside, runs the importer
(from the jars already fetched, in its own JVM), and starts the server again on the same port. If the importer
fails, what was set aside is put back before the server starts again: the database is as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.home import HOST, resolve_home, runtime_dir
from graphsvc.neo4j_server.install import Report, find_java
from graphsvc.neo4j_server.process import read_state
from graphsvc.neo4j_server.server import check_password, start, stop

DATABASE = "neo4j"
ADMIN_MAIN_CLASS = "org.neo4j.cli.AdminTool"
IMPORT_HEAP = "-Xmx1g"
"""The importer keeps most of its working memory off the heap; 1 GB is what it asked for at 20,000 communities."""


@dataclass
class ImportFiles:
    """The importer's input: CSV files with Neo4j's import headers (``id:ID(Group)``, ``:LABEL``, ``:START_ID``...)."""

    nodes: list[Path] = field(default_factory=list)
    relationships: list[Path] = field(default_factory=list)


def local_server_port(home: Path | str | None = None) -> int | None:
    """The Bolt port of the server of ``home`` if it runs, else ``None``."""
    state = read_state(resolve_home(home))
    return int(state["port"]) if state else None


def runs_gds(home: Path) -> bool:
    """Whether the running server of ``home`` was started with GDS."""
    state = read_state(home)
    return bool(state and state.get("gds"))


def import_arguments(files: ImportFiles, report_file: Path) -> list[str]:
    """The arguments of ``neo4j-admin database import full`` for ``files`` (strict: one bad row fails it all).

    >>> import_arguments(ImportFiles([Path("n.csv")], [Path("r.csv")]), Path("x.report"))[:4]
    ['database', 'import', 'full', '--nodes=n.csv']
    """
    return [
        "database",
        "import",
        "full",
        *(f"--nodes={p}" for p in files.nodes),
        *(f"--relationships={p}" for p in files.relationships),
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        "--bad-tolerance=0",
        "--ignore-empty-strings=true",
        f"--report-file={report_file}",
        "--overwrite-destination=true",
        DATABASE,
    ]


def run_importer(home: Path, files: ImportFiles, workdir: Path, timeout: float = 1800) -> str:
    """Run the offline importer on the database of ``home`` (the server must be stopped); its output."""
    java = find_java()[0]
    lib = runtime_dir(home) / "lib"
    jars = sorted(str(p) for p in lib.glob("*.jar"))
    if not jars:
        raise Neo4jServerError(f"no Neo4j jars in {lib}: run `graphsvc neo4j start` once first")
    cmd = [java, IMPORT_HEAP, "-XX:+UseG1GC", "-cp", os.pathsep.join(jars), ADMIN_MAIN_CLASS]
    cmd += import_arguments(files, workdir / "import.report")
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    try:
        proc = subprocess.run(
            cmd, cwd=workdir, env=env, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise Neo4jServerError(f"Neo4j's importer did not finish within {timeout:.0f} s") from e
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        raise Neo4jServerError(f"Neo4j's importer failed (exit {proc.returncode}):\n{tail}")
    return output


def import_database(
    files: ImportFiles,
    *,
    home: Path | str | None = None,
    port: int,
    password: str | None = None,
    workdir: Path,
    report: Report | None = None,
) -> None:
    """Replace the database of the server of ``home`` (running on 127.0.0.1:``port``) by the import of ``files``.

    The server is stopped, the database's store and transaction logs are set aside, the importer runs, and the
    server starts again. On any failure of the importer the set-aside directories are put back first, so the
    server comes back with the database it had; the error is then raised.
    """
    home_dir = resolve_home(home)
    pw = check_password(password)
    say = report or (lambda line: None)
    if local_server_port(home_dir) != port:
        raise Neo4jServerError(
            f"a bulk load needs the Neo4j server that `graphsvc neo4j start` runs on {HOST}:{port} with the home "
            f"{home_dir} (set GRAPHSVC_NEO4J_HOME to its home); no such server runs"
        )
    data = home_dir / "data"
    held = [data / "databases" / DATABASE, data / "transactions" / DATABASE]
    aside = data / f".before-bulk-{int(time.time())}"
    with_gds = runs_gds(home_dir)  # started again as it was
    say("stopping Neo4j for the offline import")
    stop(home=home_dir)
    failure: BaseException | None = None
    try:
        aside.mkdir(parents=True)
        for i, path in enumerate(held):
            if path.exists():
                path.rename(aside / str(i))
        say("importing with neo4j-admin database import full")
        run_importer(home_dir, files, workdir)
    except BaseException as e:  # put the database back, whatever stopped the import
        failure = e
        for i, path in enumerate(held):
            if (aside / str(i)).exists():
                shutil.rmtree(path, ignore_errors=True)
                (aside / str(i)).rename(path)
    finally:
        say("starting Neo4j again")
        start(home=home_dir, port=port, password=pw, with_gds=with_gds)
        shutil.rmtree(aside, ignore_errors=True)
    if failure is not None:
        raise failure
