"""The link model: how plausible a partnership is, learned on the graph itself and checked against single signals.

A candidate pair gets the signals of :mod:`graphsvc.analysis.linkmodel.signals`; the model's score is a linear
function of them (structural counts on a ``log1p`` scale)::

    score = sum_i  w_i * (t_i(x_i) - m_i)

where ``m_i`` is the signal's mean over the pairs the weights were fitted on, and a calibrated
probability that the partnership forms is ``sigmoid(a * score + b)`` (Platt scaling on the inner split,
its intercept moved from the inner sample's share of positives to the share among all unlinked pairs).

How the weights are chosen, and why
-----------------------------------
No single signal is best on every graph: on the partnership graph 2-hop indices
are almost always zero and need-fit, street and L3 carry the information; on a
protein or airport network the 2-hop indices or L3 win. So the weights are
*learned on the graph itself* and *checked against the single signals*:

1. Hide 20% of the training graph's links of the task's kind (inner split,
   ``seed``); draw 50 negatives per hidden link from the same kind of pair.
   Small graphs repeat this with fresh seeds (up to :data:`MAX_REPEATS` times,
   about :data:`TARGET_INNER_LINKS` hidden links in all): the selection in
   step 4 is only as good as the number of links it is measured on. Large
   ones (a city) score a seeded sample of at most :data:`MAX_INNER_LINKS` of
   the hidden links: still 20% are hidden, so the signals are computed on a
   graph as sparse as at any size, but the scored pairs stop growing with it.
2. Compute every signal on the inner training graph, and fit a class-balanced,
   L2-regularised logistic regression (IRLS) on standardised signals. (A
   per-link softmax, the ranking likelihood, was measured too and did worse at
   Hits@10 on the robustness matrix and the district, so it was not kept.)
3. Score candidates with 2-fold cross-fitting over the hidden links (a link
   hidden in several repeats stays in one fold): the learned weighting; every
   structural signal alone (the evaluation's baselines); and every structural
   signal with the learned weighting as a *tie-breaker* (ranked by the signal,
   ties ordered by the learned score).
4. Choose with the one-standard-error rule, simplest first: find the best
   candidate by mean Hits@k over the hidden links (then MRR); take a signal
   alone if one trails it by at most :data:`MARGIN_SE` standard errors of the
   paired per-link difference, else the learned weighting, else a signal with
   the tie-breaker. A learned combination has to earn its place against the
   single signals by more than the inner noise.
5. The winner is refitted on all inner pairs and calibrated. On graphs with
   fewer than :data:`MIN_POSITIVES` links of the task's kind, documented prior
   weights are used instead.

What this cannot promise: on one evaluation split, the best of six baselines
is itself picked with hindsight, so on graphs where the signals are nearly
equal (or carry no information, as in an Erdos-Renyi graph) or with a few
dozen test links (karate: 16) it can beat any fixed choice by noise alone.
``bench/evaluate_robustness.py`` measures how often and by how much.

Everything random takes ``seed``; the same graph and seed give the same model.

>>> import networkx as nx
>>> model = fit_model(nx.karate_club_graph(), seed=0)
>>> model.name in {"learned", "prior"} or model.name in SIGNALS or model.name.endswith("+learned")
True
>>> bool(0 < model.probability(np.array([0.0]))[0] < 1)
True
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
from scipy.special import digamma, expit, logit

from graphsvc.analysis.core.common import check_graph
from graphsvc.analysis.core.outcomes import outcome_labels, recalibrated
from graphsvc.analysis.linkmodel.linkpred import (
    PairTask,
    held_out,
    in_order_sample,
    sample_negatives,
    task_for,
    without_links,
)
from graphsvc.analysis.linkmodel.recent_fits import RecentResults, constants, inputs_digest, read_only
from graphsvc.analysis.linkmodel.signals import SIGNALS, STRUCTURAL, SignalEngine, transform
from graphsvc.progress import Progress, Steps

MIN_POSITIVES = 20
"""Below this many links of the task's kind, weights are not learned but taken from :data:`PRIOR_WEIGHTS`."""
INNER_FRACTION = 0.2
INNER_NEGATIVES = 50
TARGET_INNER_LINKS = 1000
MAX_REPEATS = 20
"""Small graphs repeat the inner split (fresh seeds) until about this many hidden links are scored, at most 20 times."""
MAX_INNER_LINKS = 10_000
"""Hidden links of an inner split scored at most (each with :data:`INNER_NEGATIVES` negatives): beyond, a seeded
sample of them. Selection and weights need thousands of links, not every link of a province: at 100,000
communities an inner split hides ~110,000 links (5.6 million scored pairs); small districts hide far fewer."""
L2 = 1.0
MARGIN_SE = 1.0
"""A simpler candidate is preferred unless it trails the best by more than this many paired standard errors."""
TIE_BREAK = 1e-6
DECIMALS = 9
"""Scores are compared rounded to this many decimals (then by node id), so both paths rank alike."""
STEPS_PER_SPLIT = 4
"""Progress steps of each inner split: the split, its negatives, the signals on the rest, the pairs' features."""

PRIOR_WEIGHTS: dict[str, float] = {
    "common_neighbors": 0.5,
    "adamic_adar": 0.0,
    "resource_allocation": 1.0,
    "preferential_attachment": 0.1,
    "l3": 1.0,
    "gap_fit": 3.0,
    "fills_role": 1.0,
    "same_street": 1.0,
    "street_hub": 0.5,
    "headroom_share": 0.5,
}
"""Weights on transformed signals for graphs too small to learn from: need first, then proximity."""


# -- the linear model ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkModel:
    """A linear score over transformed signals: ``sum_i weights[i] * (t_i - means[i])``."""

    name: str
    weights: np.ndarray
    means: np.ndarray
    selection: dict[str, float] = field(default_factory=dict)
    """Cross-fitted Hits@k of every candidate model on the inner split (empty for the prior)."""
    calibration: tuple[float, float] = (1.0, 0.0)
    """``(a, b)`` of the probability ``sigmoid(a * score + b)`` that a pair links (see module doc)."""
    explain: np.ndarray | None = None
    """Weights reasons are computed with, where they differ from ``weights``: a signal ranked with a
    tie-breaker is explained by the signal and by the tie-breaker at full scale (the order it imposes among
    candidates tied on the signal), not by the vanishing share the tie-breaker has in the score."""
    shown_calibration: tuple[float, float] | None = None
    """The calibration the held-out links gave, before recorded outcomes moved it (``None``: no outcome did;
    see :func:`learn_from_outcomes`)."""
    outcomes: int = 0
    """How many recorded outcomes (accepted or formed, declined) the calibration learned from."""

    def score(self, T: np.ndarray) -> np.ndarray:
        """Scores of transformed feature rows ``T`` (last axis = :data:`SIGNALS`)."""
        return np.asarray((T - self.means) @ self.weights)

    def contributions(self, t: np.ndarray) -> np.ndarray:
        """Each signal's term of the score of one transformed row ``t`` (with the ``explain`` weights if set)."""
        return np.asarray((t - self.means) * (self.weights if self.explain is None else self.explain))

    def terms(self, t: np.ndarray) -> np.ndarray:
        """Each signal's term of the score of one transformed row ``t``; they add up to the score."""
        return np.asarray((t - self.means) * self.weights)

    def probability(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probability that each pair with these scores links (``-inf`` scores: 0)."""
        a, b = self.calibration
        with np.errstate(invalid="ignore", over="ignore"):
            p = expit(a * np.asarray(scores, dtype=float) + b)
        return np.asarray(np.nan_to_num(p, nan=0.0))

    @property
    def base_probability(self) -> float:
        """The probability of an average candidate (score 0)."""
        return float(expit(self.calibration[1]))

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "weights": {f: float(f"{w:.6g}") for f, w in zip(SIGNALS, self.weights, strict=True) if w},
        }


def prior_model(typed: bool, *, base_rate: float = 0.01) -> LinkModel:
    """The documented prior weights (structural only on generic graphs).

    ``base_rate`` is the probability given to an average candidate (the calibration's intercept).

    >>> prior_model(False).describe()["weights"]
    {'common_neighbors': 0.5, 'resource_allocation': 1.0, 'preferential_attachment': 0.1, 'l3': 1.0}
    """
    w = np.array([PRIOR_WEIGHTS[f] if typed or f in STRUCTURAL else 0.0 for f in SIGNALS])
    return LinkModel("prior", w, np.zeros(len(SIGNALS)), calibration=(1.0, float(logit(base_rate))))


def _base_rate(G: nx.Graph, task: PairTask, links: int) -> float:
    """Share of linked pairs among the task's pairs (bounded away from 0 and 1)."""
    pairs = len(task.queries) * len(task.candidates)
    return float(np.clip(links / max(1, pairs), 1e-6, 0.5))


def _calibrate(model: LinkModel, data: _InnerData, base_rate: float) -> LinkModel:
    """Platt scaling of ``model`` on the inner pairs, intercept moved to the base rate of unlinked pairs."""
    T, starts = data.take(np.arange(len(data.starts)))
    if len(starts) < 2:
        return model
    s = model.score(T)
    y = np.zeros(len(T))
    y[starts] = 1.0
    sd = float(s.std()) or 1.0
    beta = _logistic((s / sd)[:, None], y, l2=1e-3)
    # _logistic balances the classes: its intercept is for a 50% share of positives; move it to the base rate
    a, b = float(beta[0] / sd), float(beta[1]) + float(logit(base_rate))
    return replace(model, calibration=(a, b))


def _logistic(Z: np.ndarray, y: np.ndarray, *, l2: float = L2, iterations: int = 50) -> np.ndarray:
    """Class-balanced L2 logistic regression by IRLS; returns ``[w..., bias]``."""
    n, d = Z.shape
    X = np.hstack([Z, np.ones((n, 1))])
    pos = max(1.0, float(y.sum()))
    neg = max(1.0, float(n - y.sum()))
    sw = np.where(y > 0, n / (2 * pos), n / (2 * neg))
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6
    beta = np.zeros(d + 1)
    for _ in range(iterations):
        p = expit(X @ beta)
        grad = X.T @ (sw * (p - y)) + reg * beta
        hess = (X * (sw * p * (1 - p))[:, None]).T @ X + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def _fit_learned(T: np.ndarray, starts: np.ndarray, active: np.ndarray) -> LinkModel:
    """The learned weighting on grouped rows ``T`` (each group: its positive, then its negatives)."""
    mu = T.mean(axis=0)
    sd = T.std(axis=0)
    use = active & (sd > 1e-12)
    w = np.zeros(T.shape[1])
    if use.any():
        y = np.zeros(len(T))
        y[starts] = 1.0
        w[use] = _logistic((T[:, use] - mu[use]) / sd[use], y)[:-1] / sd[use]
    return LinkModel("learned", w, mu)


def _candidates(T: np.ndarray, starts: np.ndarray, active: np.ndarray) -> list[LinkModel]:
    """The learned weighting, then every structural signal alone and with the learned one as a tie-breaker."""
    learned = _fit_learned(T, starts, active)
    mu = T.mean(axis=0)
    sd = T.std(axis=0)
    out = [learned]
    scale = float(np.abs(learned.score(T)).max()) or 1.0
    for i, name in enumerate(SIGNALS):
        if name not in STRUCTURAL or not active[i] or sd[i] <= 1e-12:
            continue
        single = np.zeros(len(SIGNALS))
        single[i] = 1.0 / sd[i]
        out.append(LinkModel(name, single, mu))
        tied = LinkModel(f"{name}+learned", single + learned.weights * TIE_BREAK / scale, mu)
        out.append(replace(tied, explain=single + learned.weights))
    return out


def _per_group(scores: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Expected Hits@k and reciprocal rank of each group's positive (ties broken in expectation)."""
    sizes = np.diff(np.append(starts, len(scores)))
    pos = np.repeat(scores[starts], sizes)
    above = np.add.reduceat((scores > pos).astype(float), starts)
    tied = np.add.reduceat((scores == pos).astype(float), starts) - 1
    hits = np.clip(k - above, 0, tied + 1) / (tied + 1)
    rr = (digamma(above + tied + 2) - digamma(above + 1)) / (tied + 1)
    return hits, rr


@dataclass(frozen=True)
class _InnerData:
    """Transformed features of inner held-out links and their negatives, grouped (positive first)."""

    T: np.ndarray
    starts: np.ndarray
    links: np.ndarray
    """Id of each group's hidden link (the same link may be hidden in several repeats)."""
    excluded: np.ndarray

    def take(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and group starts of ``groups`` for fitting (excluded candidates left out)."""
        sizes = np.diff(np.append(self.starts, len(self.T)))
        rows = [np.arange(self.starts[g], self.starts[g] + sizes[g]) for g in groups]
        rows = [r[~self.excluded[r]] for r in rows if not self.excluded[r[0]]]
        if not rows:
            return self.T[:0], np.zeros(0, dtype=np.int64)
        lengths = np.array([len(r) for r in rows])
        return self.T[np.concatenate(rows)], np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _inner_data(
    G: nx.Graph,
    task: PairTask,
    rng: np.random.Generator,
    repeats: int,
    steps: Steps,
    *,
    max_links: int | None = MAX_INNER_LINKS,
    told: Told | None = None,
    edges: Sequence[tuple[Hashable, Hashable]] | None = None,
) -> _InnerData:
    """The inner splits' hidden links (at most ``max_links`` per split, a sample drawn with ``rng`` beyond: the
    draws of smaller graphs stay as they were) and their negatives, scored on the rest of each split's graph.

    ``told`` (:func:`_told`): suggestions taken up join every split as positives (with negatives drawn as a hidden
    link's are), and partners that declined a community join the negatives of each of its positives. ``edges``:
    the task's edges of ``G`` if the caller has them (:func:`~graphsvc.analysis.linkmodel.linkpred.held_out`)."""
    typed = task.kind == "community-partner"
    blocks: list[np.ndarray] = []
    starts: list[int] = []
    links: list[int] = []
    masks: list[np.ndarray] = []
    link_id: dict[tuple[Hashable, Hashable], int] = {}
    offset = 0
    for _ in range(repeats):
        hidden = held_out(G, task, fraction=INNER_FRACTION, seed=int(rng.integers(2**31)), edges=edges)
        inner = without_links(G, hidden)  # what split_edges() gives, without the links' attributes
        if max_links is not None and len(hidden) > max_links:
            hidden = in_order_sample(hidden, max_links, rng)
        steps.advance()
        taken_up, declined = told or ([], {})
        held = set(hidden)
        hidden = [*hidden, *(pair for pair in taken_up if pair not in held)]
        negatives = sample_negatives(G, task, hidden, per_positive=INNER_NEGATIVES, seed=int(rng.integers(2**31)))
        if told is not None:
            negatives = [
                [*(c for c in negs if c != v), *(d for d in declined.get(u, []) if d not in negs and d != v)]
                for (u, v), negs in zip(hidden, negatives, strict=True)
            ]
        steps.advance()
        engine = SignalEngine(inner)
        index = engine.index
        queries: list[int] = []  # per group: its community's engine index, then its pairs' candidates
        candidates: list[Hashable] = []
        sizes: list[int] = []
        for (u, v), negs in zip(hidden, negatives, strict=True):
            if not negs:
                continue
            starts.append(offset + len(candidates))
            links.append(link_id.setdefault((u, v), len(link_id)))
            queries.append(index[u])
            sizes.append(1 + len(negs))
            candidates.append(v)
            candidates.extend(negs)
        us = np.repeat(np.array(queries, dtype=np.int64), sizes)
        vs = np.fromiter((index[c] for c in candidates), dtype=np.int64, count=len(candidates))
        steps.advance()
        blocks.append(transform(engine.index_features(us, vs)))
        masks.append(_at_capacity(engine, vs) if typed else np.zeros(len(vs), dtype=bool))
        offset += len(vs)
        steps.advance()
    return _InnerData(
        np.vstack(blocks), np.array(starts, dtype=np.int64), np.array(links, dtype=np.int64), np.concatenate(masks)
    )


def fit_model(
    G: nx.Graph,
    *,
    seed: int | None = 0,
    k: int = 10,
    task: PairTask | None = None,
    inner_links: int | None = MAX_INNER_LINKS,
    progress: Progress | None = None,
) -> LinkModel:
    """Learn the weighting on an inner split of ``G``, select it against the single signals, calibrate it.

    Parameters
    ----------
    G : networkx.Graph
        The training graph (not changed).
    seed : int, optional
        Seed of the inner splits and negatives.
    k : int
        Cut-off of the Hits@k the candidates are selected by.
    task : PairTask, optional
        Which pairs are predicted (default: :func:`~graphsvc.analysis.linkmodel.linkpred.task_for` of ``G``).
    inner_links : int, optional
        Hidden links of an inner split scored at most (``None``: all); beyond, a sample drawn with ``seed``.
    progress : callable, optional
        A :data:`graphsvc.progress.Progress` hook, called with ``(done, total)``: :data:`STEPS_PER_SPLIT` per
        inner split (split, negatives, signals, features), per fold one for the learned weighting fitted on it
        and one per candidate model scored, and one for the final fit.

    Returns
    -------
    LinkModel
        The selected weighting with its calibration (the prior below :data:`MIN_POSITIVES` links), moved towards
        the outcomes recorded in ``G`` if any (:func:`learn_from_outcomes`).

    Notes
    -----
    A fit is deterministic, so the process keeps its last few in :data:`RECENT_FITS` by a digest of their
    inputs (the graph with its attributes, the other arguments and this module's constants; see
    :mod:`graphsvc.analysis.linkmodel.recent_fits`) and hands back the same model for equal inputs at once (``progress``
    then reports one finished step). The model's arrays are read-only: it may be shared.

    Examples
    --------
    >>> fit_model(nx.path_graph(6)).name      # 5 links: too few to learn from
    'prior'
    >>> G = nx.karate_club_graph()
    >>> fit_model(G, seed=1) is fit_model(G, seed=1)    # the second one is remembered
    True
    """
    check_graph(G)
    digest = inputs_digest(G, seed, k, task, inner_links, constants(globals()))
    model = RECENT_FITS.get(digest)
    if model is not None:
        Steps(progress, 1).finish()
        return model
    model = _fit(G, seed=seed, k=k, task=task, inner_links=inner_links, progress=progress)
    model = learn_from_outcomes(model, G, task=task)
    read_only(model.weights, model.means, model.explain)
    RECENT_FITS.put(digest, model)
    return model


RECENT_FITS: RecentResults[LinkModel] = RecentResults(size=4)
"""This process's last fits by their inputs; ``RECENT_FITS.clear()`` makes the next fit compute again."""


def _fit(
    G: nx.Graph,
    *,
    seed: int | None,
    k: int,
    task: PairTask | None,
    inner_links: int | None,
    progress: Progress | None,
) -> LinkModel:
    """:func:`fit_model` computed."""
    steps = Steps(progress, 1)  # the final fit; the inner splits and the candidates x folds are added below
    task = task or task_for(G)
    typed = task.kind == "community-partner"
    active = np.array([typed or f in STRUCTURAL for f in SIGNALS])
    rng = np.random.default_rng(seed)
    edges = task.target_edges(G, np.random.default_rng(0))
    n_edges = len(edges)
    base = _base_rate(G, task, n_edges)
    if n_edges < MIN_POSITIVES:
        steps.finish()
        return prior_model(typed, base_rate=base)
    repeats = int(min(MAX_REPEATS, max(1, np.ceil(TARGET_INNER_LINKS / max(1.0, INNER_FRACTION * n_edges)))))
    expected = 2 * (1 + 1 + 2 * sum(f in STRUCTURAL for f in SIGNALS))  # per fold: its fit, its candidates (at most)
    steps.add(STEPS_PER_SPLIT * repeats + expected)
    data = _inner_data(G, task, rng, repeats, steps, max_links=inner_links, told=_told(G, task), edges=edges)
    n_groups = len(data.starts)
    if n_groups < 2:
        steps.finish()
        return prior_model(typed, base_rate=base)
    # 2-fold cross-fitting, folds by hidden link so a link hidden in several repeats is never on both sides
    side = rng.permutation(int(data.links.max()) + 1) % 2
    fold_of = side[data.links]
    hits: dict[str, np.ndarray] = {}
    rr: dict[str, np.ndarray] = {}
    folds: list[tuple[np.ndarray, list[LinkModel]]] = []
    for f in (0, 1):
        test = np.flatnonzero(fold_of == f)
        T_fit, starts_fit = data.take(np.flatnonzero(fold_of != f))
        if len(test) == 0 or len(starts_fit) < 2:
            continue
        folds.append((test, _candidates(T_fit, starts_fit, active)))
        steps.advance()
    steps.add(sum(1 + len(models) for _, models in folds) - expected - len(folds))
    for test, models in folds:
        centered, means = data.T, None  # a fold's candidates share their means: the rows centred once per fold
        for model in models:
            if means is None or not np.array_equal(model.means, means):
                centered, means = data.T - model.means, model.means
            s = np.round(np.asarray(centered @ model.weights), DECIMALS)  # = model.score(data.T)
            s[data.excluded] = -np.inf
            h, r = _per_group(s, data.starts, k)
            hits.setdefault(model.name, np.zeros(n_groups))[test] = h[test]
            rr.setdefault(model.name, np.zeros(n_groups))[test] = r[test]
            steps.advance()
    if "learned" not in hits:
        steps.finish()
        return prior_model(typed, base_rate=base)
    best = _select(hits, rr)
    T_all, starts_all = data.take(np.arange(n_groups))
    final = {m.name: m for m in _candidates(T_all, starts_all, active)}[best]
    selection = {name: round(float(h.mean()), 6) for name, h in hits.items()}
    model = replace(_calibrate(final, data, base), selection=selection)
    steps.advance()
    return model


def _select(hits: dict[str, np.ndarray], rr: dict[str, np.ndarray]) -> str:
    """The simplest candidate not worse than the best by more than the noise (see module doc, step 4).

    Tiers from simple to complex: a signal alone, the learned weighting (one linear score), a signal
    with the learned tie-breaker (two scores in turn). The best candidate is the one with the highest
    mean Hits@k (then MRR); a tier is taken if one of its candidates trails the best by at most
    ``MARGIN_SE`` standard errors of the paired per-link difference, and within a tier the best such
    candidate wins.
    """

    def key(name: str) -> tuple[float, float]:
        return round(float(hits[name].mean()), 12), round(float(rr[name].mean()), 12)

    best = max(hits, key=key)
    tiers = [
        [n for n in hits if n != "learned" and not n.endswith("+learned")],
        ["learned"],
        [n for n in hits if n.endswith("+learned")],
    ]
    for tier in tiers:
        close = []
        for name in tier:
            diff = hits[best] - hits[name]
            se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
            if float(diff.mean()) <= MARGIN_SE * se:
                close.append(name)
        if close:
            return max(close, key=key)
    return best


def excluded(engine: SignalEngine, pairs: Sequence[tuple[Hashable, Hashable]]) -> np.ndarray:
    """Pairs whose candidate is a partner at capacity (no headroom left, a capacity set)."""
    index = engine.index
    return _at_capacity(engine, np.fromiter((index[v] for _, v in pairs), dtype=np.int64, count=len(pairs)))


def _at_capacity(engine: SignalEngine, candidates: np.ndarray) -> np.ndarray:
    """:func:`excluded` of pairs given by their candidates' engine indices."""
    return np.asarray(engine.is_partner[candidates] & (engine.headroom[candidates] == 0))


Told = tuple[list[tuple[Hashable, Hashable]], dict[Hashable, list[Hashable]]]
"""What recorded outcomes tell the fit: the suggestions taken up that are not links of the graph, and per community
the partners that declined it."""


def _told(G: nx.Graph, task: PairTask) -> Told | None:
    """The recorded outcomes the fit learns from (:data:`Told`), or ``None`` if there are none.

    >>> G = nx.Graph([("c", "a")])
    >>> G.add_node("c", kind="community"); G.add_nodes_from(["a", "p", "q"], kind="organization")
    >>> G.graph["outcomes"] = [{"community": "c", "partner": p, "status": s, "at": "2026-01-01"}
    ...                        for p, s in (("a", "formed"), ("p", "accepted"), ("q", "declined"))]
    >>> _told(G, task_for(G))
    ([('c', 'p')], {'c': ['q']})
    """
    labels = outcome_labels(G)
    usable = [
        (c, p) for c, p in labels if c in G and p in G and c != p and task.is_query(G, c) and task.is_candidate(G, p)
    ]
    if not usable:
        return None
    taken_up = sorted(((c, p) for c, p in usable if labels[(c, p)] == 1 and not G.has_edge(c, p)), key=str)
    declined: dict[Hashable, list[Hashable]] = {}
    for c, p in sorted(usable, key=str):
        if labels[(c, p)] == 0 and not G.has_edge(c, p):
            declined.setdefault(c, []).append(p)
    return taken_up, declined


def learn_from_outcomes(model: LinkModel, G: nx.Graph, *, task: PairTask | None = None) -> LinkModel:
    """``model`` with its calibration moved towards the outcomes recorded in ``G`` (``G.graph["outcomes"]``).

    Each pair whose last decided outcome is accepted or formed counts as a suggestion taken up, each declined one
    as a suggestion turned down (:func:`~graphsvc.analysis.core.outcomes.outcome_labels`). A pair is scored as it was
    suggested: on ``G`` without its own link, if it formed since. The calibration the held-out links gave is the
    prior the outcomes move (:func:`~graphsvc.analysis.core.outcomes.recalibrated`), and is kept as
    ``shown_calibration``. Without outcomes, ``model`` itself.

    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", needs={"health": 1.0})
    >>> G.add_nodes_from(["p", "q"], kind="organization", offers={"health": 1.0})
    >>> G.graph["outcomes"] = [{"community": "c", "partner": p, "status": "declined", "at": "2026-01-01",
    ...                         "reason": "other"} for p in ("p", "q")]
    >>> before = prior_model(True)
    >>> after = learn_from_outcomes(before, G)
    >>> after.outcomes, after.base_probability < before.base_probability
    (2, True)
    """
    labels = outcome_labels(G)
    if not labels:
        return model
    task = task or task_for(G)
    pairs = [
        (c, p) for c, p in labels if c in G and p in G and c != p and task.is_query(G, c) and task.is_candidate(G, p)
    ]
    if not pairs:
        return model
    H = G.copy()
    H.remove_edges_from(pairs)  # each pair as it was when it was suggested
    scores = np.round(model.score(transform(SignalEngine(H).pair_features(pairs))), DECIMALS)
    y = np.array([labels[pair] for pair in pairs], dtype=float)
    calibration = recalibrated(model.calibration, scores, y)
    return replace(model, calibration=calibration, shown_calibration=model.calibration, outcomes=len(pairs))
