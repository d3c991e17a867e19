"""The ``graphsvc`` command: the Typer app, shared options and how errors are shown.

Commands live in the modules of this package, one per area, and register on
:data:`app`; each opens the configured store, calls the same functions the API
and notebooks call, and prints a table or (``--json``) one JSON object.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from graphsvc.analysis.core.rank_modes import rank_help  # light: --help reads the modes from it
from graphsvc.errors import (
    ConfigError,
    GraphsvcError,
    NotConfirmed,
    NotFound,
    Problem,
    StoreUnavailable,
    ValidationFailed,
)
from graphsvc.labels import num

if TYPE_CHECKING:  # the CLI starts at once: Rich, settings, stores and analyses are imported when used
    from rich.console import Console, ConsoleOptions, RenderResult
    from typer._click import Context, HelpFormatter  # Typer's own Click, which it does not export
    from typer.core import TyperOption

    from graphsvc.cli.terminal import PeopleConsole
    from graphsvc.settings import Settings
    from graphsvc.store import GraphStore


class CommandGroup(TyperGroup):
    """``graphsvc`` and its groups of commands (``neo4j``, ``render``): Click's plain help, listing whole summaries.

    The help is Click's plain text, not Typer's Rich panels: those import Rich's Markdown, syntax highlighting
    and tracebacks, most of the time ``--help`` took. Two things differ from plain Click:

    - Each command is listed with its whole summary (the first sentence of its help), wrapped to the terminal,
      as the panels showed it; Click would cut it at the line's end with "...".
    - An absent ``--help`` of a group reads as ``False``, not ``None``: Typer checks any value of a flag that
      is not a bool with a pydantic validator, and would import pydantic for every subcommand's ``--help``.

    Each run of the command line starts with no console: :func:`console` and :func:`err_console` make theirs
    on its first print, in its environment (terminal, ``COLUMNS``, ``NO_COLOR``), as a new process does.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        console.cache_clear()
        err_console.cache_clear()
        _store_named.cache_clear()
        return super().main(*args, **kwargs)

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, c.get_short_help_str(limit=sys.maxsize)) for name, c in commands if c and not c.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    name="graphsvc",
    help="Resource linkage in community governance: load a district, find gaps, suggest partners.",
    cls=CommandGroup,
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    """``--version``: the installed package's version (its metadata), then exit."""
    if not wanted:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        shown = version("graphsvc")
    except PackageNotFoundError:  # run from a checkout that was never installed
        shown = "(version unknown: not installed; pip install -e .)"
    sys.stdout.write(f"graphsvc {shown}\n")
    raise typer.Exit


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print graphsvc's version and exit."),
    ] = False,
) -> None:
    """The options of ``graphsvc`` itself, before a command (``--version``)."""


@functools.cache
def console() -> PeopleConsole:
    """The console of output for people on stdout (:class:`~graphsvc.cli.terminal.PeopleConsole`), made on first
    use so that ``--help`` imports no Rich; one per run of the command line (see :class:`CommandGroup`)."""
    from graphsvc.cli.terminal import PeopleConsole

    return PeopleConsole()


@functools.cache
def err_console() -> PeopleConsole:
    """The console of messages and progress bars on stderr, like :func:`console`."""
    from graphsvc.cli.terminal import PeopleConsole

    return PeopleConsole(stderr=True)


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="GRAPHSVC_STORE",
        show_envvar=True,
        help="Store URI: sqlite:///path/graph.db or bolt://user@host:7687. Default: a SQLite file in your data dir.",
    ),
]
# The sample district's size (graphsvc.sample.BASE_COMMUNITIES, which a test checks), kept here as a number so
# that --help does not import the sample generator and the domain model.
DEMO_COMMUNITIES = 130
JsonOption = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object instead of tables.")]


def _rank_mode(value: str) -> str:
    """``--rank`` checked as it is read, by the analyses' own check (its message names the choices)."""
    from graphsvc.analysis.core.rank_modes import check_rank

    try:
        return check_rank(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _policy(value: str | None) -> str | None:
    """``--policy`` checked as it is read, against the registry of profiles (its message names them)."""
    if value is None:
        return None
    from graphsvc.analysis.core.policy import PROFILES  # here, not above: --help imports no analysis

    if value.strip().lower() not in PROFILES:
        raise typer.BadParameter(f"no policy profile {value!r}: choose {' or '.join(PROFILES)}")
    return value.strip().lower()


PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        envvar="GRAPHSVC_POLICY",
        show_envvar=True,
        callback=_policy,
        help="Policy profile: hub (the five-society roles, street hub reach and district targets of the 1+10+N "
        "model) or generic (needs and coverage only). Default: generic for communities made from a directory's "
        "areas (HSDS), hub otherwise.",
    ),
]

RankOption = Annotated[
    str,
    typer.Option(
        "--rank",
        callback=_rank_mode,
        help=rank_help() + ".",
    ),
]

EXIT_CODES: list[tuple[type[GraphsvcError], int]] = [
    (ValidationFailed, 2),
    (ConfigError, 2),
    (NotConfirmed, 2),
    (NotFound, 4),
    (StoreUnavailable, 3),
    (GraphsvcError, 1),
]


def settings_with(store: str | None) -> Settings:
    """Settings from the environment, with ``--store`` taking precedence."""
    from graphsvc.settings import load_settings

    return load_settings(store=store) if store else load_settings()


def store_from(store: str | None, *, quiet: bool = False, settings: Settings | None = None) -> GraphStore:
    """Open the store the user named (``--store``/``GRAPHSVC_STORE``) or the embedded default, and name it
    (:func:`name_store`; ``quiet``: the command prints for programs, ``--json``). ``settings``: the command's own,
    when it has built them already (:func:`settings_with` ``store``), so they are read once."""
    from graphsvc.store import open_store

    graph_store = open_store(settings=settings or settings_with(store))
    name_store(graph_store.uri, quiet=quiet)
    return graph_store


def name_store(uri: str, *, quiet: bool = False) -> None:
    """Say which store the command uses, ``store: URI`` on stderr, once a run: only for a person at a terminal
    (stdout and stderr both terminals, and no ``--json``), so pipes, logs and programs never see it. ``uri`` is
    the store's own (:attr:`~graphsvc.store.base.GraphStore.uri`), which never holds a password."""
    if not quiet and console().is_terminal and err_console().is_terminal:
        _store_named(uri)


@functools.cache
def _store_named(uri: str) -> None:
    from rich.text import Text

    err_console().print(Text(f"store: {uri}"))


def print_json(value: Any) -> None:
    """Print one JSON object on stdout, UTF-8, Chinese kept readable."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, sort_keys=False, default=str) + "\n")


Cell = str | list[str]
"""A table cell: one text, or several lines (stacked on a terminal, joined with ``; `` off one)."""


def cell(value: Any) -> Cell:
    """A value as people read it: numbers rounded (:func:`graphsvc.labels.num`), booleans as 是 yes / 否 no,
    a list or tuple as several lines."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return num(value)
    if isinstance(value, list | tuple):
        return [str(cell(v)) for v in value]
    return str(value)


_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?%?|—")


class PeopleTable:
    """A table that never cuts a value: folded into its column on a terminal, one tab-separated line
    per row off a terminal (a pipe or a log, for ``cut`` and ``grep``; ``--json`` is for programs)."""

    def __init__(self, title: str, columns: list[str], rows: list[list[Any]]) -> None:
        self.title, self.columns = title, columns
        self.rows = [[cell(v) for v in row] for row in rows]
        # columns of numbers (and percentages) line up on the right, as in a spreadsheet
        self.numeric = [self._numeric([row[i] for row in self.rows]) for i in range(len(columns))]

    @staticmethod
    def _numeric(values: list[Cell]) -> bool:
        shown = [v for v in values if v]
        return bool(shown) and all(isinstance(v, str) and _NUMBER.fullmatch(v) for v in shown)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment
        from rich.table import Table
        from rich.text import Text

        if console.is_terminal:
            t = Table(title=Text(self.title), title_justify="left")
            for col, numeric in zip(self.columns, self.numeric, strict=True):
                t.add_column(Text(col), overflow="fold", justify="right" if numeric else "left")
            for row in self.rows:
                t.add_row(*(Text(v if isinstance(v, str) else "\n".join(v)) for v in row))
            yield t
            return
        lines = [one_line(self.title), "\t".join(self.columns)]
        lines += ["\t".join(one_line(v if isinstance(v, str) else "; ".join(v)) for v in row) for row in self.rows]
        for line in [*lines, ""]:  # a blank line after the table, as between tables on a terminal
            yield Segment(line)
            yield Segment.line()


def one_line(text: str) -> str:
    """``text`` on one line: tabs and line breaks (and other control characters) written as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> PeopleTable:
    """A table for ``console().print``: values rounded for people and never cut (see :class:`PeopleTable`)."""
    return PeopleTable(title, columns, rows)


def problem_line(problem: Problem) -> str:
    """One problem as compilers print them, ``path:line: field: reason``, so editors and CI can jump to it.

    >>> problem_line(Problem("in/links.csv", 4, "target", "no entity 'x'"))
    "in/links.csv:4: target: no entity 'x'"
    >>> problem_line(Problem("book.xlsx", None, None, "not a workbook", sheet="links"))
    'book.xlsx#links: not a workbook'
    """
    place = problem.file if problem.sheet is None else f"{problem.file}#{problem.sheet}"
    if problem.line is not None:
        place += f":{problem.line}"
    parts = [place, *([problem.field] if problem.field else []), problem.reason]
    return one_line(": ".join(parts))


def print_error(message: str) -> None:
    """``error: message`` on stderr, the message printed as written (never read as markup)."""
    from rich.text import Text

    err_console().print(Text.assemble(("error: ", "bold red"), message))


def report_error(error: GraphsvcError) -> NoReturn:
    """Show an error the user can act on, without a traceback, and exit with its code."""
    from rich.text import Text

    if isinstance(error, ValidationFailed):
        for problem in error.problems:
            err_console().print(Text(problem_line(problem)))
        if error.hint:  # before the count, which stays the last line
            err_console().print(Text(error.hint))
        count = len(error.problems)
        err_console().print(Text(f"{count} problem{'s' * (count != 1)} found; nothing was written.", style="bold red"))
    else:
        print_error(str(error))
    code = next(code for kind, code in EXIT_CODES if isinstance(error, kind))
    raise SystemExit(code)
