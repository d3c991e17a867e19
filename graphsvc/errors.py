"""One error root for graphsvc, with the specific errors callers can act on.

Every error graphsvc raises on purpose is a :class:`GraphsvcError`::

    GraphsvcError
    ├── ConfigError          a setting is missing or malformed
    ├── StoreUnavailable     the store cannot be reached now (busy, out of space, read-only, down)
    │   └── StoreLost        the store's file was deleted or replaced under the process that opened it
    ├── ServiceStarting      the API process is still building its first edition of the data
    │   └── EditionStale     the store holds newer data than the edition in service, which is being rebuilt
    ├── NotFound             an id that does not exist
    │   └── EntityNotFound
    ├── Conflict             well formed, but at odds with what is stored
    ├── ValidationFailed     input files had problems (each a :class:`Problem`)
    │   └── InputTooLarge
    ├── UnsupportedGraph     a graph of a shape the analyses do not handle
    ├── NotConfirmed         a command that deletes data was neither confirmed nor given --yes
    └── Neo4jServerError     the local Neo4j server could not be installed, started, reached or stopped

The CLI turns them into exit codes and messages, the API into problem+json
responses; nothing below those layers knows about either.

>>> issubclass(UnsupportedGraph, GraphsvcError), issubclass(Neo4jServerError, GraphsvcError)
(True, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class GraphsvcError(Exception):
    """Root of every error graphsvc raises on purpose."""


class ConfigError(GraphsvcError):
    """A setting is missing or malformed (for example an unknown store URI)."""


class StoreUnavailable(GraphsvcError):
    """The store cannot be reached now; the same call may work once it is back."""


class StoreBusy(StoreUnavailable):
    """Another writer holds the store longer than the bounded wait; the same call may work once it has finished."""


class StoreLost(StoreUnavailable):
    """The store this process opened is gone: its file was deleted, moved or replaced by another. Nothing is read
    from or written to it any more (what was written after that would be lost); a restart opens what is there now.
    """


class ServiceStarting(GraphsvcError):
    """The API process cannot answer yet: its first edition of the data is still being built; retry shortly."""


class EditionStale(ServiceStarting):
    """The store holds data newer than the edition this process serves, and the new edition was not ready within
    the brief wait a read allows (``GRAPHSVC_STALE_WAIT_MS``): answered 503 with ``Retry-After`` rather than with
    an answer from older data than the client may already have seen acknowledged."""


class NotFound(GraphsvcError):
    """Something asked for by id does not exist."""


class EntityNotFound(NotFound):
    """No entity has this id."""

    def __init__(self, entity_id: str) -> None:
        super().__init__(f"no entity with id {entity_id!r}")
        self.entity_id = entity_id


class Conflict(GraphsvcError):
    """The request is well formed but conflicts with what is stored."""


class UnsupportedGraph(GraphsvcError):
    """The graph is of a shape the analyses do not handle (directed, multigraph, self-loops, empty)."""


class NotConfirmed(GraphsvcError):
    """A command that deletes data was not confirmed: no ``--yes``, and no terminal to ask at."""


class Neo4jServerError(GraphsvcError):
    """The local Neo4j server (:mod:`graphsvc.neo4j_server`) could not be installed, started, reached or stopped."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str | None
    reason: str
    sheet: str | None = None

    def where(self) -> str:
        """``entities.csv:12 [kind]`` or ``district.xlsx#links:4 [target]``."""
        place = self.file if self.sheet is None else f"{self.file}#{self.sheet}"
        if self.line is not None:
            place += f":{self.line}"
        if self.field:
            place += f" [{self.field}]"
        return place

    def __str__(self) -> str:
        return f"{self.where()}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ValidationFailed(GraphsvcError):
    """Input files had problems; nothing was written. ``problems`` lists every one; ``hint``, when set, says what
    the user can do instead (the CLI and the API name their own way of skipping inconsistent rows)."""

    def __init__(self, problems: list[Problem], hint: str | None = None) -> None:
        self.problems = list(problems)
        self.hint = hint
        count = len(self.problems)
        head = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in input: {head}{more}")


class InputTooLarge(ValidationFailed):
    """An input file is over the configured size or row limit."""
