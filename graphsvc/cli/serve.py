"""``graphsvc serve``: run the HTTP API on the configured store."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Annotated, Any

import typer

from graphsvc.cli.app import DEMO_COMMUNITIES, StoreOption, app, console, name_store, settings_with

if TYPE_CHECKING:
    from graphsvc.settings import Settings
    from graphsvc.store import GraphStore


APP_FACTORY = "graphsvc.api.app:create_app"
"""What every worker process calls (with no argument: settings from ``GRAPHSVC_*``) to build its app."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The one TCP socket every worker accepts on, made with protocol ``IPPROTO_TCP``.

    uvicorn's own (``uvicorn.run(..., workers=N)``) is made with protocol 0, and asyncio sets ``TCP_NODELAY``
    only on connections accepted from a socket whose protocol is TCP: without it, Nagle's algorithm and delayed
    ACKs hold every keep-alive response ~40 ms (measured here: 2 workers answered 340 req/s, one worker 1,400+).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def client_protocol(settings: Settings) -> Any:
    """The HTTP protocol every worker runs: uvicorn's h11 with a deadline on each request's headers and body
    (:mod:`graphsvc.api.slow_clients`)."""
    from graphsvc.api.slow_clients import ClientTimeouts, guarded_protocol

    return guarded_protocol(ClientTimeouts(settings.client_timeout_seconds, settings.client_min_bytes_per_second))


def run_workers(workers: int, *, host: str, port: int, log_level: str, http: Any) -> None:
    """Run ``workers`` uvicorn processes of :data:`APP_FACTORY` on one port, as ``uvicorn.run`` does."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config(
        APP_FACTORY,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=5,
        http=http,
    )
    with listening_socket(host, port) as sock:
        Multiprocess(config, sockets=[sock]).run()


def load_demo(store: GraphStore, *, communities: int, seed: int) -> bool:
    """Load the synthetic district into ``store`` if it is empty; return whether it did."""
    from graphsvc.sample import generate_district

    if sum(store.counts().entities.values()) > 0:
        return False
    store.upsert(generate_district(communities=communities, seed=seed))
    return True


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; 0.0.0.0 exposes the API to the network.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="First load the SYNTHETIC sample district, if the store is empty.")
    ] = False,
    communities: Annotated[
        int, typer.Option("--communities", "-n", min=1, help="Size of the --demo district.")
    ] = DEMO_COMMUNITIES,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the --demo district.")] = 0,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="API processes on one port (uvicorn workers); each follows the store's data version. "
            "Over SQLite they share the file (WAL); over Neo4j, the server.",
        ),
    ] = 1,
    store: StoreOption = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) on the configured store, in one process or --workers N."""
    import os

    import uvicorn

    from graphsvc.api.app import create_app
    from graphsvc.store import open_store

    settings = settings_with(store)
    graph_store = open_store(settings=settings)
    name_store(graph_store.uri)
    try:
        if demo:
            if load_demo(graph_store, communities=communities, seed=seed):
                console().print(
                    f"Loaded the synthetic sample district ({communities} communities) into {graph_store.uri}"
                )
            else:
                console().print(f"{graph_store.uri} is not empty: kept its data, --demo loaded nothing.")
        base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        console().print(f"API docs: {base}/docs")
        console().print(f"Try:      curl '{base}/communities/com-00001/recommendations?k=5'")
        if not settings.api_keys:
            console().print("Writes are disabled: set GRAPHSVC_API_KEYS to allow imports and deletes.")
        if workers == 1:
            uvicorn.run(
                create_app(settings, store=graph_store),
                host=host,
                port=port,
                log_level=log_level,
                http=client_protocol(settings),
            )
            return
        graph_store.close()
        # Each worker process builds its own app from the environment, so the store chosen here goes there.
        os.environ["GRAPHSVC_STORE"] = settings.store
        console().print(f"{workers} worker processes over {graph_store.uri}")
        run_workers(workers, host=host, port=port, log_level=log_level, http=client_protocol(settings))
    finally:
        graph_store.close()
