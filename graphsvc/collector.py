"""The cyclic garbage collector paused while a large structure without cycles is built (one switch for all).

Used by the stores around a snapshot and by the recommender around its tables and a district's lists.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_pause_lock = threading.Lock()
_pauses = 0  # blocks inside paused() now, in any thread
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a snapshot is read and built, or the tables and lists
    made from it.

    A snapshot allocates millions of dicts, lists and tuples and leaves no garbage in cycles; with the
    collector on, its passes over everything alive took most of the snapshot's CPU at 20,000 communities
    (Neo4j: 7.0 s -> 2.3 s, SQLite: 8.5 s -> 5.1 s), and ~6 s of the recommendations for all its communities.
    Reference counting frees memory as usual meanwhile. Blocks may nest and overlap across threads (an app
    builds a snapshot while a request makes lists): the collector comes back on when the last one ends, if it
    was on when the first began.

    >>> with paused():
    ...     pass
    >>> gc.isenabled()
    True
    """
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
