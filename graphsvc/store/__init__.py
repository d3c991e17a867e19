"""Where the district is kept: one interface, chosen by a URI.

``open_store()`` with no argument opens the embedded default (a SQLite file in
the user's data directory); ``sqlite:///path/graph.db`` names another file and
``bolt://user@host:7687`` (or ``neo4j://...``) a Neo4j server.
"""

from __future__ import annotations

from graphsvc.errors import ConfigError
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore
from graphsvc.store.schemes import scheme_of, unknown_store_message
from graphsvc.store.sqlite import SQLiteStore

__all__ = ["GraphStore", "SQLiteStore", "open_store"]


def open_store(uri: str | None = None, *, settings: Settings | None = None) -> GraphStore:
    """Open the store named by ``uri``, else by ``settings.store`` (``GRAPHSVC_STORE``).

    Opening does no I/O; the first call that needs the store connects.

    >>> open_store("sqlite://:memory:").uri
    'sqlite://:memory:'
    """
    settings = settings or Settings()
    uri = (uri or settings.store).strip()
    scheme = scheme_of(uri)
    if scheme is None:
        raise ConfigError(unknown_store_message(uri))
    return scheme.open(uri, settings)
