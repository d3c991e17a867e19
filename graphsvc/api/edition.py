"""Editions: what the read endpoints are served from, one per data version, kept fresh by watching the store.

An :class:`Edition` is the store's snapshot (the whole district as a graph, from
:meth:`graphsvc.store.base.GraphStore.snapshot_with_version`) at one data version,
with whatever is fitted on it (the recommender) and a cache of analysis results
(:mod:`graphsvc.api.results`). "Snapshot" stays the store's word for the graph;
an edition is what this process publishes from it. :class:`EditionHolder` keeps
the current one:

* readers take the current reference and never wait for a rebuild; only before
  the first edition is in service does a reader wait for it, for a bounded time
  (:meth:`EditionHolder.first`), and then get :class:`~graphsvc.errors.ServiceStarting`;
* an HTTP read is never answered from data older than the store's version when
  it arrived (:meth:`EditionHolder.fresh`): it reads the store's data version (one
  read shared by every request that arrived before it began) and, when the store
  is newer, waits briefly for the new edition, then gets
  :class:`~graphsvc.errors.EditionStale` (503, ``Retry-After``). So a write
  acknowledged to anyone is never followed by an older answer from any process,
  the versions one process serves never go back, and an entity deleted from the
  store is gone from every analysis answer at once;
* the first edition is built by the watcher thread as soon as it starts, so the
  API answers (``/healthz``, ``/readyz``) while it is being built;
* a watcher thread reads the store's data version at most every
  ``freshness_ms`` (and at once after a write through this process); when it
  moved (a write by this process, another worker or a CLI load), the watcher
  builds the new edition in the background and swaps the reference in one
  assignment, so concurrent readers see the old edition or the new one, never
  a half-built one;
* the graph and the version are read together, so an edition shows the store
  at exactly its version, never part of a write;
* if the store is down, the old edition stays in service and the watcher tries
  again on its next round.

Several API processes over one store each hold their own edition; the store's
data version is what they share.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx

from graphsvc.api.memory import release_free_memory
from graphsvc.api.single_flight import SharedResults
from graphsvc.errors import EditionStale, ServiceStarting, StoreBusy, StoreUnavailable
from graphsvc.store.base import GraphStore

if TYPE_CHECKING:  # what an edition holds; its module imports this one
    from graphsvc.api.recommendations import RecommendationService

log = logging.getLogger(__name__)
T = TypeVar("T")

Fit = Callable[[nx.Graph, int], "RecommendationService | None"]
"""Builds what is precomputed for an edition (e.g. a fitted recommender) from its graph and data version."""
Warm = Callable[["Edition", Callable[[], bool]], None]
"""Fills an edition's caches in a background thread once it is in service; stops when told it is superseded."""

DEFAULT_FRESHNESS_MS = 500
FIRST_POLL_S = 0.05
"""How often a reader waiting for the first edition looks again (it holds no thread while it waits)."""
STALE_POLL_S = 0.01
"""How often a read waiting for a newer edition looks again (on the event loop, holding no thread)."""
RELEASE_AFTER_S = 1.0
"""How long after an edition is replaced the watcher hands freed memory back (:mod:`graphsvc.api.memory`): late
enough for the requests still reading the old one to end; at most once per this interval under a stream of writes."""
STARTING = "the service is starting: the first edition of the data is being built"


@dataclass
class Edition:
    """One immutable view of the district at one data version, and what was computed from it."""

    version: int
    graph: nx.Graph
    built_at: dt.datetime
    fitted: RecommendationService | None = None
    """The recommender fitted on the graph; ``None`` for a district with no community to recommend to."""
    _results: SharedResults[Hashable, Any] = field(
        default_factory=lambda: SharedResults[Hashable, Any](), repr=False, compare=False
    )

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value under ``key``, computed once per edition (the graph never changes) and shared.

        Requests asking for the same key at the same time wait for one computation
        (:class:`~graphsvc.api.single_flight.SharedResults`); one that raises is not kept.
        """
        value: T = self._results.get_or_compute(key, compute)
        return value


class EditionHolder:
    """Keeps the current :class:`Edition` of ``store`` and follows the store's data version."""

    def __init__(
        self,
        store: GraphStore,
        *,
        fit: Fit | None = None,
        warm: Warm | None = None,
        freshness_ms: int = DEFAULT_FRESHNESS_MS,
    ) -> None:
        self._store = store
        self._fit = fit
        self._warm = warm
        self.freshness_ms = freshness_ms
        self._current: Edition | None = None
        self._store_version: int | None = None  # the last version read from the store
        self._rebuild_lock = threading.Lock()
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self.last_error: str | None = None
        self._attempts_started = 0  # rebuilds begun (they run one at a time, so they end in this order)
        self._attempts_ended = 0
        self._failure: BaseException | None = None  # why the last rebuild that ended failed, if it did
        self._store_down: str | None = None  # why the store was last found unreachable, until it answers again
        self._probe: tuple[float, asyncio.AbstractEventLoop, asyncio.Future[int]] | None = None  # the latest look

    @property
    def loaded(self) -> Edition | None:
        """The edition in service, if any, without building one."""
        return self._current

    @property
    def store_down(self) -> str | None:
        """Why the store was last found unreachable (by the watcher or ``/readyz``), or ``None`` if it answered.

        While it is set, requests that need the store are answered 503 at once (:func:`graphsvc.api.deps.get_store`)
        rather than each waiting for the driver's connection timeout and retries; the watcher keeps trying every
        round and clears it as soon as the store answers.
        """
        return self._store_down

    def store_seen(self, error: StoreUnavailable | None) -> None:
        """Note what a look at the store found: ``error`` if it was unreachable, ``None`` if it answered.

        A busy store (another writer holds it) answers reads, so it is not noted as down.
        """
        if error is None:
            self._store_down = None
        elif not isinstance(error, StoreBusy):
            self._store_down = str(error)

    @property
    def stale(self) -> bool:
        """Whether the store was last seen at a version the edition in service does not show yet."""
        current = self._current
        return current is None or (self._store_version is not None and current.version != self._store_version)

    def current(self) -> Edition:
        """The edition to serve from; builds the first one (``StoreUnavailable`` if the store is down)."""
        edition = self._current
        return edition if edition is not None else self.rebuild()

    async def first(self, timeout: float) -> Edition:
        """The edition in service, waiting up to ``timeout`` seconds while the first one is being built.

        Asks the watcher to try at once. ``ServiceStarting`` when none is in service by then;
        ``StoreUnavailable`` at once when a build begun after this call failed because the store is down.
        Waits on the event loop without holding a thread (a start-up crowd does not fill the thread pool).
        """
        edition = self._current
        if edition is not None:
            return edition
        begun_before = self._attempts_started
        self._wake.set()
        deadline = time.monotonic() + timeout
        while True:
            edition = self._current
            if edition is not None:
                return edition
            failure = self._failure
            if self._attempts_ended > begun_before and failure is not None:
                if isinstance(failure, StoreUnavailable):
                    raise StoreUnavailable(str(failure))
                raise self.starting()
            if time.monotonic() >= deadline:
                raise self.starting()
            await asyncio.sleep(FIRST_POLL_S)

    async def store_version(self, arrived: float) -> int:
        """The store's data version, read after ``arrived`` (a ``time.monotonic()``): a read in progress that
        began at or after that moment is shared, otherwise a new one is begun (in a worker thread).

        Sharing keeps the cost at one small read per burst of requests, not one per request, without ever
        handing a request a version read before it arrived (which could predate a write acknowledged to its
        client).
        """
        loop = asyncio.get_running_loop()
        probe = self._probe
        if probe is None or probe[0] < arrived or probe[1] is not loop:
            started = time.monotonic()
            future = asyncio.ensure_future(asyncio.to_thread(self._store.data_version))
            self._probe = probe = (started, loop, future)
        return await asyncio.shield(probe[2])

    async def fresh(self, edition: Edition, *, arrived: float, wait: float) -> Edition:
        """``edition``, or a newer one, showing at least the store's data version read after ``arrived``.

        When the store is newer, asks the watcher to rebuild now and waits up to ``wait`` seconds for the new
        edition; then :class:`~graphsvc.errors.EditionStale`. While the store is unreachable the edition in
        service is served as it is (nothing newer can have been acknowledged by this store since).
        """
        if self._store_down is not None:
            return edition
        try:
            version = await self.store_version(arrived)
        except StoreUnavailable as error:
            self.store_seen(error)
            return edition
        if self._store_version is None or version > self._store_version:
            self._store_version = version
        current = self._current or edition
        if current.version >= version:
            return current if current.version > edition.version else edition
        self._wake.set()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            await asyncio.sleep(STALE_POLL_S)
            current = self._current or edition
            if current.version >= version:
                return current
        raise EditionStale(
            f"the store holds data version {version}, newer than version {current.version} which this process "
            "serves; the new edition is being built — retry shortly"
        )

    def starting(self) -> ServiceStarting:
        """What to answer while no edition is in service yet, saying so if the last attempt failed."""
        if self._failure is not None and not isinstance(self._failure, StoreUnavailable):
            return ServiceStarting(f"{STARTING}; the last attempt failed (see the server log) and is retried")
        return ServiceStarting(STARTING)

    def rebuild(self) -> Edition:
        """Build an edition of the store as it is now and put it in service (unless it shows that version)."""
        with self._rebuild_lock:
            self._attempts_started += 1
            try:
                edition = self._build()
            except BaseException as error:
                self._failure = error
                raise
            else:
                self._failure = None
            finally:
                self._attempts_ended += 1
            if edition is self._current:
                return edition
            with self._changed:
                self._current = edition  # the atomic swap readers see
                self._changed.notify_all()
            log.info(
                "edition of version %d built: %d nodes, %d edges",
                edition.version,
                edition.graph.number_of_nodes(),
                edition.graph.number_of_edges(),
            )
        if self._warm is not None:
            warm = self._warm
            threading.Thread(
                target=warm, args=(edition, lambda: self._current is edition), name="graphsvc-warm", daemon=True
            ).start()
        return edition

    def _build(self) -> Edition:
        """The edition in service if it shows the store's version, else a new one (not yet in service)."""
        try:
            version = self._store.data_version()
            self.store_seen(None)
            self._store_version = version
            current = self._current
            if current is not None and current.version == version:
                return current
            version, graph = self._store.snapshot_with_version()
        except StoreUnavailable as error:
            self.last_error = str(error)
            self.store_seen(error)
            raise
        fitted = self._fit(graph, version) if self._fit is not None else None
        self.last_error = None
        return Edition(version=version, graph=graph, built_at=dt.datetime.now(dt.UTC), fitted=fitted)

    def check(self) -> None:
        """Read the store's version and rebuild if it moved; the old edition stays if the store is down."""
        try:
            self.rebuild()
        except StoreUnavailable as error:
            log.warning("edition not refreshed (store unavailable): %s", error)

    # -- the watcher ----------------------------------------------------------
    def start_watching(self) -> None:
        """Start the background thread that builds the first edition at once, then follows the store's version."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch, name="graphsvc-freshness", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        seen = self._current
        replaced_at: float | None = None  # when an edition was first replaced since memory was last released
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.check()
            except Exception as error:  # the watcher outlives any one failed rebuild, whatever its cause
                if self._stop.is_set():
                    break  # the store was closed under a rebuild at shutdown
                self.last_error = str(error)
                log.exception("edition not refreshed: the rebuild failed")
            if self._current is not seen:
                seen = self._current
                replaced_at = replaced_at or time.monotonic()
            if replaced_at is not None and time.monotonic() - replaced_at >= RELEASE_AFTER_S:
                # The old edition's last readers and its warm-up thread have let it go by now.
                release_free_memory()
                replaced_at = None
            self._wake.wait(self.freshness_ms / 1000)

    def after_write(self) -> None:
        """Called after a write through this process: the watcher checks now (the caller does not wait)."""
        self._wake.set()

    def stop_watching(self, timeout: float | None = None) -> None:
        """Stop the watcher (at shutdown), waiting up to ``timeout`` for a rebuild in progress."""
        self._stop.set()
        self._wake.set()
        watcher = self._watcher
        if watcher is not None:
            watcher.join(timeout)

    def wait_for(self, version: int, timeout: float) -> bool:
        """Wait until the edition in service shows ``version`` (tests, and clients that must read their write)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._current is not None and self._current.version >= version, timeout
            )
