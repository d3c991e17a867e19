"""The one registry of store URI schemes: which URIs name which store, and how each is opened.

``settings`` checks ``GRAPHSVC_STORE`` against it and :func:`graphsvc.store.open_store` opens through it, so
a new kind of store is one entry here. Stores are imported only when one is opened, by the name of the
class method that opens one (``module:Class.method``, as entry points name code): this module imports no
store, so ``settings`` can check URIs against it without an import circle.

>>> scheme_of("bolt://neo4j@127.0.0.1:7687").kind, scheme_of("sqlite:///tmp/g.db").kind, scheme_of("mysql://x")
('neo4j', 'sqlite', None)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from graphsvc.settings import Settings
    from graphsvc.store.base import GraphStore


@dataclass(frozen=True)
class StoreScheme:
    """One kind of store: the URI prefixes that name it, an example, and the class method that opens one
    (``module:Class.method``, called with the URI and ``settings=``)."""

    kind: str
    prefixes: tuple[str, ...]
    example: str
    opener: str

    def open(self, uri: str, settings: Settings) -> GraphStore:
        """Open the store ``uri`` names (its module imported now, not before)."""
        module, _, path = self.opener.partition(":")
        target: object = importlib.import_module(module)
        for part in path.split("."):
            target = getattr(target, part)
        opener = cast("Callable[..., GraphStore]", target)
        return opener(uri, settings=settings)


SCHEMES: tuple[StoreScheme, ...] = (
    StoreScheme("sqlite", ("sqlite:",), "sqlite:///path/graph.db", "graphsvc.store.sqlite:SQLiteStore.from_uri"),
    StoreScheme(
        "neo4j",
        ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://"),
        "bolt://user@host:7687",
        "graphsvc.store.neo4j:Neo4jStore.from_uri",
    ),
)


def scheme_of(uri: str) -> StoreScheme | None:
    """The scheme whose prefix ``uri`` starts with, if any."""
    uri = uri.strip()
    return next((s for s in SCHEMES if uri.startswith(s.prefixes)), None)


def unknown_store_message(uri: str) -> str:
    """What to say about a URI no scheme names."""
    return f"unknown store URI {uri!r}: use " + " or ".join(s.example for s in SCHEMES)
