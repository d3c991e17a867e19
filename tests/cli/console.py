"""Run ``graphsvc`` in this process exactly as the console script runs it, errors and exit codes included.

:func:`graphsvc.cli.main` turns a :class:`~graphsvc.errors.GraphsvcError` into a message on stderr and an
exit code; Typer's ``CliRunner.invoke`` on the bare app would hand back the exception instead. :func:`run_cli`
calls ``main`` itself inside the runner's isolation (environment, stdin, stdout and stderr swapped), so a test
sees what a user at the terminal sees without starting a new interpreter.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from typer.testing import CliRunner

from graphsvc.cli import main
from graphsvc.cli.app import console, err_console

WIDTH = 200
"""Terminal width for the run: wide tables keep each problem on one line."""


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    stdout: str
    stderr: str


@contextmanager
def wide_consoles() -> Iterator[None]:
    widths = console.width, err_console.width
    console.width = err_console.width = WIDTH
    try:
        yield
    finally:
        console.width, err_console.width = widths


def run_cli(*args: str, env: Mapping[str, str] | None = None, check: bool = True) -> CliRun:
    """``graphsvc ARGS...`` in-process with ``env`` added to the environment; ``check``: fail unless it exits 0."""
    exit_code = 0
    with wide_consoles(), CliRunner().isolation(env=dict(env or {})) as (stdout, stderr, _):
        try:
            main(args)
        except SystemExit as done:
            exit_code = done.code if isinstance(done.code, int) else int(done.code is not None)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        run = CliRun(exit_code, stdout.getvalue().decode(), stderr.getvalue().decode())
    if check and run.exit_code != 0:
        raise AssertionError(f"graphsvc {' '.join(args)} exited {run.exit_code}:\n{run.stderr}")
    return run
