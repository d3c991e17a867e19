"""An honest evaluation of the recommender against the classic link-prediction baselines.

Protocol
--------
1. Hide ``holdout`` of the links of the task's kind (community-partner on a
   snapshot; side 0 - side 1 on a bipartite list; any link otherwise) at random
   with ``seed``, or the latest ones by their ``since`` date (``by="date"``).
2. Rebuild everything on the rest: the signals, and graphsvc's learned weighting
   (fitted on an inner split of the *training* graph only, never on held-out links).
3. For every held-out link ``(u, v)`` draw ``negatives`` candidates of the same
   kind of pair that ``u`` is not linked to in the *full* graph, and rank ``v``
   among them with each method on the same pairs.
4. Report Hits@k, MRR and AUC (ties broken in expectation, see
   :mod:`graphsvc.analysis.linkpred`).

Methods: ``graphsvc`` (:class:`~graphsvc.analysis.recommend.Recommender`),
``random`` (seeded uniform scores), ``popularity`` (preferential attachment),
``common_neighbors``, ``adamic_adar``, ``resource_allocation`` and ``l3``.

>>> import networkx as nx
>>> result = evaluate(nx.karate_club_graph(), holdout=0.2, seed=1, negatives=20)
>>> sorted(result.methods)[:3], result.split["test_links"]
(['adamic_adar', 'common_neighbors', 'graphsvc'], 16)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict

from graphsvc.analysis.common import check_graph
from graphsvc.analysis.linkpred import ranking_metrics, sample_negatives, split_edges, task_for
from graphsvc.analysis.recommend import Recommender
from graphsvc.analysis.signals import FEATURES
from graphsvc.errors import UnsupportedGraph

BASELINES: dict[str, str | None] = {
    "random": None,
    "popularity": "preferential_attachment",
    "common_neighbors": "common_neighbors",
    "adamic_adar": "adamic_adar",
    "resource_allocation": "resource_allocation",
    "l3": "l3",
}
"""Baseline methods and the signal each ranks by (``random``: seeded uniform scores)."""

__all__ = ["BASELINES", "Evaluation", "evaluate"]


class Evaluation(BaseModel):
    """What ``graphsvc evaluate --json`` prints: the split, and the metrics of every method on it."""

    model_config = ConfigDict(extra="forbid")

    split: dict[str, Any]
    methods: dict[str, dict[str, float]]


def evaluate(
    G: nx.Graph,
    *,
    holdout: float = 0.2,
    seed: int | None = 0,
    k: int = 10,
    negatives: int = 100,
    by: Literal["random", "date"] = "random",
) -> Evaluation:
    """Hide links, rebuild on the rest, and score graphsvc and the baselines on the same held-out pairs.

    Parameters
    ----------
    G : networkx.Graph
        A snapshot graph, or any simple undirected graph (see :func:`graphsvc.loaders.edge_list.read_edge_list`).
    holdout : float
        Fraction of the task's links to hide (0 < holdout < 1).
    seed : int, optional
        Seed of the split, the negatives, the inner split and the random baseline.
    k : int
        Cut-off of Hits@k.
    negatives : int
        Negative candidates drawn per held-out link (fewer when fewer exist).
    by : {"random", "date"}
        How links are hidden: at random, or the latest by ``since``.

    Returns
    -------
    Evaluation
        ``split`` describes the split (sizes, seed, the model graphsvc selected); ``methods`` maps each
        method to ``{"hits@k": x, "mrr": x, "auc": x}``.
    """
    check_graph(G)
    task = task_for(G)
    rng = np.random.default_rng(seed)
    train, hidden = split_edges(G, task, fraction=holdout, seed=int(rng.integers(2**31)), by=by)
    negs = sample_negatives(G, task, hidden, per_positive=negatives, seed=int(rng.integers(2**31)))
    keep = [i for i, n in enumerate(negs) if n]
    if not keep:
        raise UnsupportedGraph("no negative pairs of the held-out kind exist; nothing to rank against")
    hidden = [hidden[i] for i in keep]
    negs = [negs[i] for i in keep]
    pairs: list[tuple[Hashable, Hashable]] = []
    starts = []
    for (u, v), ns in zip(hidden, negs, strict=True):
        starts.append(len(pairs))
        pairs.append((u, v))
        pairs.extend((u, c) for c in ns)
    bounds = [*starts, len(pairs)]

    rec = Recommender.fit(train, seed=int(rng.integers(2**31)), k=k)
    raw = rec.signals(pairs)
    scores: dict[str, np.ndarray] = {"graphsvc": rec.score_pairs(pairs)}
    random_scores = rng.random(len(pairs))
    for method, signal in BASELINES.items():
        scores[method] = random_scores if signal is None else raw[:, FEATURES.index(signal)]

    methods: dict[str, dict[str, float]] = {}
    for method, s in scores.items():
        pos = np.array([s[bounds[i]] for i in range(len(hidden))])
        neg = [s[bounds[i] + 1 : bounds[i + 1]] for i in range(len(hidden))]
        methods[method] = {name: round(x, 6) for name, x in ranking_metrics(pos, neg, k=k).items()}
    split = {
        "by": by,
        "holdout": holdout,
        "seed": seed,
        "k": k,
        "pairs": task.kind,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "train_edges": train.number_of_edges(),
        "test_links": len(hidden),
        "negatives_per_link": negatives,
        "graphsvc_model": rec.model.describe(),
    }
    return Evaluation(split=split, methods=methods)
