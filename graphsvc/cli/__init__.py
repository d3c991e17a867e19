"""The ``graphsvc`` command line; see ``graphsvc --help``."""

from __future__ import annotations

# Each module registers its commands on the shared app when imported.
from graphsvc.cli import analysis, data, neo4j, render, serve  # noqa: F401
from graphsvc.cli.app import app, report_error
from graphsvc.errors import GraphsvcError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``graphsvc`` console script."""
    try:
        app()
    except GraphsvcError as error:
        report_error(error)
