"""The Rich console the command line prints with, imported on the first print (``--help`` loads no Rich).

Commands get theirs from :func:`graphsvc.cli.app.console` (stdout) and :func:`graphsvc.cli.app.err_console`
(stderr).
"""

from __future__ import annotations

from rich.console import Console


class PeopleConsole(Console):
    """A Rich console for output that carries data: names from uploaded files are printed as they are.

    Markup, emoji codes and highlighting are off, so ``[/x]`` or ``:smile:`` in a name is printed as
    written (never parsed, never a ``MarkupError``); style with :class:`rich.text.Text`. Off a
    terminal (a pipe, a CI log) long lines are not wrapped at a guessed width, so nothing is cut
    or broken for ``grep``; on a terminal Rich wraps at its width.
    """

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr, markup=False, emoji=False, highlight=False)

    @property
    def soft_wrap(self) -> bool:
        return not self.is_terminal

    @soft_wrap.setter
    def soft_wrap(self, value: bool) -> None:
        """Set by :class:`~rich.console.Console` at start; the terminal decides instead."""

    @property
    def is_interactive(self) -> bool:
        """Whether live displays (progress bars) may redraw lines: a terminal, not ``TERM=dumb``. Asked of the
        stream written to now, not the one there when the console was made (tests and embedders swap it)."""
        return self.is_terminal and not self.is_dumb_terminal

    @is_interactive.setter
    def is_interactive(self, value: bool) -> None:
        """Set by :class:`~rich.console.Console` at start; the terminal decides instead."""
