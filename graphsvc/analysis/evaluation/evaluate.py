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
   :mod:`graphsvc.analysis.linkmodel.linkpred`). Above :data:`SCORED_LINKS` held-out links (a city), a seeded sample
   of that many is ranked, and ``split.sample`` gives its size and the 95% confidence interval of every
   Hits@k and MRR (the split, and so the training graph and the model, stay the same).

5. For every rank mode (``gain``, ``likelihood``, ``gap``, see :mod:`graphsvc.analysis.recommender.recommend`) the
   same held-out figures, and the other axis, need: ``gap_closed@5`` (mean over communities with a gap
   of the share of their uncovered need their top-5 would close, link after link) and ``gap_fit@5``
   (share of top-5 partners offering a category the community lacks), on the training graph.

``negatives="global"`` adds the protocol of the classic link-prediction papers beside the per-source
one: negatives drawn uniformly from all unlinked pairs of the task's kind (as many as per-source draws
in all), and ``auc_global`` over the pooled positive and negative pairs.

Methods: ``graphsvc`` (:class:`~graphsvc.analysis.recommender.recommend.Recommender`),
``random`` (seeded uniform scores), ``popularity`` (preferential attachment),
``common_neighbors``, ``adamic_adar``, ``resource_allocation`` and ``l3``.

>>> import networkx as nx
>>> result = evaluate(nx.karate_club_graph(), holdout=0.2, seed=1, negatives=20)
>>> sorted(result.methods)[:3], result.split["test_links"]
(['adamic_adar', 'common_neighbors', 'graphsvc'], 16)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial
from typing import Any, Literal

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from graphsvc.analysis.core.common import check_graph
from graphsvc.analysis.core.outcomes import outcome_labels
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, RANK_MODES, RankMode, check_rank
from graphsvc.analysis.evaluation.outcome_report import OutcomeReport, outcome_report
from graphsvc.analysis.linkmodel.linkpred import (
    PairTask,
    in_order_sample,
    mean_metrics,
    per_link_metrics,
    sample_negatives,
    split_edges,
    task_for,
)
from graphsvc.analysis.linkmodel.model_selection import fit_model
from graphsvc.analysis.linkmodel.signals import SIGNALS
from graphsvc.analysis.recommender.gain import GainState
from graphsvc.analysis.recommender.recommend import Recommender
from graphsvc.errors import UnsupportedGraph
from graphsvc.progress import Progress, Steps

BASELINES: dict[str, str | None] = {
    "random": None,
    "popularity": "preferential_attachment",
    "common_neighbors": "common_neighbors",
    "adamic_adar": "adamic_adar",
    "resource_allocation": "resource_allocation",
    "l3": "l3",
}
"""Baseline methods and the signal each ranks by (``random``: seeded uniform scores)."""

__all__ = ["BASELINES", "SCORED_LINKS", "Evaluation", "evaluate"]


class Evaluation(BaseModel):
    """What ``graphsvc evaluate --json`` prints: the split, and the metrics of every method on it."""

    model_config = ConfigDict(extra="forbid")

    split: dict[str, Any]
    methods: dict[str, dict[str, float]]
    modes: dict[str, dict[str, float]] = {}
    """Per rank mode: ``hits@k``, ``mrr``, ``auc`` on the held-out links, ``gap_closed@5``, ``gap_fit@5``."""
    outcomes: OutcomeReport | None = None
    """Where outcomes are recorded: acceptance and the shown probability's calibration against them
    (:mod:`graphsvc.analysis.evaluation.outcome_report`); ``None`` (left out of the JSON) otherwise."""

    @model_serializer(mode="wrap")
    def _without_absent_outcomes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The dump leaves ``outcomes`` out where none are recorded (it is absent, not null)."""
        data: dict[str, Any] = handler(self)
        if self.outcomes is None:
            data.pop("outcomes", None)
        return data


SCORED_LINKS = 10_000
"""Held-out links the link metrics rank at most: beyond, a seeded sample of them. The metrics are means over
links; 10,000 links put a mean's 95% interval within +-0.01 (+-1.96 * 0.5 / sqrt(10,000)), while ranking every
held-out link of a province (~110,000 links x 101 candidates, each scored four times) took gigabytes and most of
the evaluation's time."""

GAP_SAMPLE = 2_000
"""Communities with a gap the gap metrics rank at most, per rank mode: beyond, a seeded sample (the metrics are
means over communities; ranking every community of a city would cost more than the rest of the evaluation)."""


def evaluate(
    G: nx.Graph,
    *,
    holdout: float = 0.2,
    seed: int | None = 0,
    k: int = 10,
    negatives: int = 100,
    by: Literal["random", "date"] = "random",
    protocol: Literal["per_source", "global"] = "per_source",
    gap_k: int = 5,
    scored_links: int | None = SCORED_LINKS,
    progress: Progress | None = None,
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
    protocol : {"per_source", "global"}
        ``"global"`` adds ``auc_global`` (uniform negatives from all unlinked pairs, pooled AUC).
    gap_k : int
        Cut-off of ``gap_closed@k`` and ``gap_fit@k``.
    scored_links : int, optional
        Held-out links ranked at most (``None``: all). Beyond, a sample drawn with ``seed`` is ranked (the
        links are still hidden from the training graph), and ``split["sample"]`` says so: ``links`` ranked,
        ``of`` how many held out, ``seed``, and ``ci95``, the half-width of the 95% confidence interval of each
        method's and rank mode's Hits@k and MRR (normal approximation, finite-population corrected).
    progress : callable, optional
        A :data:`graphsvc.progress.Progress` hook, called with ``(done, total)``: one step for the split, the
        steps of the model's fit (:func:`~graphsvc.analysis.fit_model`), two for the signals and graphsvc's
        scores of the pairs, one per rank mode's scores, one per method's and rank mode's metrics, and one per
        community ranked for the gap metrics of each rank mode (counted from the start as every query; the
        total shrinks to the communities with a gap).

    Returns
    -------
    Evaluation
        ``split`` describes the split (sizes, seed, the model graphsvc selected, ``sample`` above
        ``scored_links``); ``methods`` maps each
        method to ``{"hits@k": x, "mrr": x, "auc": x}``; ``modes`` maps each rank mode to the same and
        ``gap_closed@5``, ``gap_fit@5`` (graph with needs only).
    """
    check_graph(G)
    task = task_for(G)
    typed = task.kind == "community-partner"
    n_modes = len(RANK_MODES) if typed else 0
    # The split; the signals and graphsvc's scores; each rank mode's scores; each method; each rank mode's metrics
    # and the communities its gap metrics rank (at most every query, the bulk of the work). The fit's steps are
    # added when it starts.
    steps = Steps(progress, 1 + 2 + n_modes + 1 + len(BASELINES) + n_modes * (1 + len(task.queries)))
    rng = np.random.default_rng(seed)
    train, hidden = split_edges(G, task, fraction=holdout, seed=int(rng.integers(2**31)), by=by)
    held_out = len(hidden)
    sample_seed = 0 if seed is None else seed  # not drawn from rng: the split's other draws stay as they were
    sampled = scored_links is not None and held_out > scored_links
    if sampled:
        assert scored_links is not None
        hidden = in_order_sample(hidden, scored_links, np.random.default_rng(sample_seed))
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
    steps.advance()

    train_task = task_for(train)  # as Recommender.fit, with the fit's steps reported
    model = fit_model(train, seed=int(rng.integers(2**31)), k=k, task=train_task, progress=steps.part())
    rec = Recommender(train, model, task=train_task)
    raw = rec.signals(pairs)
    steps.advance()
    scores: dict[str, np.ndarray] = {"graphsvc": rec.score_pairs(pairs)}
    steps.advance()
    random_scores = rng.random(len(pairs))
    for method, signal in BASELINES.items():
        scores[method] = random_scores if signal is None else raw[:, SIGNALS.index(signal)]

    ranked = 0
    mode_scores: dict[RankMode, np.ndarray] = {}
    for mode in RANK_MODES if typed else ():
        mode_scores[mode] = rec.score_pairs(pairs, rank=mode)
        steps.advance()
    pooled: list[tuple[Hashable, Hashable]] = []
    if protocol == "global":
        pooled = _global_negatives(G, task, negatives * len(hidden), int(rng.integers(2**31)))

    intervals: dict[str, dict[str, dict[str, float]]] = {"methods": {}, "modes": {}}

    def metrics(
        s: np.ndarray, score: Callable[[list[tuple[Hashable, Hashable]]], np.ndarray], interval: dict[str, float]
    ) -> dict[str, float]:
        pos = np.array([s[bounds[i]] for i in range(len(hidden))])
        neg = [s[bounds[i] + 1 : bounds[i + 1]] for i in range(len(hidden))]
        per = per_link_metrics(pos, neg, k=k)
        out = {name: round(x, 6) for name, x in mean_metrics(per, k=k).items()}
        for name in (f"hits@{k}", "mrr"):
            interval[name] = round(_half_width(per[name], held_out), 6)
        if pooled:
            both = score([*hidden, *pooled])
            out["auc_global"] = round(_pooled_auc(both[: len(hidden)], both[len(hidden) :]), 6)
        return out

    methods: dict[str, dict[str, float]] = {}
    for method, s in scores.items():
        signal = BASELINES.get(method)
        if method == "graphsvc":
            methods[method] = metrics(s, rec.score_pairs, intervals["methods"].setdefault(method, {}))
        elif method == "random":
            methods[method] = metrics(s, partial(_uniform, seed), intervals["methods"].setdefault(method, {}))
        else:
            assert signal is not None
            methods[method] = metrics(
                s, partial(_signal, rec, SIGNALS.index(signal)), intervals["methods"].setdefault(method, {})
            )
        steps.advance()
    modes: dict[str, dict[str, float]] = {}
    for mode, s in mode_scores.items():
        modes[mode] = metrics(s, partial(rec.score_pairs, rank=mode), intervals["modes"].setdefault(mode, {}))
        steps.advance()
        closed, fit, ranked = gap_metrics(
            rec,
            k=gap_k,
            rank=mode,
            sample=GAP_SAMPLE,
            seed=sample_seed,
            progress=steps.part(min(GAP_SAMPLE, len(task.queries))),
        )
        modes[mode][f"gap_closed@{gap_k}"] = round(closed, 6)
        modes[mode][f"gap_fit@{gap_k}"] = round(fit, 6)
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
        "negatives": protocol,
        "graphsvc_model": rec.model.describe(),
        "gap_communities": ranked,
    }
    if sampled:
        split["sample"] = {"links": len(hidden), "of": held_out, "seed": sample_seed, "ci95": intervals}
    steps.finish()
    return Evaluation(split=split, methods=methods, modes=modes, outcomes=_outcomes(G, seed=seed, k=k))


def _outcomes(G: nx.Graph, *, seed: int | None, k: int) -> OutcomeReport | None:
    """The outcome block of an evaluation: ``None`` unless ``G`` records decided outcomes."""
    if not outcome_labels(G):
        return None
    return outcome_report(G, fit_model(G, seed=seed, k=k))


def _half_width(values: np.ndarray, population: int) -> float:
    """Half-width of the 95% confidence interval of the mean of ``values``, a sample without replacement from
    ``population`` values (normal approximation with the finite-population correction; 0 for a census).

    >>> round(_half_width(np.array([0.0, 1.0] * 50), 10_000), 4)   # 1.96 * 0.5025 / 10 * sqrt(9900 / 9999)
    0.098
    >>> _half_width(np.array([0.0, 1.0]), 2)
    0.0
    """
    n = len(values)
    if n < 2 or population <= 1:
        return 0.0
    fpc = max(0.0, (population - n) / (population - 1))
    return float(1.96 * values.std(ddof=1) / np.sqrt(n) * np.sqrt(fpc))


def _uniform(seed: int | None, pairs: list[tuple[Hashable, Hashable]]) -> np.ndarray:
    return np.random.default_rng(seed).random(len(pairs))


def _signal(rec: Recommender, column: int, pairs: list[tuple[Hashable, Hashable]]) -> np.ndarray:
    return np.asarray(rec.signals(pairs)[:, column])


def _global_negatives(G: nx.Graph, task: PairTask, count: int, seed: int) -> list[tuple[Hashable, Hashable]]:
    """``count`` distinct unlinked pairs of the task's kind, uniformly at random (fewer if fewer exist)."""
    rng = np.random.default_rng(seed)
    queries, cands = list(task.queries), list(task.candidates)
    total = len(queries) * len(cands)
    chosen: dict[tuple[Hashable, Hashable], None] = {}
    tries = 0
    while len(chosen) < count and tries < 20 * count + 100:
        tries += 1
        u = queries[int(rng.integers(len(queries)))]
        v = cands[int(rng.integers(len(cands)))]
        if u != v and not G.has_edge(u, v) and (v, u) not in chosen:
            chosen[(u, v)] = None
        if len(chosen) >= total:
            break
    return list(chosen)


def _pooled_auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a positive outscores a negative) over all pooled pairs, ties counted half (Mann-Whitney)."""
    from scipy.stats import rankdata  # ~2 s to import: only when an evaluation runs, not with the package

    if not len(pos) or not len(neg):
        return 0.5
    both = np.concatenate([pos, neg])
    ranks = rankdata(np.where(np.isfinite(both), both, -np.finfo(float).max))
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def gap_metrics(
    rec: Recommender,
    *,
    k: int = 5,
    rank: RankMode = DEFAULT_RANK,
    sample: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[float, float, int]:
    """``(gap_closed@k, gap_fit@k, communities)`` of the top-``k`` lists of every community with a gap.

    ``gap_closed@k`` is the mean over those communities of the uncovered need their list would close
    (link after link) as a fraction of their uncovered need; ``gap_fit@k`` the share of listed partners
    offering at least one category the community lacks. With ``sample``, at most that many of those communities
    are ranked, a sample drawn with ``seed`` (the metrics are means over communities). ``progress`` (a
    :data:`graphsvc.progress.Progress` hook) is called with ``(communities ranked, communities)``.
    """
    rank = check_rank(rank)
    if rec.scorer.tables is None:
        Steps(progress, 0).finish()
        return 0.0, 0.0, 0
    eng = rec.scorer.engine
    queries = [q for q in rec.task.queries if float(eng.U[eng.index[q]].sum()) > 1e-9]
    if sample is not None and len(queries) > sample:
        queries = in_order_sample(queries, sample, np.random.default_rng(seed))
    rows = np.array([eng.index[q] for q in queries], dtype=np.int64)
    steps = Steps(progress, len(rows))
    closed: list[float] = []
    fit = listed = 0
    step = max(1, 400_000 // max(1, len(rec.scorer.cols)))
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        if rec.scorer.pools is None:  # every partner scored, in blocks of communities
            scored: list[tuple[np.ndarray | None, np.ndarray]] = [(None, s) for s in rec.scorer.scores_block(chunk)[0]]
        else:  # a large district: each community against its candidates, as its list is chosen
            scored = [(js, row[0]) for js, row in (rec.scorer.score_row(qi) for qi in chunk.tolist())]
        for (js, scores), qi in zip(scored, chunk.tolist(), strict=True):
            query = eng.nodes[qi]
            picks = rec.chooser.picks(query, scores, np.isfinite(scores), k, None, rank, js).closing
            first = GainState(rec.scorer.tables, qi)
            if picks:
                fit += int(first.offers_lacking(rec.scorer.cols[[p.j for p in picks]]).sum())
            listed += len(picks)
            done = sum(float(np.clip(p.closed, 0, None).sum()) for p in picks)
            closed.append(done / float(first.lacking().sum()))
            steps.advance()
    return float(np.mean(closed)) if closed else 0.0, fit / listed if listed else 0.0, len(closed)
