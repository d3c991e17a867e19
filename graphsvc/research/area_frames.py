"""Figures by area as tables: one row per area of a level (street, district, city, province), or per area's
share of a plan. The same sums as ``GET /areas/{level}`` and the area pages (:mod:`graphsvc.analysis.areas.rollup`).

>>> from graphsvc.research.graphs import sample_graph
>>> G = sample_graph(communities=300, seed=1)
>>> areas_frame(G, "district")[["name", "communities", "streets"]].values.tolist()
[['香洲', 130, 10], ['金湾', 122, 10], ['斗门', 48, 4]]
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from graphsvc.analysis.areas.rollup import area_levels, area_totals, plan_by_area
from graphsvc.analysis.gaps.find import all_community_gaps
from graphsvc.analysis.plan.answers import DistrictPlan
from graphsvc.analysis.plan.district import district_plan

__all__ = ["area_levels_frame", "area_plan_frame", "areas_frame"]

COLUMNS = ["level", "name", "parent", "communities", "streets", "need", "covered", "uncovered", "coverage", "worst"]


def area_levels_frame(G: nx.Graph) -> pd.DataFrame:
    """The levels of the hierarchy the graph has, lowest first, with how many areas each."""
    return pd.DataFrame([x.model_dump() for x in area_levels(G)], columns=["level", "zh", "en", "count"])


def areas_frame(
    G: nx.Graph, level: str = "district", *, within: tuple[str, str] | None = None, policy: str | None = None
) -> pd.DataFrame:
    """Every area of ``level`` (inside ``within``, ``(level, name)``, if given), worst first: communities, need,
    covered, uncovered, coverage (NaN where no need is recorded), a column per missing role
    (``missing_<role>``: communities missing it) and its worst communities."""
    rows = []
    for a in area_totals(G, all_community_gaps(G, policy=policy), level, within=within):
        row = {k: v for k, v in a.model_dump().items() if k in COLUMNS}
        row["coverage"] = float("nan") if a.coverage is None else a.coverage
        row.update({f"missing_{role}": n for role, n in a.roles_missing.items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    extra = sorted(c for c in frame.columns if c.startswith("missing_"))
    frame[extra] = frame[extra].fillna(0).astype(int)
    return frame[[*COLUMNS, *extra]]


def area_plan_frame(G: nx.Graph, level: str = "district", *, plan: DistrictPlan | None = None) -> pd.DataFrame:
    """A district plan's figures by area of ``level``: need, coverage before and after, links planned
    (``plan``: :func:`graphsvc.analysis.plan.district_plan` of ``G`` if not given)."""
    plan = plan if plan is not None else district_plan(G)
    rows = plan_by_area(G, plan.communities, [str(link.community) for link in plan.links], level)
    columns = ["level", "name", "communities", "need", "before", "after", "links"]
    return pd.DataFrame([r.model_dump() for r in rows], columns=columns)
