"""The inner split of the model's fit: every hidden link scored on small graphs, a seeded sample above a cap."""

from __future__ import annotations

import networkx as nx
import numpy as np

from graphsvc.analysis.linkmodel.linkpred import task_for
from graphsvc.analysis.linkmodel.model_selection import MAX_INNER_LINKS, _inner_data, _InnerData, fit_model
from graphsvc.progress import Steps

LATTICE = nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=4)  # 900 links: an inner split hides 180


def inner(max_links: int | None, seed: int = 3) -> _InnerData:
    return _inner_data(LATTICE, task_for(LATTICE), np.random.default_rng(seed), 1, Steps(None, 4), max_links=max_links)


def test_below_the_cap_every_hidden_link_is_scored() -> None:
    every = inner(None)
    assert len(every.starts) == 180 and len(set(every.links.tolist())) == 180
    at_cap = inner(180)  # the cap is not exceeded: the same data, the same draws
    assert np.array_equal(at_cap.T, every.T) and np.array_equal(at_cap.starts, every.starts)


def test_above_the_cap_a_seeded_sample_of_the_hidden_links_is_scored() -> None:
    every, capped = inner(None), inner(50)
    assert len(capped.starts) == 50 and len(set(capped.links.tolist())) == 50
    sizes = np.diff(np.append(capped.starts, len(capped.T)))
    assert np.all((sizes >= 2) & (sizes <= 51))  # each link with its own negatives (at most 50)
    # the same split: each sampled link is one of the hidden links, with the same signals
    hidden = {tuple(row) for row in every.T[every.starts]}
    assert {tuple(row) for row in capped.T[capped.starts]} <= hidden
    again = inner(50)
    assert np.array_equal(again.T, capped.T)  # seeded
    assert not np.array_equal(inner(50, seed=4).T, capped.T)


def test_the_sample_district_fit_is_below_the_cap(sample_district_graph: nx.Graph) -> None:
    assert MAX_INNER_LINKS >= 1_000  # small districts: every hidden link
    default, uncapped = fit_model(sample_district_graph, seed=0), fit_model(sample_district_graph, inner_links=None)
    assert default.describe() == uncapped.describe() and default.selection == uncapped.selection
    assert default.calibration == uncapped.calibration
    capped = fit_model(sample_district_graph, seed=0, inner_links=40)
    assert capped.selection != default.selection  # fewer links measured: other figures
    assert capped.selection == fit_model(sample_district_graph, seed=0, inner_links=40).selection
