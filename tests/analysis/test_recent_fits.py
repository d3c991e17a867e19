"""A fit remembered by its inputs: handed back for equal inputs, computed again when anything differs."""

from __future__ import annotations

import threading

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.linkmodel import model_selection
from graphsvc.analysis.linkmodel.model_selection import RECENT_FITS, LinkModel, fit_model
from graphsvc.analysis.linkmodel.recent_fits import RecentResults, inputs_digest

pytestmark = pytest.mark.usefixtures("no_recent_fits")


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[nx.Graph]:
    """The graphs the fit really computed on, in order."""
    computed: list[nx.Graph] = []
    real = model_selection._fit

    def counted(G: nx.Graph, **kwargs: object) -> LinkModel:
        computed.append(G)
        return real(G, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model_selection, "_fit", counted)
    return computed


def karate() -> nx.Graph:
    return nx.karate_club_graph()


def test_equal_inputs_get_the_same_model_without_a_second_fit(fits: list[nx.Graph]) -> None:
    first = fit_model(karate(), seed=1)
    again = fit_model(karate(), seed=1)  # another graph object, equal content
    assert again is first
    assert len(fits) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda G: G.add_edge(0, 9),
        lambda G: G.remove_edge(0, 1),
        lambda G: G.nodes[5].update(club="Officer"),
        lambda G: G.edges[0, 1].update(weight=99),
        lambda G: G.graph.update(name="other"),
    ],
    ids=["an edge added", "an edge removed", "a node attribute", "an edge attribute", "a graph attribute"],
)
def test_any_change_of_the_graph_fits_again(fits: list[nx.Graph], change: object) -> None:
    fit_model(karate(), seed=1)
    changed = karate()
    change(changed)  # type: ignore[operator]
    fit_model(changed, seed=1)
    assert fits[-1] is changed
    assert len(fits) == 2


def test_another_seed_or_cut_off_fits_again(fits: list[nx.Graph]) -> None:
    G = karate()
    fit_model(G, seed=1)
    fit_model(G, seed=2)
    fit_model(G, seed=1, k=5)
    assert len(fits) == 3
    fit_model(G, seed=2)
    assert len(fits) == 3


def test_a_changed_setting_of_the_fit_fits_again(fits: list[nx.Graph], monkeypatch: pytest.MonkeyPatch) -> None:
    G = karate()
    fit_model(G, seed=1)
    monkeypatch.setattr(model_selection, "INNER_NEGATIVES", 10)
    fit_model(G, seed=1)
    assert len(fits) == 2


def test_a_graph_that_cannot_be_pickled_is_fitted_every_time(fits: list[nx.Graph]) -> None:
    G = karate()
    G.graph["lock"] = threading.Lock()
    assert inputs_digest(G, 1) is None
    fit_model(G, seed=1)
    fit_model(G, seed=1)
    assert len(fits) == 2


def test_a_shared_model_cannot_be_changed_in_place() -> None:
    model = fit_model(karate(), seed=1)
    with pytest.raises(ValueError, match="read-only"):
        model.weights[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        model.means[0] = 1.0


def test_a_remembered_fit_reports_one_finished_step() -> None:
    G = karate()
    fit_model(G, seed=1)
    seen: list[tuple[int, int]] = []
    fit_model(G, seed=1, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] >= 1


def test_the_least_recently_used_result_goes_first() -> None:
    recent = RecentResults[int](size=2)
    a, b, c = (bytes([i]) for i in range(3))
    recent.put(a, 1)
    recent.put(b, 2)
    assert recent.get(a) == 1  # a is now the most recently used
    recent.put(c, 3)
    assert (recent.get(a), recent.get(b), recent.get(c)) == (1, None, 3)


def test_the_remembered_model_equals_a_computed_one() -> None:
    G = karate()
    remembered = fit_model(G, seed=4)
    RECENT_FITS.clear()
    computed = fit_model(G, seed=4)
    assert computed is not remembered
    assert computed.name == remembered.name
    np.testing.assert_array_equal(computed.weights, remembered.weights)
    assert computed.calibration == remembered.calibration
