"""Fixtures for the page tests: a hand-checkable district with hostile names."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity
from tests.viz.helpers import LINE_SEP, with_hostile


@pytest.fixture
def tiny_graph(tiny: Dataset) -> nx.Graph:
    """``tiny`` (two communities of 拱北, a hub, an enterprise, a student society) plus the hostile pair."""
    return build_graph(with_hostile(tiny, Entity(id="lone", kind="media", name=LINE_SEP)))
