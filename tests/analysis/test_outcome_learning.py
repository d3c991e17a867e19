"""The link model learns from recorded outcomes: its shown probabilities move towards what became of them."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.linkmodel.model_selection import LinkModel, fit_model
from graphsvc.analysis.linkmodel.signals import SignalEngine, transform
from graphsvc.analysis.recommender.recommend import Recommender
from graphsvc.graph import add_outcomes, build_graph
from graphsvc.model import Dataset, Outcome

Pair = tuple[str, str]


@pytest.fixture(scope="module")
def sample() -> tuple[nx.Graph, LinkModel, list[Pair]]:
    """The sample district, its model fitted without outcomes, and its suggestions shown at about 40%."""
    from graphsvc.sample import generate_district

    G = build_graph(generate_district())
    model = fit_model(G, seed=0)
    lists = Recommender(G, model).recommend_all(k=10)
    around_40 = [(str(c), str(r.partner)) for c, recs in lists.items() for r in recs.recommendations]
    around_40 = [pair for pair, p in zip(around_40, probabilities(G, model, around_40), strict=True) if 0.3 <= p < 0.5]
    assert len(around_40) >= 40  # enough suggestions shown at 30-50% to learn from
    return G, model, around_40


def probabilities(G: nx.Graph, model: LinkModel, pairs: list[Pair]) -> np.ndarray:
    """What ``model`` shows for each pair, scored on ``G`` (as a list shows it)."""
    return model.probability(model.score(transform(SignalEngine(G).pair_features(pairs))))


def told(G: nx.Graph, pairs: list[Pair], *, taken_up_every: int) -> nx.Graph:
    """A copy of ``G`` with one outcome per pair: every ``taken_up_every``-th accepted, the others declined."""
    H = G.copy()
    day = dt.date(2026, 5, 1)
    outcomes = [
        Outcome(community=c, partner=p, status="accepted", at=day)
        if i % taken_up_every == 0
        else Outcome(community=c, partner=p, status="declined", reason="no_capacity", at=day)
        for i, (c, p) in enumerate(pairs)
    ]
    add_outcomes(H, (o.plain() for o in Dataset(outcomes=outcomes).outcomes))
    return H


def test_suggestions_shown_at_40_percent_but_accepted_10_percent_show_lower_probabilities(
    sample: tuple[nx.Graph, LinkModel, list[Pair]],
) -> None:
    G, before, pairs = sample
    H = told(G, pairs, taken_up_every=10)
    after = fit_model(H, seed=0)
    shown, learned = probabilities(G, before, pairs), probabilities(G, after, pairs)
    assert 0.3 <= shown.mean() < 0.5
    assert (learned < shown).all()
    assert abs(learned.mean() - 0.1) < abs(shown.mean() - 0.1) / 2  # more than halfway to what happened
    assert after.outcomes == len(pairs)
    assert after.shown_calibration is not None  # what the held-out links alone gave the refitted weights
    assert after.calibration[1] < after.shown_calibration[1]  # the outcomes lowered the intercept
    # every probability the lists show moves with it, not only the pairs told about
    c = next(c for c in sorted(G) if G.nodes[c]["kind"] == "community" and c not in {q for q, _ in pairs})
    top_before = Recommender(G, before).recommend(c, k=3).recommendations
    top_after = {r.partner: r.probability for r in Recommender(H, after).recommend(c, k=3).recommendations}
    assert all(top_after[r.partner] < r.probability for r in top_before if r.partner in top_after)
    assert any(r.partner in top_after for r in top_before)


def test_suggestions_taken_up_more_often_than_shown_raise_probabilities(
    sample: tuple[nx.Graph, LinkModel, list[Pair]],
) -> None:
    G, before, pairs = sample
    after = fit_model(told(G, pairs, taken_up_every=1), seed=0)  # every one accepted
    assert (probabilities(G, after, pairs) > probabilities(G, before, pairs)).all()


def test_a_few_outcomes_move_the_calibration_a_little(sample: tuple[nx.Graph, LinkModel, list[Pair]]) -> None:
    G, before, pairs = sample
    few = fit_model(told(G, pairs[:5], taken_up_every=10), seed=0)  # 1 of 5 taken up
    many = fit_model(told(G, pairs, taken_up_every=10), seed=0)
    shown = probabilities(G, before, pairs).mean()
    assert 0 < shown - probabilities(G, few, pairs).mean() < (shown - probabilities(G, many, pairs).mean()) / 2


def test_without_outcomes_the_model_is_the_held_out_links_alone(sample: tuple[nx.Graph, LinkModel, list[Pair]]) -> None:
    _, before, _ = sample
    assert before.outcomes == 0 and before.shown_calibration is None


def test_the_fit_learns_from_declines_too(sample: tuple[nx.Graph, LinkModel, list[Pair]]) -> None:
    """Declined partners join the negatives of their community's positives in the inner splits: the suggestions
    shown at 30-50% were chosen for the gap they fit, and most were declined, so the refitted weighting leans
    less on the gap fit."""
    from graphsvc.analysis.linkmodel.signals import SIGNALS

    G, before, pairs = sample
    after = fit_model(told(G, pairs, taken_up_every=10), seed=0)
    gap = SIGNALS.index("gap_fit")
    assert after.name == before.name
    assert after.weights[gap] < before.weights[gap]
    assert not np.allclose(after.weights, before.weights)
