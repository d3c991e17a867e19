"""Keeping an API process's memory bounded while editions come and go (glibc's allocator, where it is used).

An edition is built in the watcher thread, answers are computed in the request thread pool and the warm-up
thread; CPython's small objects come from its own arenas, but dicts, lists and strings above 512 bytes, numpy
and scipy buffers come from ``malloc``. glibc gives each thread that contends for the heap its own arena (up to
8 per core), and memory freed in one arena is kept there for that arena's next requests rather than returned:
after every rebuild the old edition's pages stay resident, scattered over many arenas, and the resident set
climbs with each write before it levels off many rebuilds later (issue 24: 162 -> 284 MB over two minutes of
writes, no plateau within five). Two things bound it:

* :func:`limit_arenas` caps the arenas (``M_ARENA_MAX``, as the ``MALLOC_ARENA_MAX`` environment variable
  does; an operator's own setting of that variable is kept);
* :func:`release_free_memory` (``malloc_trim(0)``) hands freed pages back to the system; the watcher calls it
  once an old edition has been let go.

Both do nothing where the C library is not glibc (macOS, musl).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from functools import cache

log = logging.getLogger(__name__)

M_ARENA_MAX = -8
"""``mallopt`` parameter of glibc's ``<malloc.h>``."""
ARENAS = 2
"""Arenas per process: enough that the watcher, the warm-up and request threads rarely wait for each other."""


@cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018 - only glibc has it
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process, unless ``MALLOC_ARENA_MAX`` is set; whether it was capped."""
    libc = _glibc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Return the heap's free pages to the system (``malloc_trim(0)``); whether any were returned."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))
