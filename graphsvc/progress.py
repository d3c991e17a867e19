"""How a long step reports its progress: one hook shape for every layer, drawn as a bar by the CLI only.

A long function (fitting the link model, an evaluation, a plan, a load, a page) takes
``progress: Progress | None = None`` and calls it with ``(done, total)``: how many of its steps are done
out of how many. ``done`` never decreases, and the last call has ``done == total``. The total may be
revised while the work runs, once more of it is known (an evaluation learns how many communities it
ranks only after it has fitted its model). The functions know nothing of bars or terminals: the CLI
draws the bar (:mod:`graphsvc.cli.progress`), and programs pass nothing.

:class:`Steps` does the counting for a function, so each one only says "one more step done".

>>> seen = []
>>> steps = Steps(lambda done, total: seen.append((done, total)), total=2)
>>> steps.advance()
>>> steps.advance()
>>> seen
[(0, 2), (1, 2), (2, 2)]
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Progress", "Stages", "Steps"]

Progress = Callable[[int, int], None]
"""A progress hook, called with ``(done, total)``."""

Stages = Callable[[str], Progress]
"""A hook for work in stages (a load: reading files, checking rows, writing rows): called with the name of
each stage as it starts, it returns that stage's :data:`Progress` hook."""

REPORTS = 200
"""About this many calls of a hook per :class:`Steps` for steps that go by quickly (plus one per change of the
total, and one per :data:`INTERVAL` at most otherwise): a step counted per row of a large load does not cost a
call per row."""

INTERVAL = 0.1
"""Seconds: a step done this long after the last call is reported even if few steps went by (a slow step
among many quick ones still moves the bar)."""


class Steps:
    """The steps of one long function, reported to a :data:`Progress` hook (or to nothing).

    Parameters
    ----------
    progress : Progress or None
        The caller's hook; ``None`` makes every method a cheap no-op.
    total : int
        The steps expected (revise with :meth:`add`).

    Examples
    --------
    A part done by another function reports through :meth:`part` (its own ``(done, total)`` counts as
    that many steps here):

    >>> seen = []
    >>> steps = Steps(lambda done, total: seen.append((done, total)), total=1)
    >>> inner = steps.part()
    >>> inner(1, 3); inner(3, 3)
    >>> steps.advance()
    >>> seen
    [(0, 1), (1, 4), (3, 4), (4, 4)]

    A part whose size is known beforehand is counted from the start, so the total does not jump:

    >>> seen.clear()
    >>> steps = Steps(lambda done, total: seen.append((done, total)), total=1 + 3)
    >>> inner = steps.part(3)
    >>> inner(1, 3); inner(3, 3)
    >>> steps.advance()
    >>> seen
    [(0, 4), (1, 4), (3, 4), (4, 4)]
    """

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.done = 0
        self.total = max(0, total)
        self._reported = -1
        self._when = 0.0
        self._every = max(1, self.total // REPORTS)
        self._report(force=True)

    def _report(self, *, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if (
            force
            or self.done >= self.total
            or self.done - self._reported >= self._every
            or now - self._when >= INTERVAL
        ):
            self._reported, self._when = self.done, now
            self.progress(self.done, self.total)

    def advance(self, n: int = 1) -> None:
        """``n`` more steps done."""
        self.done += n
        self.total = max(self.total, self.done)
        self._report()

    def add(self, n: int) -> None:
        """``n`` more steps to do than expected (negative: fewer, never below those done)."""
        self.total = max(self.done, self.total + n)
        self._every = max(1, self.total // REPORTS)
        self._report(force=True)

    def part(self, expected: int = 0) -> Progress:
        """A hook for a part of the work done elsewhere: its ``(done, total)`` are added to this count's.

        ``expected``: the steps of the part already counted in the total (its own total replaces them).
        """
        start_done, start_total = self.done, max(self.done, self.total - expected)

        def hook(done: int, total: int) -> None:
            self.done = start_done + done
            self.total = start_total + max(total, done)
            self._every = max(1, self.total // REPORTS)
            self._report(force=True)

        return hook

    def finish(self) -> None:
        """All done (an early return, or steps that turned out not to be needed)."""
        self.total = self.done = max(self.done, self.total)
        self._report(force=True)
