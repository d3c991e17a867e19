"""Fixtures for the page tests: a hand-checkable district with hostile names, and headless Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator

import networkx as nx
import pytest

from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity
from tests.viz.cdp import Browser, find_chromium, launch
from tests.viz.helpers import LINE_SEP, with_hostile


@pytest.fixture
def tiny_graph(tiny: Dataset) -> nx.Graph:
    """``tiny`` (two communities of 拱北, a hub, an enterprise, a student society) plus the hostile pair."""
    return build_graph(with_hostile(tiny, Entity(id="lone", kind="media", name=LINE_SEP)))


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless Chromium; the browser tests skip without it, except under ``CI=true``."""
    path = find_chromium()
    if path is None:
        message = "headless Chromium not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " -- required under CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    """One offline Chromium per test module: every host but this machine is unresolvable."""
    with launch(chromium, offline=True) as running:
        yield running
