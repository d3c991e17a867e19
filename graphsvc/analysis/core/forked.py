"""Work shared among processes forked from this one: a large district's lists computed on two CPUs.

A child forked after the set-up reads the parent's memory (each page it touches becomes its own), computes its
share as the parent would and sends its results back pickled; so the results are the same whatever the number
of processes. Used by :meth:`~graphsvc.analysis.recommender.recommend.Recommender.answer_all` where
:func:`default_workers`
finds a CPU and memory to spare.

>>> shared_among(np.arange(6), lambda part, steps: [int(x) * 10 for x in part], Steps(None, 6), workers=2)
[0, 10, 20, 30, 40, 50]
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from graphsvc.progress import Steps

T = TypeVar("T")

PARALLEL_ABOVE = 4_000
"""Communities from which :meth:`~graphsvc.analysis.recommender.recommend.Recommender.answer_all` shares a large
district's lists among processes."""


def default_workers(communities: int) -> int:
    """Processes the lists of ``communities`` communities are computed in: 2 where processes can be forked, there
    are more than :data:`PARALLEL_ABOVE` of them and the machine has a CPU to spare (two CPUs or more, and a load
    average leaving one idle) and memory to spare (more free than this process's peak); else 1. On a busy
    machine a second process only competes for the same CPU (and costs its share's pickling).

    >>> default_workers(100)
    1
    """
    if communities <= PARALLEL_ABOVE or not hasattr(os, "fork"):
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 if cpus >= 2 and os.getloadavg()[0] < cpus - 0.5 and _memory_to_spare() else 1


def _memory_to_spare() -> bool:
    """Whether the free memory exceeds this process's peak size: a forked child's pages become its own as it
    touches them, and a city's district must not run the machine out of memory for speed's sake."""
    try:
        import resource

        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    except (ImportError, ValueError, OSError):
        return False
    return bool(free > peak)


def shared_among(
    rows: np.ndarray, compute: Callable[[np.ndarray, Steps], list[T]], steps: Steps, workers: int
) -> list[T]:
    """``compute(rows, steps)`` with the rows shared among ``workers`` processes, results in the rows' order:
    ``workers - 1`` children forked from this process (they share its set-up, read-only) send their results back
    pickled; this process computes the first share, then reads theirs. A child that fails leaves its share to
    this process."""
    parts = np.array_split(rows, workers)
    children: list[tuple[int, int, np.ndarray]] = []
    try:
        for part in parts[1:]:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: its share, pickled into the pipe, then gone without any clean-up
                code = 1
                try:
                    os.close(read)
                    lists = compute(part, Steps(None, total=len(part)))
                    with os.fdopen(write, "wb") as sink:
                        pickle.dump(lists, sink, protocol=pickle.HIGHEST_PROTOCOL)
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            children.append((pid, read, part))
        answers = compute(parts[0], steps)
        while children:
            pid, read, part = children[0]
            source = os.fdopen(read, "rb")
            children[0] = (pid, -1, part)  # the pipe is the file's to close now
            try:
                with source:
                    theirs: list[T] | None = pickle.load(source)
            except (EOFError, pickle.UnpicklingError):
                theirs = None
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            if theirs is None or status != 0 or len(theirs) != len(part):
                theirs = compute(part, Steps(None, total=len(part)))
            answers.extend(theirs)
            steps.advance(len(part))
        return answers
    finally:
        for pid, read, _ in children:  # only if this process failed: stop the children it started
            if read >= 0:
                os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
