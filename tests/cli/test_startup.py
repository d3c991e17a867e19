"""The command line starts at once: help imports nothing heavy.

A fresh interpreter is the point here (the test process itself has imported everything), so this one test
runs a subprocess, which asks for the help of every command and then lists the heavy modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import typer.main
import typer.testing

from graphsvc.cli import app
from graphsvc.cli.app import DEMO_COMMUNITIES
from graphsvc.cli.neo4j import HOME_ENV
from graphsvc.sample import BASE_COMMUNITIES

HEAVY = ("scipy", "pandas", "networkx", "fastapi", "numpy", "pyvis", "uvicorn", "neo4j", "openpyxl")
# Rich (the consoles are made on the first print), what Typer's Rich help imported (Markdown, Pygments; the help is
# Click's plain text now), and pydantic, which Typer imports to check a flag's absent value
# (graphsvc.cli.app.CommandGroup): most of --help's time before.
HELP_FORMATTING = ("rich", "pygments", "markdown_it", "pydantic")

PROBE = """
import json, sys
import typer.main
import typer.testing
from graphsvc.cli import app

command = typer.main.get_command(app)
for args in json.loads(sys.argv[1]):
    try:
        command.main([*args, "--help"], prog_name="graphsvc", standalone_mode=False)
    except SystemExit:
        pass
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of the CLI, as the words that name it (the app itself is ``()``)."""
    paths = [prefix]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def test_help_of_every_command_imports_nothing_heavy() -> None:
    root = typer.main.get_command(app)
    paths = command_paths(root)
    assert ("plan",) in paths and ("render", "overview") in paths and ("neo4j", "start") in paths
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(paths), json.dumps(HEAVY + HELP_FORMATTING)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Usage" in result.stdout  # the help was really printed
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == []


def test_help_lists_every_command_with_its_whole_summary() -> None:
    runner = typer.testing.CliRunner()
    root = typer.main.get_command(app)
    assert hasattr(root, "commands")
    for name, group in [("", root), *((n, c) for n, c in root.commands.items() if hasattr(c, "commands"))]:
        output = runner.invoke(app, [*name.split(), "--help"], terminal_width=80).output
        assert "╭" not in output  # no Rich panel
        listing = output.split("\nCommands:\n")[1]
        assert "..." not in listing  # no summary cut short at the line's end
        words = " ".join(listing.split())
        for command_name, command in group.commands.items():
            summary = " ".join((command.help or "").split("\n\n")[0].split())  # our summaries are one sentence
            assert f"{command_name} {summary}" in words


def test_cli_defaults_match_the_modules_they_stand_for() -> None:
    from graphsvc import neo4j_server
    from graphsvc.viz import PageOptions

    assert DEMO_COMMUNITIES == BASE_COMMUNITIES
    assert HOME_ENV == neo4j_server.HOME_ENV
    help_text = " ".join(typer.testing.CliRunner().invoke(app, ["render", "overview", "--help"]).output.split())
    defaults = PageOptions()
    assert f"Default: {defaults.layout_threshold}." in help_text
    assert f"Default: {defaults.aggregate_threshold}." in help_text
    assert f"Default: {defaults.seed}." in help_text
