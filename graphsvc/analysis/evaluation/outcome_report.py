"""How suggestions fared: acceptance rates and the calibration of the shown probability against recorded outcomes.

``graphsvc evaluate`` adds this block when outcomes are recorded (:func:`outcome_report`). A *decided* pair is one
whose last decided outcome is accepted or formed (taken up) or declined (turned down); pairs only proposed,
contacted or lapsed are not counted. Its **shown probability** is the one recorded with its outcomes (what the
list showed the planner), else the link model's before it learned from outcomes (``shown_calibration``): the
probability a list would have shown for the pair, scored on the graph without its own link.

* acceptance: taken up / decided, by rank mode (as recorded with the outcome), by the community's street and by the
  partner's kind;
* calibration: the Brier score (mean squared gap between the shown probability and what happened), a
  reliability table (pairs grouped by shown probability in bins of equal width: each bin's mean shown
  probability beside its observed acceptance) and the expected calibration error (the bins' gaps, weighted by
  their share of pairs).

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.model_selection import prior_model
>>> G = nx.Graph()
>>> G.add_node("c", kind="community", street="S", needs={"health": 1.0})
>>> G.add_nodes_from(["p", "q"], kind="organization", offers={"health": 1.0})
>>> G.graph["outcomes"] = [
...     {"community": "c", "partner": "p", "status": "accepted", "at": "2026-01-01", "reason": None,
...      "by": None, "rank": "gain", "probability": 0.8},
...     {"community": "c", "partner": "q", "status": "declined", "at": "2026-01-01", "reason": "too_far",
...      "by": None, "rank": "gain", "probability": 0.4}]
>>> report = outcome_report(G, prior_model(True))
>>> report.acceptance["by_street"]["S"].rate, report.brier, report.ece
(0.5, 0.1, 0.3)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict

from graphsvc.analysis.core.outcomes import outcome_labels, outcome_rows
from graphsvc.analysis.linkmodel.linkpred import task_for
from graphsvc.analysis.linkmodel.model_selection import LinkModel
from graphsvc.analysis.linkmodel.signals import SignalEngine, transform

BINS = 10
"""Bins of equal width of the shown probability in the reliability table."""
UNKNOWN = "(none)"
"""The group of pairs whose street (or kind) is not recorded."""


class Acceptance(BaseModel):
    """How many decided suggestions a group holds, how many were taken up, and the rate."""

    model_config = ConfigDict(extra="forbid")

    decided: int
    accepted: int
    rate: float


class ReliabilityBin(BaseModel):
    """Pairs whose shown probability lies in ``[low, high)``: their mean shown probability and observed rate."""

    model_config = ConfigDict(extra="forbid")

    low: float
    high: float
    count: int
    shown: float
    observed: float


class OutcomeReport(BaseModel):
    """The ``outcomes`` block of ``graphsvc evaluate --json``."""

    model_config = ConfigDict(extra="forbid")

    decided: int
    shown_recorded: int
    """Decided pairs whose shown probability was recorded with the outcome (the others: the model's)."""
    acceptance: dict[str, dict[str, Acceptance]]
    """``overall`` (one group, ``all``), ``by_rank_mode``, ``by_street``, ``by_partner_kind``."""
    brier: float
    ece: float
    reliability: list[ReliabilityBin]


def _acceptance(groups: dict[str, list[int]]) -> dict[str, Acceptance]:
    return {
        name: Acceptance(decided=len(ys), accepted=sum(ys), rate=round(sum(ys) / len(ys), 6))
        for name, ys in sorted(groups.items())
    }


def outcome_report(G: nx.Graph, model: LinkModel, *, bins: int = BINS) -> OutcomeReport | None:
    """Acceptance and calibration of the suggestions recorded in ``G`` (see the module doc); ``None`` if no
    suggestion was decided (accepted, formed or declined).

    ``model`` gives the shown probability of a pair recorded without one: with its ``shown_calibration`` (the
    calibration before outcomes moved it) if it learned from outcomes, else its calibration.
    """
    labels = outcome_labels(G)
    pairs = [pair for pair in labels if pair[0] in G and pair[1] in G]
    if not pairs:
        return None
    recorded: dict[tuple[Hashable, Hashable], dict[str, Any]] = {}
    for row in outcome_rows(G):  # the last rank and probability recorded in each pair's history
        kept = recorded.setdefault((row["community"], row["partner"]), {})
        kept.update({key: row[key] for key in ("rank", "probability") if row.get(key) is not None})
    shown = np.array([float(recorded[p]["probability"]) if "probability" in recorded[p] else np.nan for p in pairs])
    missing = np.flatnonzero(np.isnan(shown))
    if len(missing):
        unrecorded = [pairs[i] for i in missing]
        task = task_for(G)
        H = G.copy()
        H.remove_edges_from(unrecorded)
        scores = model.score(transform(SignalEngine(H).pair_features(unrecorded)))
        a, b = model.shown_calibration or model.calibration
        shown[missing] = LinkModel("shown", model.weights, model.means, calibration=(a, b)).probability(scores)
        for i, (c, p) in zip(missing.tolist(), unrecorded, strict=True):
            if not (task.is_query(G, c) and task.is_candidate(G, p)):
                shown[i] = np.nan
    y = np.array([labels[p] for p in pairs], dtype=float)
    ok = ~np.isnan(shown)
    groups: dict[str, dict[str, list[int]]] = {k: defaultdict(list) for k in ("by_rank_mode", "by_street")}
    groups["by_partner_kind"] = defaultdict(list)
    overall: dict[str, list[int]] = {"all": []}
    for (c, p), label in zip(pairs, y.astype(int).tolist(), strict=True):
        overall["all"].append(label)
        rank = recorded[(c, p)].get("rank")
        if rank is not None:
            groups["by_rank_mode"][str(rank)].append(label)
        groups["by_street"][str(G.nodes[c].get("street") or UNKNOWN)].append(label)
        groups["by_partner_kind"][str(G.nodes[p].get("kind") or UNKNOWN)].append(label)
    s, yy = shown[ok], y[ok]
    table: list[ReliabilityBin] = []
    ece = 0.0
    at = np.clip(np.floor(np.round(s * bins, 9)).astype(np.int64), 0, bins - 1)  # 1.0 joins the last bin
    for b in range(bins):
        inside = at == b
        if not inside.any():
            continue
        mean_shown, observed = float(s[inside].mean()), float(yy[inside].mean())
        ece += inside.sum() / max(1, len(s)) * abs(mean_shown - observed)
        table.append(
            ReliabilityBin(
                low=round(b / bins, 6),
                high=round((b + 1) / bins, 6),
                count=int(inside.sum()),
                shown=round(mean_shown, 6),
                observed=round(observed, 6),
            )
        )
    return OutcomeReport(
        decided=len(pairs),
        shown_recorded=len(pairs) - len(missing),
        acceptance={"overall": _acceptance(overall), **{name: _acceptance(g) for name, g in groups.items()}},
        brier=round(float(np.mean((s - yy) ** 2)), 6) if len(s) else 0.0,
        ece=round(float(ece), 6),
        reliability=table,
    )
