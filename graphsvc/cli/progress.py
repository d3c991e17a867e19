"""The progress bar of every long command: drawn on stderr on a terminal, nothing at all otherwise.

A command wraps its long step in :func:`progress_bar` and passes the :class:`Bar` it gets as the
``progress`` hook of the function doing the work (:mod:`graphsvc.progress`: called with
``(done, total)``). The bar is drawn only when stderr is a terminal and the command was not asked for
``--json``: scripts read stdout, and stderr off a terminal carries only messages, never bar characters.
Rich's progress module is imported only when a bar is drawn, so ``--help`` stays light.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from graphsvc.cli.app import err_console, store_from

if TYPE_CHECKING:
    import networkx as nx
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

    from graphsvc.store import GraphStore

__all__ = ["Bar", "progress_bar", "read_snapshot_with_version", "shows_progress", "snapshot_from"]

READING_STORE = "Reading the district from the store"


def shows_progress(*, quiet: bool = False) -> bool:
    """Whether a bar is drawn: stderr is a terminal that can redraw a line (not ``TERM=dumb``) and the output
    is not for programs (``quiet``: ``--json``)."""
    return not quiet and err_console().is_interactive


class Bar:
    """One bar, or a few stacked (one per :meth:`stage`): call it with ``(done, total)`` to move the last one.

    Off a terminal it is a no-op with the same methods, so commands never ask whether a bar is shown.
    """

    def __init__(self, rich: RichProgress | None, description: str | None) -> None:
        self._rich = rich
        self._task: TaskID | None = None
        if description is not None:
            self.stage(description)

    def __call__(self, done: int, total: int) -> None:
        if self._rich is not None and self._task is not None:
            self._rich.update(self._task, completed=done, total=total)

    def stage(self, description: str) -> Bar:
        """The next stage of the same command, on a new line below the finished ones; returns the bar, the
        stage's ``(done, total)`` hook (so ``bar.stage`` is a :data:`graphsvc.progress.Stages` hook)."""
        if self._rich is not None:
            self._task = self._rich.add_task(description, total=None)
        return self


@contextmanager
def progress_bar(description: str | None = None, *, quiet: bool = False) -> Iterator[Bar]:
    """A determinate progress bar on stderr while the block runs (gone when it ends); see the module doc.

    ``description``: the first line's; ``None`` for work in stages (each begun with :meth:`Bar.stage`).
    ``quiet``: the command prints for programs (``--json``), so no bar even on a terminal.
    """
    if not shows_progress(quiet=quiet):
        yield Bar(None, description)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns: list[Any] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console(), transient=True) as rich:
        yield Bar(rich, description)


def read_snapshot_with_version(graph_store: GraphStore, *, quiet: bool = False) -> tuple[int, nx.Graph]:
    """The store's snapshot graph and the data version it shows
    (:meth:`~graphsvc.store.base.GraphStore.snapshot_with_version`), read under a bar of one step: the stores
    report no progress of their own; the bar's clock shows the read is under way on a large district."""
    with progress_bar(READING_STORE, quiet=quiet) as bar:
        bar(0, 1)
        version, G = graph_store.snapshot_with_version()
        bar(1, 1)
    return version, G


def snapshot_from(store: str | None, *, quiet: bool = False) -> nx.Graph:
    """The snapshot graph of the store the user named (:func:`~graphsvc.cli.app.store_from`), see
    :func:`read_snapshot_with_version`."""
    with store_from(store, quiet=quiet) as graph_store:
        return read_snapshot_with_version(graph_store, quiet=quiet)[1]
