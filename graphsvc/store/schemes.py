"""The one registry of store URI schemes: which URIs name which store, and how each is opened.

``settings`` checks ``GRAPHSVC_STORE`` against it and :func:`graphsvc.store.open_store` opens through it, so
a new kind of store is one entry here. Stores are imported only when one is opened.

>>> scheme_of("bolt://neo4j@127.0.0.1:7687").kind, scheme_of("sqlite:///tmp/g.db").kind, scheme_of("mysql://x")
('neo4j', 'sqlite', None)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphsvc.errors import ConfigError

if TYPE_CHECKING:
    from graphsvc.settings import Settings
    from graphsvc.store.base import GraphStore


@dataclass(frozen=True)
class StoreScheme:
    """One kind of store: the URI prefixes that name it, an example, and how to open one."""

    kind: str
    prefixes: tuple[str, ...]
    example: str
    open: Callable[[str, Settings], GraphStore]


def _open_sqlite(uri: str, settings: Settings) -> GraphStore:
    from graphsvc.store.sqlite import SQLiteStore

    path = uri.removeprefix("sqlite:").removeprefix("//")
    if not path:
        raise ConfigError(f"store URI {uri!r} names no file: use sqlite:///path/graph.db")
    return SQLiteStore(path, busy_seconds=settings.store_busy_seconds)


def _open_neo4j(uri: str, settings: Settings) -> GraphStore:
    from graphsvc.store.neo4j import Neo4jStore

    return Neo4jStore.from_uri(uri, settings=settings)


SCHEMES: tuple[StoreScheme, ...] = (
    StoreScheme("sqlite", ("sqlite:",), "sqlite:///path/graph.db", _open_sqlite),
    StoreScheme(
        "neo4j",
        ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://"),
        "bolt://user@host:7687",
        _open_neo4j,
    ),
)


def scheme_of(uri: str) -> StoreScheme | None:
    """The scheme whose prefix ``uri`` starts with, if any."""
    uri = uri.strip()
    return next((s for s in SCHEMES if uri.startswith(s.prefixes)), None)


def unknown_store_message(uri: str) -> str:
    """What to say about a URI no scheme names."""
    return f"unknown store URI {uri!r}: use " + " or ".join(s.example for s in SCHEMES)
