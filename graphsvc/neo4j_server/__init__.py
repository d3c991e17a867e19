"""Run a real Neo4j Community server on this machine, for development and tests.

Neo4j is not packaged for Debian, PyPI or npm, and there is no Docker here, so the DBMS comes from Maven
Central: the pinned ``org.neo4j:neo4j`` artifact (Neo4j Community, which includes the ``neo4j-bolt`` server)
is fetched with ``mvn dependency:copy-dependencies`` into a cache directory, and a small Java launcher
(``GraphsvcNeo4j.java``, compiled with ``javac`` on first use) starts it with the Bolt connector on
127.0.0.1 and authentication on. Clients use the official drivers exactly as against a packaged server.

One module per job: :mod:`~graphsvc.neo4j_server.home` (the pinned version, settings, the home directory's
layout), :mod:`~graphsvc.neo4j_server.install` (Java discovery, fetching Neo4j, the launcher),
:mod:`~graphsvc.neo4j_server.process` (process control), :mod:`~graphsvc.neo4j_server.server` (start, stop,
status, wipe), :mod:`~graphsvc.neo4j_server.bulk` (a first load through Neo4j's offline importer). The names
below are the whole public interface.

The password of user ``neo4j`` comes from ``$GRAPHSVC_NEO4J_PASSWORD`` (at least 8 characters).
"""

from graphsvc.errors import Neo4jServerError
from graphsvc.neo4j_server.bulk import ImportFiles, import_database, local_server_port
from graphsvc.neo4j_server.home import DEFAULT_PORT, HOME_ENV, JAVA_OPTS_ENV, NEO4J_VERSION, PASSWORD_ENV, default_home
from graphsvc.neo4j_server.install import install
from graphsvc.neo4j_server.server import start, status, stop, wipe

__all__ = [
    "DEFAULT_PORT",
    "HOME_ENV",
    "JAVA_OPTS_ENV",
    "NEO4J_VERSION",
    "PASSWORD_ENV",
    "ImportFiles",
    "Neo4jServerError",
    "default_home",
    "import_database",
    "install",
    "local_server_port",
    "start",
    "status",
    "stop",
    "wipe",
]
