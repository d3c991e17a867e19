"""``graphsvc neo4j start|stop|status``: a real Neo4j Community server on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphsvc.cli.app import CommandGroup, JsonOption, app, console, err_console, print_error, print_json
from graphsvc.errors import Neo4jServerError

neo4j_app = typer.Typer(
    cls=CommandGroup,
    help="Run a local Neo4j Community server (fetched from Maven Central on first use) for graphsvc's Neo4j store.",
    no_args_is_help=True,
)
app.add_typer(neo4j_app, name="neo4j")

# graphsvc.neo4j_server.HOME_ENV (a test checks it), kept here as a name so that --help does not import the server
# control (each command imports it).
HOME_ENV = "GRAPHSVC_NEO4J_HOME"
HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar=HOME_ENV,
        show_envvar=True,
        help="Where the jars, the database and the logs live. Default: ~/.cache/graphsvc/neo4j.",
    ),
]


def _say(line: str) -> None:
    """What installing the server is doing (a first start fetches Neo4j for minutes), on stderr."""
    err_console().print(line)


def _fail(error: Neo4jServerError) -> None:
    print_error(str(error))
    raise typer.Exit(1)


@neo4j_app.command()
def start(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Bolt port on 127.0.0.1.")] = 7687,
    home: HomeOption = None,
    wipe: Annotated[bool, typer.Option("--wipe", help="Delete the database first (the server must be stopped).")] = (
        False
    ),
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for Bolt to answer.")] = 180,
    with_gds: Annotated[
        bool,
        typer.Option(
            "--with-gds",
            help="With Neo4j's Graph Data Science plugin (gds.* procedures; fetched from Maven Central on first "
            "use, about 15 MB).",
        ),
    ] = False,
) -> None:
    """Start Neo4j on 127.0.0.1 with authentication on (password: GRAPHSVC_NEO4J_PASSWORD); print its store URI last."""
    from graphsvc import neo4j_server

    try:
        if wipe:
            neo4j_server.wipe(home=home)
        uri = neo4j_server.start(home=home, port=port, timeout=timeout, report=_say, with_gds=with_gds)
    except Neo4jServerError as error:
        _fail(error)
    with_plugin = " with Graph Data Science (gds.* procedures)" if with_gds else ""
    err_console().print(
        f"Neo4j {neo4j_server.NEO4J_VERSION} is running{with_plugin}. Use it with: GRAPHSVC_STORE={uri}"
    )
    console().print(uri)


@neo4j_app.command()
def stop(home: HomeOption = None) -> None:
    """Stop the server cleanly."""
    from graphsvc import neo4j_server

    try:
        stopped = neo4j_server.stop(home=home)
    except Neo4jServerError as error:
        _fail(error)
    console().print("Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command()
def status(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Say whether the server runs, and where."""
    from graphsvc import neo4j_server

    state = neo4j_server.status(home=home)
    if as_json:
        print_json(state)
    elif state["running"]:
        console().print(f"Neo4j is running (pid {state['pid']}): {state['uri']}")
    else:
        console().print("Neo4j is not running.")
        raise typer.Exit(3)
