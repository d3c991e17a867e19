"""Memory handed back after an edition is replaced (``graphsvc/api/memory.py``; figures from ``bench/soak.py``)."""

from __future__ import annotations

import platform
import time
from pathlib import Path

import pytest

from graphsvc.api import edition as edition_module
from graphsvc.api import memory
from graphsvc.api.edition import EditionHolder
from graphsvc.model import Dataset
from graphsvc.store import SQLiteStore
from tests.api.test_freshness import C3


def test_an_operators_arena_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert memory.limit_arenas() is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim and mallopt are glibc's")
def test_on_glibc_arenas_are_capped_and_free_memory_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert memory.limit_arenas() is True
    memory.release_free_memory()  # returns whether pages were returned: either is fine, it must not fail


def test_the_watcher_releases_memory_once_an_edition_is_replaced(
    tmp_path: Path, tiny: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[int] = []
    monkeypatch.setattr(edition_module, "RELEASE_AFTER_S", 0.0)
    monkeypatch.setattr(edition_module, "release_free_memory", lambda: released.append(1) or True)
    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert(tiny)
        holder = EditionHolder(store, freshness_ms=20)
        holder.start_watching()
        try:
            assert holder.wait_for(1, 30)
            store.upsert(C3)
            assert holder.wait_for(2, 30)
            deadline = 200
            while not released and deadline:
                deadline -= 1
                holder.after_write()
                time.sleep(0.05)
            assert released, "no memory released after the edition was replaced"
        finally:
            holder.stop_watching(timeout=10)
