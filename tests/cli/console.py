"""Run ``graphsvc`` in this process exactly as the console script runs it, errors and exit codes included.

:func:`graphsvc.cli.main` turns a :class:`~graphsvc.errors.GraphsvcError` into a message on stderr and an
exit code; Typer's ``CliRunner.invoke`` on the bare app would hand back the exception instead.
:func:`graphsvc` calls ``main`` itself inside the runner's isolation (environment, stdin, stdout and
stderr swapped), so a test sees what a user sees without starting a new interpreter.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

from graphsvc.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def graphsvc(*args: str, env: Mapping[str, str] | None = None, check: bool = False, stdin: str | None = None) -> Run:
    """``graphsvc ARGS...`` in-process, ``env`` added to the environment, ``stdin`` its standard input; ``check``: fail
    unless it exits 0."""
    with CliRunner().isolation(input=stdin, env=dict(env or {})) as (out, err, _):
        try:
            main(args)
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        sys.stdout.flush()
        sys.stderr.flush()
        run = Run(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))
    if check and run.code != 0:
        raise AssertionError(f"graphsvc {' '.join(args)} exited {run.code}:\n{run.err}")
    return run
