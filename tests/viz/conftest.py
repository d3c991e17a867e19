"""Fixtures for the page tests: a hand-checkable district with hostile names."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity
from tests.viz.helpers import LINE_SEP, hostile_entities


@pytest.fixture
def tiny_graph(tiny: Dataset) -> nx.Graph:
    """``tiny`` (two communities of 拱北, a hub, an enterprise, a student society) plus the hostile pair."""
    entities, links, needs, offers = hostile_entities()
    entities.append(Entity(id="lone", kind="media", name=LINE_SEP))
    return build_graph(
        Dataset(
            entities=[*tiny.entities, *entities],
            links=[*tiny.links, *links],
            needs=[*tiny.needs, *needs],
            offers=[*tiny.offers, *offers],
        )
    )
