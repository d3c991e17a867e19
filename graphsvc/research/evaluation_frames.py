"""The recommender against the link-prediction baselines, as tables."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from graphsvc.analysis.evaluation.evaluate import BASELINES, Evaluation

__all__ = ["evaluation_frame", "hits_at_k_frame", "rank_modes_frame"]


def evaluation_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per method (graphsvc first, then the baselines): Hits@k, MRR and AUC on the same held-out links.

    Metric columns keep the evaluation's names (``hits@10``, ``mrr``, ``auc``); ``frame.attrs["split"]``
    holds the split's description.

    Examples
    --------
    >>> ev = Evaluation(split={"k": 2}, methods={"graphsvc": {"hits@2": 0.5, "mrr": 0.4, "auc": 0.7},
    ...                                          "random": {"hits@2": 0.1, "mrr": 0.1, "auc": 0.5}})
    >>> df = evaluation_frame(ev)
    >>> df.values.tolist(), df.attrs["split"]
    ([['graphsvc', False, 0.5, 0.4, 0.7], ['random', True, 0.1, 0.1, 0.5]], {'k': 2})
    """
    metrics: list[str] = []
    for scores in evaluation.methods.values():
        metrics += [m for m in scores if m not in metrics]
    rows = [
        {"method": method, "baseline": method in BASELINES, **scores} for method, scores in evaluation.methods.items()
    ]
    df = pd.DataFrame(rows, columns=["method", "baseline", *metrics])
    df.attrs["split"] = dict(evaluation.split)
    return df


def hits_at_k_frame(evaluations: Iterable[Evaluation]) -> pd.DataFrame:
    """Long form over several evaluations (e.g. one per ``k``): one row per method and ``k`` with its Hits@k.

    ``frame.pivot(index="k", columns="method", values="hits")`` gives one line per method to plot.

    Examples
    --------
    >>> evs = [Evaluation(split={"k": k}, methods={"random": {f"hits@{k}": k / 10, "mrr": 0.1}}) for k in (1, 5)]
    >>> hits_at_k_frame(evs).values.tolist()
    [['random', 1, 0.1], ['random', 5, 0.5]]
    """
    rows = []
    for ev in evaluations:
        k = int(ev.split["k"])
        for method, scores in ev.methods.items():
            rows.append({"method": method, "k": k, "hits": scores[f"hits@{k}"]})
    return pd.DataFrame(rows, columns=["method", "k", "hits"])


def rank_modes_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per rank mode (``gain``, ``likelihood``, ``gap``): the trade-off between the two axes.

    Held-out links (Hits@k, MRR, AUC: does the list contain the partners the community went on to link
    to?) beside need (``gap_closed@5``: share of its uncovered need the top-5 would close;
    ``gap_fit@5``: share of the top-5 offering something it lacks).

    Examples
    --------
    >>> ev = Evaluation(split={"k": 10}, methods={}, modes={
    ...     "gain": {"hits@10": 0.46, "gap_closed@5": 0.99}, "likelihood": {"hits@10": 0.88, "gap_closed@5": 0.34}})
    >>> rank_modes_frame(ev).values.tolist()
    [['gain', 0.46, 0.99], ['likelihood', 0.88, 0.34]]
    """
    metrics: list[str] = []
    for scores in evaluation.modes.values():
        metrics += [m for m in scores if m not in metrics]
    rows = [{"rank": mode, **scores} for mode, scores in evaluation.modes.items()]
    df = pd.DataFrame(rows, columns=["rank", *metrics])
    df.attrs["split"] = dict(evaluation.split)
    return df
