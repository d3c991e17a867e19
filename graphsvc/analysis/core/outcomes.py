"""What became of suggestions: the recorded outcomes a snapshot carries, read for the lists and the link model.

A snapshot graph keeps the outcomes recorded in its store as ``G.graph["outcomes"]`` (plain rows, see
:mod:`graphsvc.graph`). Two things follow from them:

* **declines**: a partner whose last word to a community is ``declined`` is left out of that community's lists
  (:func:`declined_pairs`; the signal engine scores the pair ``-inf``, as a pair outside a partner's service
  area), and ``explain`` says when and why; :func:`without_declines` gives the graph that lists them again;
* **learning**: pairs whose last decided outcome is ``accepted`` or ``formed`` are partnerships that formed
  after a suggestion, pairs that ``declined`` are suggestions that did not (:func:`outcome_labels`). The link
  model's calibration is moved towards them (:func:`recalibrated`), with the held-out links' calibration as
  the prior: a few outcomes move it a little, many move it to what they show.

>>> import networkx as nx
>>> G = nx.Graph(outcomes=[
...     {"community": "c", "partner": "p", "status": "contacted", "at": "2026-01-05", "reason": None},
...     {"community": "c", "partner": "p", "status": "declined", "at": "2026-02-01", "reason": "too_far"},
...     {"community": "c", "partner": "q", "status": "accepted", "at": "2026-02-01", "reason": None}])
>>> declined_pairs(G)[("c", "p")]["reason"], sorted(outcome_labels(G).items())
('too_far', [(('c', 'p'), 0), (('c', 'q'), 1)])
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np
from scipy.special import expit

from graphsvc.vocabulary import NEGATIVE_OUTCOMES, OUTCOMES, POSITIVE_OUTCOMES, DeclineReason, OutcomeStatus

Pair = tuple[Hashable, Hashable]
STATUS_ORDER = {status.value: i for i, status in enumerate(OutcomeStatus)}
"""Outcomes of one pair on one day follow the order of a partnership's life (proposed ... lapsed)."""
PRIOR_PAIRS = 20.0
"""How many outcomes the held-out links' calibration is worth when outcomes move it (see :func:`recalibrated`)."""


def outcome_rows(G: nx.Graph) -> list[dict[str, Any]]:
    """The recorded outcomes of ``G``, oldest first (by date, then by the order of a partnership's life)."""
    rows: list[dict[str, Any]] = G.graph.get(OUTCOMES, [])
    return sorted(rows, key=lambda r: (str(r["at"]), STATUS_ORDER.get(r["status"], 0)))


def latest(G: nx.Graph) -> dict[Pair, dict[str, Any]]:
    """Each (community, partner) pair's last recorded outcome."""
    return {(r["community"], r["partner"]): r for r in outcome_rows(G)}


def declined_pairs(G: nx.Graph) -> dict[Pair, dict[str, Any]]:
    """The pairs whose last recorded outcome is a decline, with that outcome (its date, its reason)."""
    return {pair: r for pair, r in latest(G).items() if r["status"] == OutcomeStatus.DECLINED.value}


def declined_by(G: nx.Graph) -> dict[Hashable, list[Hashable]]:
    """For each community, the partners that declined it (last word), sorted."""
    out: dict[Hashable, list[Hashable]] = {}
    for community, partner in declined_pairs(G):
        out.setdefault(community, []).append(partner)
    return {c: sorted(ps, key=str) for c, ps in out.items()}


def without_declines(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` whose lists include partners that declined (their declines left out of its outcomes).

    >>> G = nx.Graph(outcomes=[{"community": "c", "partner": "p", "status": "declined", "at": "2026-02-01"}])
    >>> declined_pairs(without_declines(G)), declined_pairs(G) != {}
    ({}, True)
    """
    H = G.copy()
    kept = [r for r in G.graph.get(OUTCOMES, []) if r["status"] != OutcomeStatus.DECLINED.value]
    if kept:
        H.graph[OUTCOMES] = kept
    else:
        H.graph.pop(OUTCOMES, None)
    return H


def decline_texts(row: Mapping[str, Any]) -> tuple[str, str]:
    """What a decline says in zh and en: ``declined on 2026-02-01: too far``.

    >>> decline_texts({"at": "2026-02-01", "reason": "no_capacity"})
    ('已于2026-02-01婉拒：无力承接', 'declined on 2026-02-01: no capacity')
    """
    reason = DeclineReason(row["reason"]) if row.get("reason") else DeclineReason.OTHER
    return f"已于{row['at']}婉拒：{reason.zh}", f"declined on {row['at']}: {reason.en}"


def declined_keys(G: nx.Graph, index: Mapping[Hashable, int]) -> np.ndarray:
    """The declined pairs as sorted keys ``community_index * len(index) + partner_index`` (what the signal engine
    compares pairs with); pairs naming a node not in ``index`` are left out."""
    n = len(index)
    keys = [index[c] * n + index[p] for c, p in declined_pairs(G) if c in index and p in index]
    return np.array(sorted(keys), dtype=np.int64)


# -- learning from outcomes ----------------------------------------------------------------------------------------
def outcome_labels(G: nx.Graph) -> dict[Pair, int]:
    """Each pair's last *decided* outcome as a label: 1 if accepted or formed, 0 if declined (pairs only proposed,
    contacted or lapsed say nothing about whether a suggestion is taken up, and are left out)."""
    labels: dict[Pair, int] = {}
    for r in outcome_rows(G):
        status = OutcomeStatus(r["status"])
        if status in POSITIVE_OUTCOMES:
            labels[(r["community"], r["partner"])] = 1
        elif status in NEGATIVE_OUTCOMES:
            labels[(r["community"], r["partner"])] = 0
    return labels


def recalibrated(
    calibration: tuple[float, float],
    scores: np.ndarray,
    labels: np.ndarray,
    *,
    prior_pairs: float = PRIOR_PAIRS,
    iterations: int = 50,
) -> tuple[float, float]:
    """The calibration ``(a, b)`` of ``sigmoid(a * score + b)`` moved towards what outcomes show.

    A logistic fit of ``labels`` (1: taken up, 0: declined) on the pairs' ``scores``, shrunk towards the
    calibration the held-out links gave (``calibration``) by a penalty worth ``prior_pairs`` outcomes: with few
    outcomes the probabilities barely move, with many they follow the outcomes. Pairs with a score that is not
    finite are left out.

    >>> a, b = recalibrated((1.0, -0.4), np.zeros(100), np.array([1] * 10 + [0] * 90))
    >>> round(float(expit(-0.4)), 2), round(float(expit(b)), 2)   # told 40%, taken up 10%
    (0.4, 0.16)
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=float)
    ok = np.isfinite(s)
    s, y = s[ok], y[ok]
    if not len(s):
        return calibration
    prior = np.array(calibration, dtype=float)
    p0 = expit(prior[0] * s + prior[1])
    weight = max(float(np.mean(p0 * (1 - p0))), 1e-3) * prior_pairs
    spread = float(np.mean((s - s.mean()) ** 2)) + float(s.mean()) ** 2
    penalty = np.diag([weight * max(spread, 1e-6), weight])
    X = np.column_stack([s, np.ones(len(s))])
    beta = prior.copy()
    for _ in range(iterations):
        p = expit(X @ beta)
        grad = X.T @ (p - y) + penalty @ (beta - prior)
        hess = (X * (p * (1 - p))[:, None]).T @ X + penalty
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[0]), float(beta[1])
