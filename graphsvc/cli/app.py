"""The ``graphsvc`` command: the Typer app, shared options and how errors are shown.

Commands live in the modules of this package, one per area, and register on
:data:`app`; each opens the configured store, calls the same functions the API
and notebooks call, and prints a table or (``--json``) one JSON object.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.errors import ConfigError, GraphsvcError, NotFound, StoreUnavailable, ValidationFailed

if TYPE_CHECKING:  # the CLI starts at once: settings, stores and analyses are imported by the commands
    from graphsvc.settings import Settings
    from graphsvc.store import GraphStore

app = typer.Typer(
    name="graphsvc",
    help="Resource linkage in community governance: load a district, find gaps, suggest partners.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

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

EXIT_CODES: list[tuple[type[GraphsvcError], int]] = [
    (ValidationFailed, 2),
    (ConfigError, 2),
    (NotFound, 4),
    (StoreUnavailable, 3),
    (GraphsvcError, 1),
]


def settings_with(store: str | None) -> Settings:
    """Settings from the environment, with ``--store`` taking precedence."""
    from graphsvc.settings import load_settings

    return load_settings(store=store) if store else load_settings()


def store_from(store: str | None) -> GraphStore:
    """Open the store the user named (``--store``/``GRAPHSVC_STORE``) or the embedded default."""
    from graphsvc.store import open_store

    return open_store(settings=settings_with(store))


def print_json(value: Any) -> None:
    """Print one JSON object on stdout, UTF-8, Chinese kept readable."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, sort_keys=False, default=str) + "\n")


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    return t


def report_error(error: GraphsvcError) -> NoReturn:
    """Show an error the user can act on, without a traceback, and exit with its code."""
    if isinstance(error, ValidationFailed):
        err_console.print(f"[bold red]{len(error.problems)} problem(s) found; nothing was written.[/]")
        rows = [[p.file + (f"#{p.sheet}" if p.sheet else ""), p.line, p.field, p.reason] for p in error.problems]
        err_console.print(table("Problems", ["file", "line", "field", "reason"], rows))
    else:
        err_console.print(f"[bold red]error:[/] {error}")
    code = next(code for kind, code in EXIT_CODES if isinstance(error, kind))
    raise SystemExit(code)
