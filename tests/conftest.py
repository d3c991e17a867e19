"""Shared fixtures: stores for the contract suite, small datasets, the sample district.

``store`` is parametrised over every store implementation; a test that takes it
runs once per store. The Neo4j store joins through ``tests/neo4j_fixtures.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.model import Dataset, Entity, Link, Need, Offer
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore, SQLiteStore

pytest_plugins = ["tests.neo4j_fixtures"]
pytest.register_assert_rewrite("tests.neo4j_fixtures")  # imported just below, before pytest loads the plugin
from tests.neo4j_fixtures import NEO4J_PARAM  # noqa: E402

STORES = ["sqlite", NEO4J_PARAM]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each implementation (Neo4j is wiped before each test)."""
    if request.param == "sqlite":
        graph_store: GraphStore = SQLiteStore(tmp_path / "graph.db")
    else:
        graph_store = request.getfixturevalue("neo4j_store")
    try:
        yield graph_store
    finally:
        if request.param == "sqlite":
            graph_store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "graph.db") as graph_store:
        yield graph_store  # type: ignore[misc]


@pytest.fixture
def tiny() -> Dataset:
    """Two communities, three partners, hand-checkable."""
    return Dataset(
        entities=[
            Entity(id="c1", kind="community", name="拱北第1社区", street="拱北"),
            Entity(id="c2", kind="community", name="拱北第2社区", street="拱北"),
            Entity(id="hub", kind="organization", subtype="street_hub", name="拱北星辰", street="拱北"),
            Entity(id="e1", kind="enterprise", name="爱心企业一", capacity=2, attributes={"contact": "王"}),
            Entity(id="s1", kind="school", subtype="student_society", name="法律社团", name_en="Law society"),
        ],
        links=[
            Link(source="hub", target="c1", kind="coordination"),
            Link(source="e1", target="c1", kind="funding", since="2021-03-05", weight=2),
            Link(source="e1", target="c2", kind="volunteering"),
        ],
        needs=[
            Need(community="c1", category="elderly_care", weight=3),
            Need(community="c2", category="legal_aid", weight=2),
        ],
        offers=[
            Offer(partner="e1", category="funding", capacity=5),
            Offer(partner="s1", category="legal_aid", capacity=4),
        ],
    )


@pytest.fixture
def no_recent_fits() -> None:
    """Start the test with no fit remembered by this process (``RECENT_FITS``): its first fit of any graph computes
    and reports every step."""
    from graphsvc.analysis.linkmodel.model_selection import RECENT_FITS

    RECENT_FITS.clear()


@pytest.fixture(scope="session")
def sample_district() -> Dataset:
    """The default synthetic district (130 communities, seed 0)."""
    return generate_district()
