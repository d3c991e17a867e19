"""The in-memory analysis snapshot that read endpoints are served from.

A :class:`Snapshot` is the whole district as a graph, built once from
``store.snapshot()``, with whatever is fitted on it (the recommender) and a
cache of analysis results. :class:`SnapshotHolder` keeps the current one:

* readers take the current reference and never wait for a rebuild (only the
  very first build, when there is nothing to serve yet, is waited for);
* every write through the API marks the snapshot stale and rebuilds it under a
  lock, then swaps the reference in one assignment, so concurrent readers see
  either the old snapshot or the new one, never a half-built one;
* if the store is down during a rebuild, the old snapshot stays in service and
  the next read retries the rebuild in a background thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx

from graphsvc.errors import StoreUnavailable
from graphsvc.store.base import GraphStore

log = logging.getLogger(__name__)
T = TypeVar("T")

Fit = Callable[[nx.Graph], Any]
"""Builds what is precomputed for a snapshot (e.g. a fitted recommender) from its graph."""
Warm = Callable[["Snapshot", Callable[[], bool]], None]
"""Fills a snapshot's caches in a background thread once it is in service; stops when told it is superseded."""


@dataclass
class Snapshot:
    """One immutable view of the district and what was computed from it."""

    version: int
    graph: nx.Graph
    built_at: dt.datetime
    fitted: Any = None
    _cache: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value under ``key``, computing it once per snapshot (the graph never changes)."""
        try:
            value: T = self._cache[key]
        except KeyError:
            value = compute()
            self._cache[key] = value
        return value


class SnapshotHolder:
    """Keeps the current :class:`Snapshot` of ``store`` and rebuilds it after writes."""

    def __init__(self, store: GraphStore, *, fit: Fit | None = None, warm: Warm | None = None) -> None:
        self._store = store
        self._fit = fit
        self._warm = warm
        self._current: Snapshot | None = None
        self._wanted = 0
        self._rebuild_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._background: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def loaded(self) -> Snapshot | None:
        """The snapshot in service, if any, without building one."""
        return self._current

    @property
    def stale(self) -> bool:
        """Whether a write happened that the snapshot in service does not show yet."""
        current = self._current
        return current is None or current.version < self._wanted

    def current(self) -> Snapshot:
        """The snapshot to serve from; builds the first one (``StoreUnavailable`` if the store is down)."""
        snapshot = self._current
        if snapshot is None:
            return self.rebuild()
        if snapshot.version < self._wanted:
            self._rebuild_in_background()
        return snapshot

    def invalidate(self) -> None:
        """Mark the snapshot stale: the store has changed."""
        with self._state_lock:
            self._wanted += 1

    def rebuild(self) -> Snapshot:
        """Build a snapshot of the store as it is now and put it in service (unless one is current)."""
        with self._rebuild_lock:
            wanted = self._wanted
            current = self._current
            if current is not None and current.version >= wanted:
                return current
            try:
                graph = self._store.snapshot()
            except StoreUnavailable as error:
                self.last_error = str(error)
                raise
            fitted = self._fit(graph) if self._fit is not None else None
            snapshot = Snapshot(version=wanted, graph=graph, built_at=dt.datetime.now(dt.UTC), fitted=fitted)
            self._current = snapshot  # the atomic swap readers see
            self.last_error = None
            log.info("snapshot %d built: %d nodes, %d edges", wanted, graph.number_of_nodes(), graph.number_of_edges())
        if self._warm is not None:
            warm = self._warm
            threading.Thread(
                target=warm, args=(snapshot, lambda: self._current is snapshot), name="graphsvc-warm", daemon=True
            ).start()
        return snapshot

    def after_write(self) -> None:
        """Called after every write through the API: rebuild now, or keep the old one if the store is down."""
        self.invalidate()
        try:
            self.rebuild()
        except StoreUnavailable as error:
            log.warning("snapshot not rebuilt after a write (store unavailable): %s", error)

    def _rebuild_in_background(self) -> None:
        with self._state_lock:
            if self._background is not None and self._background.is_alive():
                return
            self._background = threading.Thread(target=self._quiet_rebuild, name="graphsvc-snapshot", daemon=True)
            self._background.start()

    def _quiet_rebuild(self) -> None:
        try:
            self.rebuild()
        except StoreUnavailable as error:
            log.warning("snapshot rebuild failed (store unavailable): %s", error)

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait for a background rebuild to end (tests and shutdown)."""
        thread = self._background
        if thread is not None:
            thread.join(timeout)
