"""The store in view: ``store`` shows which store a command uses and what it holds, ``clear`` empties it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.cli.app import JsonOption, StoreOption, app, console, err_console, print_json, store_from
from graphsvc.cli.data import counts_table
from graphsvc.errors import NotConfirmed, StoreBusy

if TYPE_CHECKING:
    from graphsvc.model import Counts
    from graphsvc.store import GraphStore

READ_ATTEMPTS = 5


def counts_with_version(graph_store: GraphStore) -> tuple[int, Counts]:
    """The store's counts and the data version they show: the version is read before and after the counts, and
    they are read again if a write landed in between (``StoreBusy`` if writes kept landing)."""
    for _ in range(READ_ATTEMPTS):
        version = graph_store.data_version()
        counts = graph_store.counts()
        if graph_store.data_version() == version:
            return version, counts
    raise StoreBusy(f"the data in {graph_store.uri} kept changing while it was counted; try again")


def in_words(counts: Counts) -> str:
    """``130 entities, 412 links, 390 needs, 301 offers``."""
    entities = sum(counts.entities.values())
    return f"{entities} entities, {counts.links} links, {counts.needs} needs, {counts.offers} offers"


@app.command("store")
def show_store(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Show the store commands use (--store, GRAPHSVC_STORE or the embedded default): its URI, counts, data version."""
    from graphsvc.store.schemes import scheme_of

    with store_from(store, quiet=True) as graph_store:  # this command names the store on stdout itself
        version, counts = counts_with_version(graph_store)
    scheme = scheme_of(graph_store.uri)
    kind = scheme.kind if scheme is not None else None
    if as_json:
        print_json({"store": graph_store.uri, "kind": kind, "data_version": version, "counts": counts.model_dump()})
        return
    written = f"data version {version}" if version else "data version 0: never written"
    console().print(f"Store: {graph_store.uri} ({kind}), {written}")
    counts_table(counts, title=f"Store: {in_words(counts)}")


def can_ask() -> bool:
    """Whether a person can be asked to confirm: stdin and stderr (where the question goes) are terminals."""
    return sys.stdin.isatty() and err_console().is_terminal


@app.command()
def clear(
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask: empty the store at once (needed off a terminal).")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Empty the store: every entity, link, need and offer, and the fitted model and lists kept from them."""
    with store_from(store) as graph_store:
        if not yes:
            if not can_ask():
                raise NotConfirmed(
                    f"clear deletes everything in {graph_store.uri}: give --yes to do it without a terminal to ask at"
                )
            question = f"Delete everything in {graph_store.uri} ({in_words(graph_store.counts())})?"
            if not typer.confirm(question, default=False, err=True):
                err_console().print("Nothing was deleted.")
                raise typer.Exit(1)
        graph_store.clear()
    console().print(f"Emptied {graph_store.uri}: it holds nothing now.")
