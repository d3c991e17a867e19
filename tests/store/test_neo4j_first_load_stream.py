"""A large first load into an empty Neo4j store, written while it is still checked (``StreamedFirstLoad``)."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.errors import ValidationFailed
from graphsvc.graph import build_graph
from graphsvc.loaders import load_paths, read_dataset, write_csv
from graphsvc.loaders import validate as validate_module
from graphsvc.model import Counts, Dataset, Entity
from graphsvc.store.base import FirstLoadStream, GraphStore
from graphsvc.store.neo4j import Neo4jStore


def streamed(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch, on_send: Callable[[str], None]) -> list[str]:
    """Make ``store`` take the sample district in many streamed transactions; record each streamed load begun,
    and call ``on_send`` with the table type of every chunk sent."""
    store.single_transaction_rows = 10
    store.batch_rows = 300
    monkeypatch.setattr(validate_module, "CHUNK_RECORDS", 100)  # many chunks: the writer starts early
    begun: list[str] = []
    make = store.first_load_stream

    def first_load_stream(rows: int) -> FirstLoadStream | None:
        stream = make(rows)
        if stream is not None:
            begun.append(type(stream).__name__)
            send = stream.send

            def spied(records):  # type: ignore[no-untyped-def]
                send(records)
                on_send(type(records[0]).__name__)

            monkeypatch.setattr(stream, "send", spied)
        return stream

    monkeypatch.setattr(store, "first_load_stream", first_load_stream)
    return begun


def test_a_streamed_first_load_writes_what_the_checked_files_hold(
    neo4j_store: Neo4jStore, sample_district: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_csv(sample_district, tmp_path)
    begun = streamed(neo4j_store, monkeypatch, lambda table: None)
    version = neo4j_store.data_version()
    report = load_paths(neo4j_store, [tmp_path])
    assert begun == ["StreamedFirstLoad"]
    expected = read_dataset([tmp_path])
    assert nx.utils.graphs_equal(neo4j_store.snapshot(), build_graph(expected))
    assert neo4j_store.counts() == Counts.of(expected) == report.after
    assert report.before == Counts.empty()
    assert neo4j_store.data_version() > version
    assert neo4j_store.first_load_stream(10**6) is None  # the store holds the load: the next one is checked first


def wait_for_entities(store: GraphStore) -> Callable[[str], None]:
    """An ``on_send`` hook that holds the checks, once the first chunk that is no entity is sent, until the writer
    has written entities: the failure below then comes after writes, every time."""

    def on_send(table: str) -> None:
        if table == Entity.__name__:
            return
        deadline = time.monotonic() + 30
        while store.count_entities() == 0:
            assert time.monotonic() < deadline, "the writer wrote no entity"
            time.sleep(0.05)

    return on_send


BAD_ROWS = {
    # a row that fails its own checks, on the last line of the last file checked
    "own checks": ("projects.csv", "budget", "lots"),
    # a row that passes its own checks, named unknown only by the checks across rows (after every row was sent)
    "across rows": ("offers.csv", "partner", "nobody-knows-me"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_late_in_a_file_leaves_the_store_empty(
    case: str,
    neo4j_store: Neo4jStore,
    sqlite_store: GraphStore,
    sample_district: Dataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name, column, value = BAD_ROWS[case]
    write_csv(sample_district, tmp_path)
    path = tmp_path / name
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    late = {**rows[-1], column: value}
    key = next(iter(late))
    late[key] += "-late"  # a new key: the row is no duplicate of the one it was copied from
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(late)).writerow(late)
    bad_line = len(rows) + 2

    with pytest.raises(ValidationFailed) as checked_first:  # what the ordinary path reports for the same files
        load_paths(sqlite_store, [tmp_path])

    begun = streamed(neo4j_store, monkeypatch, wait_for_entities(neo4j_store))
    undone_at: list[int] = []
    undo = neo4j_store._undo_first_load_keys

    def counted_undo(*args):  # type: ignore[no-untyped-def]
        undone_at.append(neo4j_store.count_entities())
        undo(*args)

    monkeypatch.setattr(neo4j_store, "_undo_first_load_keys", counted_undo)
    version = neo4j_store.data_version()
    with pytest.raises(ValidationFailed) as streamed_load:
        load_paths(neo4j_store, [tmp_path])

    assert begun == ["StreamedFirstLoad"]
    problems = [str(p) for p in streamed_load.value.problems]
    assert problems == [str(p) for p in checked_first.value.problems]
    assert any(p.startswith(f"{path}:{bad_line} [{column}]: ") for p in problems), problems
    assert undone_at and undone_at[0] > 0  # the writer had written before the bad row was found
    assert neo4j_store.counts() == Counts.empty()
    assert neo4j_store.list_areas() == [] and neo4j_store.list_projects() == []
    assert neo4j_store.data_version() > version  # readers of a part-written view see it was left
