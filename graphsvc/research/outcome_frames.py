"""What became of suggestions, as tables: the recorded outcomes, acceptance by group, the reliability table."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from graphsvc.analysis.core.outcomes import outcome_rows
from graphsvc.analysis.evaluation.outcome_report import OutcomeReport
from graphsvc.vocabulary import DeclineReason, OutcomeStatus

__all__ = ["acceptance_frame", "outcomes_frame", "reliability_frame"]

OUTCOME_COLUMNS = [
    "at",
    "community",
    "community_name",
    "street",
    "partner",
    "partner_name",
    "partner_kind",
    "status",
    "status_zh",
    "reason",
    "reason_zh",
    "by",
    "rank",
    "probability",
]


def outcomes_frame(G: nx.Graph) -> pd.DataFrame:
    """One row per outcome recorded in ``G`` (oldest first), with names, the community's street, the partner's
    kind and the status and reason in Chinese beside their codes.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", name="社区", street="S"); G.add_node("p", kind="media", name="报")
    >>> G.graph["outcomes"] = [{"community": "c", "partner": "p", "status": "declined", "at": "2026-01-02",
    ...                         "reason": "too_far", "by": None, "rank": None, "probability": None}]
    >>> outcomes_frame(G)[["street", "partner_kind", "status_zh", "reason_zh"]].values.tolist()
    [['S', 'media', '已婉拒', '距离太远']]
    """
    rows = []
    for r in outcome_rows(G):
        c, p = r["community"], r["partner"]
        rows.append(
            {
                "at": r["at"],
                "community": c,
                "community_name": G.nodes[c].get("name") if c in G else None,
                "street": G.nodes[c].get("street") if c in G else None,
                "partner": p,
                "partner_name": G.nodes[p].get("name") if p in G else None,
                "partner_kind": G.nodes[p].get("kind") if p in G else None,
                "status": r["status"],
                "status_zh": OutcomeStatus(r["status"]).zh,
                "reason": r.get("reason"),
                "reason_zh": DeclineReason(r["reason"]).zh if r.get("reason") else None,
                "by": r.get("by"),
                "rank": r.get("rank"),
                "probability": r.get("probability"),
            }
        )
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def acceptance_frame(report: OutcomeReport) -> pd.DataFrame:
    """One row per group of :attr:`OutcomeReport.acceptance` (``by``: overall, by_rank_mode, by_street,
    by_partner_kind): decided suggestions, those taken up, and the rate."""
    rows = [
        {"by": by, "group": group, **a.model_dump()}
        for by, groups in report.acceptance.items()
        for group, a in groups.items()
    ]
    return pd.DataFrame(rows, columns=["by", "group", "decided", "accepted", "rate"])


def reliability_frame(report: OutcomeReport) -> pd.DataFrame:
    """The reliability table: one row per bin of shown probability with its pairs, mean shown probability and
    observed acceptance; ``frame.attrs`` holds the Brier score and the expected calibration error."""
    df = pd.DataFrame(
        [b.model_dump() for b in report.reliability], columns=["low", "high", "count", "shown", "observed"]
    )
    df.attrs.update(brier=report.brier, ece=report.ece)
    return df
