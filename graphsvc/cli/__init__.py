"""The ``graphsvc`` command line; see ``graphsvc --help``."""

from __future__ import annotations

from graphsvc.cli import data  # noqa: F401  (registers commands)
from graphsvc.cli import neo4j  # noqa: F401  (registers the neo4j commands)
from graphsvc.cli.app import app, report_error
from graphsvc.errors import GraphsvcError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``graphsvc`` console script."""
    try:
        app()
    except GraphsvcError as error:
        report_error(error)
