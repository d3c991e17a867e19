"""Projects and the subscription fair as tables: a thin shape over the snapshot's projects and
:func:`graphsvc.analysis.fair.fair`."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import pandas as pd

from graphsvc.analysis.fair.match import FairResult, FairSponsor
from graphsvc.analysis.fair.match import fair as run_fair
from graphsvc.analysis.fair.match import first_come as run_first_come
from graphsvc.analysis.linkmodel.model_selection import LinkModel
from graphsvc.research.graphs import node_attribute
from graphsvc.viz.fair_sheet import CSV_COLUMNS, fair_rows
from graphsvc.vocabulary import ProjectStatus

__all__ = ["fair", "fair_frame", "fair_summary_frame", "projects_frame"]

PROJECT_COLUMNS = [
    "project",
    "community",
    "community_name",
    "street",
    "title",
    "status",
    "status_zh",
    "budget",
    "taken",
    "covers",
    "sponsors",
    "proposed_on",
    "start",
    "end",
]


def projects_frame(G: nx.Graph, *, status: str | None = None) -> pd.DataFrame:
    """One row per project of the snapshot (``status``: only those), with its community's name and street, what
    its sponsors take, and ``covers``/``sponsors`` as the files write them (``a:1; b:2``).

    Examples
    --------
    >>> from graphsvc.sample import sample_graph
    >>> df = projects_frame(sample_graph(communities=13, seed=1))
    >>> df.columns[:6].tolist(), set(df["status"]) <= {"proposed", "subscribed", "running", "closed"}
    (['project', 'community', 'community_name', 'street', 'title', 'status'], True)
    """
    wanted = ProjectStatus(status).value if status is not None else None
    rows = []
    for p in G.graph.get("projects") or []:
        if wanted is not None and p["status"] != wanted:
            continue
        rows.append(
            {
                "project": p["id"],
                "community": p["community"],
                "community_name": node_attribute(G, p["community"], "name"),
                "street": node_attribute(G, p["community"], "street"),
                "title": p["title"],
                "status": p["status"],
                "status_zh": ProjectStatus(p["status"]).zh,
                "budget": p["budget"],
                "taken": sum(a for _, a in p["sponsors"]),
                "covers": "; ".join(f"{k}:{v:g}" for k, v in p["covers"].items()),
                "sponsors": "; ".join(f"{s}:{a:g}" for s, a in p["sponsors"]),
                "proposed_on": p.get("proposed_on"),
                "start": p.get("start"),
                "end": p.get("end"),
            }
        )
    return pd.DataFrame(rows, columns=PROJECT_COLUMNS)


def fair(
    G: nx.Graph,
    *,
    model: LinkModel | None = None,
    sponsors: Sequence[FairSponsor] | None = None,
    street: str | None = None,
    solver: str = "auto",
) -> FairResult:
    """The fair (:func:`graphsvc.analysis.fair.fair`, the same function ``graphsvc fair`` and ``GET /fair`` call)."""
    return run_fair(G, model=model, sponsors=sponsors, street=street, solver=solver)


def fair_frame(result: FairResult) -> pd.DataFrame:
    """One row per project of a fair, matched or not, as the CSV of ``graphsvc fair --csv`` has it.

    Examples
    --------
    >>> from graphsvc.analysis.fair.match import FairResult
    >>> fair_frame(FairResult(street=None, solver="milp", projects=0, need_covered=0, need_offered=0,
    ...                       matches=[], unmatched=[], sponsors=[])).columns[:3].tolist()
    ['street', 'project', 'title']
    """
    return pd.DataFrame(fair_rows(result), columns=CSV_COLUMNS)


def fair_summary_frame(
    G: nx.Graph, *, model: LinkModel | None = None, sponsors: Sequence[FairSponsor] | None = None
) -> pd.DataFrame:
    """Per street: projects, matches and expected need covered by the fair and by first come (same projects,
    sponsors and budgets), and their ratio."""
    rows = []
    streets = sorted({node_attribute(G, p["community"], "street") or "" for p in G.graph.get("projects") or []})
    for street in streets:
        if not street:
            continue
        chosen = run_fair(G, model=model, sponsors=sponsors, street=street)
        baseline = run_first_come(G, model=model, sponsors=sponsors, street=street)
        rows.append(
            {
                "street": street,
                "projects": chosen.projects,
                "fair_matches": len(chosen.matches),
                "fair_need_covered": chosen.need_covered,
                "first_come_matches": len(baseline.matches),
                "first_come_need_covered": baseline.need_covered,
                "fair_vs_first_come": (
                    chosen.need_covered / baseline.need_covered if baseline.need_covered > 0 else None
                ),
            }
        )
    columns = [
        "street",
        "projects",
        "fair_matches",
        "fair_need_covered",
        "first_come_matches",
        "first_come_need_covered",
        "fair_vs_first_come",
    ]
    return pd.DataFrame(rows, columns=columns)
