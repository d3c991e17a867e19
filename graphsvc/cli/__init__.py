"""The ``graphsvc`` command line; see ``graphsvc --help``."""

from __future__ import annotations

from collections.abc import Sequence

# Each module registers its commands on the shared app when imported.
from graphsvc.cli import analysis, data, fair, neo4j, outcomes, render, report, serve, store_view, timeline  # noqa: F401
from graphsvc.cli.app import app, report_error
from graphsvc.errors import GraphsvcError

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``graphsvc`` console script: ``argv`` (default: the command line's), errors as exit codes."""
    try:
        app(args=None if argv is None else list(argv))
    except GraphsvcError as error:
        report_error(error)
