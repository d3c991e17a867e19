"""An app factory for real-process start-up tests: the API over a SQLite store whose snapshot waits for a file.

``uvicorn --factory tests.api.gated_app:create_app`` with ``GRAPHSVC_TEST_DB`` (the SQLite file) and
``GRAPHSVC_TEST_GATE`` (a path): every snapshot waits until the gate file exists, so the test decides when the
first edition can be built, and sees what the server answers meanwhile without timing anything.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import networkx as nx
from fastapi import FastAPI

from graphsvc.api import app
from graphsvc.settings import Settings
from graphsvc.store import SQLiteStore

GATE_TIMEOUT_S = 120.0


class FileGatedStore(SQLiteStore):
    """A SQLite store whose ``snapshot()`` waits until the ``gate`` file exists (a slow first build)."""

    def __init__(self, path: Path, gate: Path) -> None:
        super().__init__(path)
        self.gate = gate

    def snapshot(self) -> nx.Graph:
        deadline = time.monotonic() + GATE_TIMEOUT_S
        while not self.gate.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the test never opened the gate {self.gate}")
            time.sleep(0.05)
        return super().snapshot()


def create_app() -> FastAPI:
    store = FileGatedStore(Path(os.environ["GRAPHSVC_TEST_DB"]), Path(os.environ["GRAPHSVC_TEST_GATE"]))
    return app.create_app(Settings(), store=store)
