"""Several threads and processes opening the same brand-new SQLite store at once.

Switching a new file to WAL needs the file to itself: SQLite answers ``database is locked`` at once, without
waiting the busy timeout, to a connection that asks while another is creating the file or switching it (measured
before the fix: 2 of 150 rounds of 12 threads, within a millisecond). Each round here gives many threads (and
then processes) one new path and a barrier, so that they open it in the same instant; every one must open it,
and the file must be one WAL store with its schema.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any

from graphsvc.model import Dataset, Entity
from graphsvc.store import SQLiteStore

ROUNDS = 60
THREADS = 12


def open_together(path: Path, threads: int, before: Any = None) -> list[str]:
    """Open ``path`` from ``threads`` threads released at once (after ``before``, a process barrier's wait)."""
    errors: list[str] = []
    barrier = threading.Barrier(threads)

    def one(index: int) -> None:
        barrier.wait()
        try:
            with SQLiteStore(path) as store:
                if index == 0:
                    store.upsert(Dataset(entities=[Entity(id="c1", kind="community", name="新社区")]))
                else:
                    store.data_version()
        except Exception as exc:  # every failure is reported, whatever it is
            errors.append(f"{type(exc).__name__}: {exc}")

    if before is not None:
        before()
    workers = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return errors


def assert_one_wal_store(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"entities", "links", "needs", "offers", "data_version"} <= tables
    with SQLiteStore(path) as store:
        assert [e.id for e in store.list_entities()] == ["c1"]


def test_threads_create_the_same_new_store_at_once(tmp_path: Path) -> None:
    errors: list[str] = []
    for round_ in range(ROUNDS):
        path = tmp_path / f"new-{round_}.db"
        errors += open_together(path, THREADS)
        assert_one_wal_store(path)
    assert errors == []


def _process(folder: str, rounds: int, barrier: Any, queue: Any) -> None:
    errors: list[str] = []
    for round_ in range(rounds):
        errors += open_together(Path(folder) / f"new-{round_}.db", 4, before=barrier.wait)
    queue.put(errors)


def test_processes_create_the_same_new_store_at_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    processes, rounds = 4, 15
    barrier, queue = context.Barrier(processes), context.Queue()
    started = [context.Process(target=_process, args=(str(tmp_path), rounds, barrier, queue)) for _ in range(processes)]
    for process in started:
        process.start()
    errors = [error for _ in started for error in queue.get(timeout=300)]
    for process in started:
        process.join(60)
    assert errors == []
    for round_ in range(rounds):
        path = tmp_path / f"new-{round_}.db"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with SQLiteStore(path) as store:
            assert store.counts().entities["community"] == 1  # each process's first thread wrote the same row
