"""The cycle over time as a table: partnerships formed and lapsed per year, for the district and each street."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pandas as pd

from graphsvc.analysis.gaps.timeline import FRAGILE_DAYS, partnership_timeline

__all__ = ["timeline_frame"]

COLUMNS = ["scope", "street", "year", "formed", "lapsed", "held"]


def timeline_frame(
    G: nx.Graph, *, street: str | None = None, on: dt.date | None = None, within_days: int = FRAGILE_DAYS
) -> pd.DataFrame:
    """One row per year (:func:`graphsvc.analysis.gaps.timeline.partnership_timeline`): ``scope`` ``"district"``
    rows (``street`` None) then each street's (``"street"``), or only the street asked for. ``frame.attrs`` holds
    ``on``, ``partnerships``, ``lapsed``, ``undated`` and ``fragile`` (the fragile partnerships as dicts).
    Summing a scope's ``formed`` never counts a partnership twice; don't add the two scopes together.

    >>> from graphsvc.research.graphs import sample_graph
    >>> df = timeline_frame(sample_graph(communities=13, seed=1), on=dt.date(2026, 1, 1))
    >>> df.columns.tolist()
    ['scope', 'street', 'year', 'formed', 'lapsed', 'held']
    >>> district = df[df["scope"] == "district"]
    >>> bool(district["formed"].sum() == df.attrs["partnerships"] - df.attrs["undated"])
    True
    """
    t = partnership_timeline(G, street=street, on=on, within_days=within_days)
    scope = "street" if street is not None else "district"
    rows = [(scope, street, y.year, y.formed, y.lapsed, y.held) for y in t.years]
    rows += [("street", name, y.year, y.formed, y.lapsed, y.held) for name, years in t.by_street.items() for y in years]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update(
        on=t.on,
        partnerships=t.partnerships,
        lapsed=t.lapsed,
        undated=t.undated,
        fragile=[f.model_dump(mode="json") for f in t.fragile],
    )
    return df
