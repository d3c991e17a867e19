"""A first load at bulk speed: Neo4j's own offline importer (``neo4j-admin database import full``) run on the
database of the server graphsvc started.

The importer writes a database's store files directly, with no transactions, which is why it is fast; it needs
the database stopped. Neo4j Community cannot stop one database while the DBMS runs, so
:func:`import_database` stops the server of the home, sets the database's directories aside, and starts the
server again on the same port, its launcher running the importer first (from the jars already fetched, in the
server's own JVM: no second JVM to start). If the importer fails, what was set aside is put back and the
server started again as it was: the database is as it was. A server started by this version's launcher does all
of it in its running JVM instead (its DBMS shut down and built again, the JVM kept: no start, and the code
already compiled stays so), asked through a file in ``data/`` (:data:`REQUEST_FILE`).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.home import HOST, locked, out_log, resolve_home
from graphsvc.neo4j_server.install import Report
from graphsvc.neo4j_server.process import bolt_check, log_tail, pid_alive, read_state
from graphsvc.neo4j_server.server import check_password, start, stop

DATABASE = "neo4j"
REQUEST_FILE = "graphsvc-import.request"
"""In ``data/``: a bulk load asked of the running launcher (the path of the importer's arguments file)."""
RESULT_FILE = "graphsvc-import.result"
"""In ``data/``: the importer's exit code, written by the launcher once its DBMS is built again."""


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

    The server is stopped, the database's store and transaction logs are set aside, and the server starts again,
    running the importer first. If that start fails (the importer refused a row, or anything else), the
    set-aside directories are put back and the server started again with the database it had; the error is
    then raised. A server whose launcher serves imports (``"reimport"`` in its state) does the same in its running
    JVM, without a stop and a start (:func:`_import_in_place`).
    """
    home_dir = resolve_home(home)
    pw = check_password(password)
    say = report or (lambda line: None)
    if local_server_port(home_dir) != port:
        raise Neo4jServerError(
            f"a bulk load needs the Neo4j server that `graphsvc neo4j start` runs on {HOST}:{port} with the home "
            f"{home_dir} (set GRAPHSVC_NEO4J_HOME to its home); no such server runs"
        )
    arguments = workdir / "import.args"
    arguments.write_text("\n".join(import_arguments(files, workdir / "import.report")) + "\n", encoding="utf-8")
    state = read_state(home_dir)
    if state is not None and state.get("reimport"):
        say("importing with neo4j-admin database import full in the running server's JVM")
        _import_in_place(home_dir, int(state["pid"]), port, pw, arguments)
        return
    data = home_dir / "data"
    held = [data / "databases" / DATABASE, data / "transactions" / DATABASE]
    aside = data / f".before-bulk-{int(time.time())}"
    with_gds = runs_gds(home_dir)  # started again as it was
    say("stopping Neo4j for the offline import")
    stop(home=home_dir)
    aside.mkdir(parents=True)
    try:
        for i, path in enumerate(held):
            if path.exists():
                path.rename(aside / str(i))
        say("importing with neo4j-admin database import full, then starting Neo4j again")
        start(home=home_dir, port=port, password=pw, with_gds=with_gds, import_file=arguments)
    except BaseException:  # put the database back, whatever stopped the import, and start it as it was
        for i, path in enumerate(held):
            if (aside / str(i)).exists():
                shutil.rmtree(path, ignore_errors=True)
                (aside / str(i)).rename(path)
        say("the import failed: the database is put back; starting Neo4j again")
        start(home=home_dir, port=port, password=pw, with_gds=with_gds)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _import_in_place(home: Path, pid: int, port: int, password: str, arguments: Path) -> None:
    """Ask the running launcher (pid ``pid``) to import ``arguments`` in its own JVM, kept warm: it shuts its DBMS
    down, imports with the database set aside (put back if the importer fails) and builds the DBMS again (see
    ``GraphsvcNeo4j.java``). Raises :class:`Neo4jServerError` if the importer failed or the server exited."""
    data = home / "data"
    request, result = data / REQUEST_FILE, data / RESULT_FILE
    with locked(home):
        result.unlink(missing_ok=True)
        pending = request.with_name(request.name + ".tmp")
        pending.write_text(f"{arguments}\n", encoding="utf-8")
        os.replace(pending, request)
        while not result.is_file():
            if not pid_alive(pid):
                request.unlink(missing_ok=True)
                _put_back(data)
                raise Neo4jServerError(
                    "Neo4j exited during the import; the database is put back as it was: start it again with "
                    f"`graphsvc neo4j start`. {out_log(home)}:\n{log_tail(home)}"
                )
            time.sleep(0.05)
        code = int(result.read_text().strip() or "1")
        result.unlink(missing_ok=True)
    if code != 0:
        raise Neo4jServerError(
            f"the import failed (exit code {code}); the database is as it was; {out_log(home)}:\n{log_tail(home)}"
        )
    bolt_check(port, password)


def _put_back(data: Path) -> None:
    """Put back a database the launcher set aside for an import (``data/.before-bulk-*``) if its JVM died before
    it could: the store and transaction logs as they were before the import."""
    held = [data / "databases" / DATABASE, data / "transactions" / DATABASE]
    for aside in sorted(data.glob(".before-bulk-*"), reverse=True)[:1]:
        for i, path in enumerate(held):
            if (aside / str(i)).exists():
                shutil.rmtree(path, ignore_errors=True)
                (aside / str(i)).rename(path)
        shutil.rmtree(aside, ignore_errors=True)
