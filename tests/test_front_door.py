"""``import graphsvc as gs``: the user's verbs at the top, each the very function of the module that owns it."""

from __future__ import annotations

import pytest

import graphsvc as gs
from graphsvc import analysis, graph, sample, store


def test_front_door_names_are_the_owning_modules_functions() -> None:
    assert gs.recommend is analysis.recommend and gs.district_plan is analysis.district_plan
    assert gs.community_gaps is analysis.community_gaps and gs.evaluate is analysis.evaluate
    assert gs.open_store is store.open_store and gs.build_graph is graph.build_graph
    assert gs.sample_graph is sample.sample_graph
    assert set(gs.__all__) <= set(dir(gs))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'recomend'"):
        _ = gs.recomend  # type: ignore[attr-defined]
