"""The store in view: ``--version``, the store named on a terminal, ``store``, ``clear``, ``load --replace`` and
what ``load --dry-run`` says the store would hold."""

from __future__ import annotations

import importlib.metadata
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graphsvc.cli import store_view
from tests.cli.console import Run, graphsvc

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = {"TTY_COMPATIBLE": "1", "COLUMNS": "120", "NO_COLOR": "1"}
OFF_TTY = {"TTY_COMPATIBLE": "0", "COLUMNS": "120"}


def run(*args: str, store: Path, env: dict[str, str] | None = None, stdin: str | None = None) -> Run:
    return graphsvc(*args, env={**OFF_TTY, **(env or {}), "GRAPHSVC_STORE": f"sqlite://{store}"}, stdin=stdin)


def counts(store: Path) -> dict[str, object]:
    done = run("stats", "--json", store=store)
    assert done.code == 0, done.err
    parsed: dict[str, object] = json.loads(done.out)
    return parsed


@pytest.fixture(scope="module")
def districts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample district (130 communities) and a larger one of the same generator (141: most ids shared)."""
    folder = tmp_path_factory.mktemp("districts")
    found = {}
    for size in ("130", "141", "12"):
        found[size] = folder / size
        assert graphsvc("sample", str(found[size]), "-n", size).code == 0
    return found


@pytest.fixture
def loaded(districts: dict[str, Path], tmp_path: Path) -> Path:
    """A store holding the sample district."""
    db = tmp_path / "g.db"
    assert run("load", str(districts["130"]), store=db).code == 0
    return db


def test_version_is_the_installed_package_s() -> None:
    done = graphsvc("--version")
    assert (done.code, done.out) == (0, f"graphsvc {importlib.metadata.version('graphsvc')}\n")


@pytest.mark.parametrize(
    "command",
    [("stats",), ("gaps", "com-00001"), ("load", "--dry-run", "{dir}"), ("export", "{tmp}/g.graphml")],
    ids=lambda c: c[0],
)
def test_commands_name_their_store_on_a_terminal_only(
    command: tuple[str, ...], loaded: Path, districts: dict[str, Path], tmp_path: Path
) -> None:
    args = [a.format(dir=districts["12"], tmp=tmp_path) for a in command]
    named = f"store: sqlite://{loaded}\n"
    at_terminal = run(*args, store=loaded, env=TERMINAL)
    assert at_terminal.code == 0, at_terminal.err
    assert at_terminal.err.count(named) == 1  # once, on stderr
    assert "store:" not in at_terminal.out
    piped = run(*args, store=loaded)
    assert piped.code == 0 and "store:" not in piped.err + piped.out


@pytest.mark.parametrize("command", [("stats",), ("gaps", "com-00001"), ("load", "--dry-run", "{dir}")])
def test_json_output_never_names_the_store(command: tuple[str, ...], loaded: Path, districts: dict[str, Path]) -> None:
    done = run(*[a.format(dir=districts["12"]) for a in command], "--json", store=loaded, env=TERMINAL)
    assert done.code == 0, done.err
    assert "store:" not in done.err
    json.loads(done.out)  # stdout is the one JSON object


def test_a_neo4j_store_is_named_without_its_password() -> None:
    uri = "bolt://neo4j:s3cret-pw@127.0.0.1:1"  # nothing listens: the command fails after naming its store
    done = graphsvc("stats", env={**TERMINAL, "GRAPHSVC_STORE": uri, "GRAPHSVC_NEO4J_RETRY_SECONDS": "0"})
    assert done.code == 3
    assert "store: bolt://neo4j@127.0.0.1:1\n" in done.err
    assert "s3cret" not in done.err + done.out


def through_a_terminal(args: list[str], env: dict[str, str], *, stdout_too: bool) -> tuple[str, str]:
    """``graphsvc ARGS`` in a new process whose stderr (and, with ``stdout_too``, stdout) is a real terminal."""
    leader, follower = pty.openpty()
    stdout = follower if stdout_too else subprocess.PIPE
    clean = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "FORCE_COLOR", "NO_COLOR")}
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", *args],
        stdout=stdout,
        stderr=follower,
        env={**clean, **env, "PYTHONPATH": str(ROOT), "COLUMNS": "120"},
        timeout=120,
        check=False,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed and drained
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return (done.stdout or b"").decode(), seen.decode()


def test_at_a_real_terminal_the_store_is_named_unless_stdout_is_piped(loaded: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite://{loaded}"}
    _, terminal = through_a_terminal(["stats"], env, stdout_too=True)
    assert f"store: sqlite://{loaded}" in terminal
    piped, terminal = through_a_terminal(["stats"], env, stdout_too=False)
    assert "store:" not in terminal + piped
    assert piped.startswith("Store\n")  # the counts went down the pipe


def test_store_shows_uri_counts_and_version(loaded: Path) -> None:
    done = run("store", "--json", store=loaded)
    assert done.code == 0, done.err
    shown = json.loads(done.out)
    assert shown == {"store": f"sqlite://{loaded}", "kind": "sqlite", "data_version": 1, "counts": counts(loaded)}
    text = run("store", store=loaded).out
    assert text.startswith(f"Store: sqlite://{loaded} (sqlite), data version 1\n")
    assert "社区 community\t130" in text
    at_terminal = run("store", store=loaded, env=TERMINAL)
    assert "store:" not in at_terminal.err  # it names the store on stdout, once


def test_store_of_a_new_store_says_it_was_never_written(tmp_path: Path) -> None:
    done = run("store", store=tmp_path / "new.db")
    assert done.code == 0 and "data version 0: never written" in done.out
    assert "0 entities, 0 links, 0 needs, 0 offers" in done.out


def test_clear_off_a_terminal_needs_yes(loaded: Path) -> None:
    before = counts(loaded)
    refused = run("clear", store=loaded)
    assert refused.code == 2
    assert refused.err.startswith("error: clear deletes everything in") and "--yes" in refused.err
    assert counts(loaded) == before
    done = run("clear", "--yes", store=loaded)
    assert done.code == 0 and "Emptied" in done.out
    store = json.loads(run("store", "--json", store=loaded).out)
    assert sum(store["counts"]["entities"].values()) == 0 and store["counts"]["links"] == 0
    assert store["data_version"] == 2  # the clear is a write


def test_clear_asks_at_a_terminal(loaded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_view, "can_ask", lambda: True)
    before = counts(loaded)
    declined = run("clear", store=loaded, stdin="n\n")
    assert declined.code == 1
    assert "(474 entities, 868 links, 580 needs, 508 offers)? [y/N]" in declined.err
    assert "Nothing was deleted." in declined.err
    assert counts(loaded) == before
    assert run("clear", store=loaded, stdin="y\n").code == 0
    assert counts(loaded)["links"] == 0


def test_clear_at_a_real_terminal_asks(loaded: Path) -> None:
    """The question at a real terminal: stdin, stdout and stderr a pty, the answer typed."""
    leader, follower = pty.openpty()
    os.write(leader, b"n\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "FORCE_COLOR")}
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "clear"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**clean, "PYTHONPATH": str(ROOT), "GRAPHSVC_STORE": f"sqlite://{loaded}"},
        timeout=120,
        check=False,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert done.returncode == 1
    assert "[y/N]" in seen.decode() and "Nothing was deleted." in seen.decode()
    assert counts(loaded)["links"] == 868


def test_dry_run_shows_what_the_load_would_give(loaded: Path, districts: dict[str, Path], tmp_path: Path) -> None:
    before = counts(loaded)
    dry = json.loads(run("load", "--dry-run", "--json", str(districts["141"]), store=loaded).out)
    assert dry["before"] == before and counts(loaded) == before  # nothing written
    assert dry["after"]["entities"]["community"] == 141  # com-00001..130 are updates, 11 are new
    assert dry["after"] != before
    text = run("load", "--dry-run", str(districts["141"]), store=loaded).out
    assert "Store if the load were written" in text and "社区 community\t141" in text
    real = json.loads(run("load", "--json", str(districts["141"]), store=loaded).out)
    assert real["after"] == dry["after"] == counts(loaded)


def test_replace_holds_exactly_the_files(loaded: Path, districts: dict[str, Path], tmp_path: Path) -> None:
    alone = tmp_path / "alone.db"
    assert run("load", str(districts["12"]), store=alone).code == 0
    dry = json.loads(run("load", "--replace", "--dry-run", "--json", str(districts["12"]), store=loaded).out)
    assert dry["after"] == counts(alone) and dry["replace"] is True
    assert counts(loaded)["links"] == 868  # a dry run writes nothing
    done = run("load", "--replace", str(districts["12"]), store=loaded)
    assert done.code == 0, done.err
    assert "into the emptied store" in done.out
    assert counts(loaded) == counts(alone)
    assert run("gaps", "com-00013", store=loaded).code == 4  # the sample's community 13 is gone


def test_replace_refuses_files_naming_what_it_would_delete(loaded: Path, tmp_path: Path) -> None:
    before = counts(loaded)
    part = tmp_path / "part"
    part.mkdir()
    (part / "entities.csv").write_text("id,kind,name\nm-new,media,新媒体\n", "utf-8")
    (part / "links.csv").write_text("source,target,kind\nm-new,com-00001,publicity\n", "utf-8")
    assert run("load", "--dry-run", str(part), store=loaded).code == 0  # fine without --replace
    done = run("load", "--replace", str(part), store=loaded)
    assert done.code == 2
    assert "links.csv:2: target: no entity with id 'com-00001' in this load\n" in done.err
    assert counts(loaded) == before


def test_a_replace_with_a_bad_row_changes_nothing(loaded: Path, districts: dict[str, Path], tmp_path: Path) -> None:
    before = counts(loaded)
    bad = tmp_path / "bad"
    shutil.copytree(districts["12"], bad)
    with (bad / "needs.csv").open("a", encoding="utf-8") as needs:
        needs.write("com-00001,not_a_category,1\n")
    done = run("load", "--replace", str(bad), store=loaded)
    assert done.code == 2 and "nothing was written" in done.err
    assert counts(loaded) == before


def test_store_counts_again_when_a_write_lands_between(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counts ``store`` shows are those of the version it shows: a write between the two reads of the
    version makes it count again."""
    from graphsvc.model import Counts, Entity
    from graphsvc.store import SQLiteStore

    with SQLiteStore(tmp_path / "g.db") as graph_store:
        counted = graph_store.counts
        calls: list[int] = []

        def counts_while_another_writes() -> Counts:
            calls.append(1)
            found = counted()
            if len(calls) == 1:
                graph_store.upsert_entities([Entity(id="m1", kind="media", name="媒体")])
            return found

        monkeypatch.setattr(graph_store, "counts", counts_while_another_writes)
        version, shown = store_view.counts_with_version(graph_store)
    assert (version, shown.entities["media"], len(calls)) == (1, 1, 2)


def test_bulk_on_sqlite_loads_the_ordinary_way(districts: dict[str, Path], tmp_path: Path) -> None:
    ordinary, bulk = tmp_path / "ordinary.db", tmp_path / "bulk.db"
    assert run("load", str(districts["12"]), store=ordinary).code == 0
    done = run("load", "--bulk", "--json", str(districts["12"]), store=bulk)
    assert done.code == 0, done.err
    assert json.loads(done.out)["after"] == counts(ordinary) == counts(bulk)
