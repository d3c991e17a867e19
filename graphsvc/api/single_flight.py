"""Results computed once per key and shared, even when many threads ask for the same key at the same time.

The first thread to ask for a key computes it; threads that ask while it is
being computed wait for that one computation instead of starting their own
("single flight"), so sixteen simultaneous first requests for the district plan
cost one plan. Different keys never wait for each other.

A computation that raises is not kept: the exception is raised to the thread
that computed and to every thread that waited on it, and the next request for
the key computes again (the store may be back, or the input was the cause).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Flight(Future[V]):
    """One computation in progress, and the thread that runs it."""

    def __init__(self) -> None:
        super().__init__()
        self.owner = threading.get_ident()


class SharedResults(Generic[K, V]):
    """Values by key, each computed once and shared; at most ``max_size`` are kept (``None``: no bound).

    A value computed when the bound is reached is still handed to everyone waiting for it, just not kept.
    ``on_keep`` is called (under the lock: keep it quick) with each key whose value is kept.

    >>> calls = []
    >>> results = SharedResults[str, int]()
    >>> results.get_or_compute("plan", lambda: calls.append(1) or 42)
    42
    >>> results.get_or_compute("plan", lambda: calls.append(1) or 0), len(calls)
    (42, 1)
    >>> results.get("other") is None, len(results)
    (True, 1)
    """

    def __init__(self, max_size: int | None = None, on_keep: Callable[[K], None] | None = None) -> None:
        self.max_size = max_size
        self._on_keep = on_keep
        self._values: dict[K, V] = {}
        self._flights: dict[K, _Flight[V]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: K) -> V | None:
        """The kept value of ``key``, or ``None``; never waits."""
        return self._values.get(key)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The value of ``key``: kept, being computed by another thread (then waited for), or computed now."""
        try:
            return self._values[key]
        except KeyError:
            pass
        with self._lock:
            if key in self._values:
                return self._values[key]
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = _Flight()
                computes = True
            else:
                computes = False
        if not computes:
            if flight.owner == threading.get_ident():
                raise RuntimeError(f"{key!r} asked for while computing itself")
            return flight.result()  # the one computation's value, or its exception
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._flights[key]
            flight.set_exception(error)
            raise
        with self._lock:
            if self.max_size is None or len(self._values) < self.max_size:
                self._values[key] = value
                if self._on_keep is not None:
                    self._on_keep(key)
            del self._flights[key]
        flight.set_result(value)
        return value
