"""graphsvc: graph analysis of resource linkage in community governance.

It keeps a district's communities and partners (organizations, enterprises, schools, media) and their
partnerships as a graph, finds each community's resource gaps and suggests partner links with reasons.
Analyses are plain functions over a ``networkx.Graph``, like NetworkX's own; the CLI, the HTTP API and
the notebooks call the same ones. A tour:

>>> import graphsvc as gs
>>> G = gs.sample_graph(communities=13, seed=1)  # the synthetic district; no store needed
>>> gaps = gs.community_gaps(G, "com-00001")  # what one community lacks
>>> round(gaps.covered + gaps.uncovered, 6) == gaps.need
True
>>> recs = gs.recommend(G, "com-00001", k=3)  # partners it could work with, each with reasons
>>> len(recs.recommendations), bool(recs.recommendations[0].reasons[0].text_en)
(3, True)
>>> street = gs.street_gaps(G, "拱北")  # one street's communities, rolled up
>>> district = gs.district_gaps(G)  # every street
>>> plan = gs.district_plan(G)  # new links that close the most need within partners' capacity
>>> plan.totals.after >= plan.totals.before
True
>>> "graphsvc" in gs.evaluate(G, seed=0).methods  # the recommender against link-prediction baselines
True

Data lives in a store (SQLite by default, or Neo4j); ``snapshot()`` gives the graph every analysis takes:

>>> from graphsvc.sample import generate_district
>>> with gs.open_store("sqlite://:memory:") as store:
...     store.upsert(generate_district(communities=13, seed=1))
...     H = store.snapshot()
>>> H.number_of_nodes() == G.number_of_nodes()
True

More: :mod:`graphsvc.analysis` (results and the rest of the analyses), :mod:`graphsvc.research` (pandas
tables for notebooks), :mod:`graphsvc.viz` (pages), ``graphsvc --help`` (the command line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphsvc.lazy import lazy_names

__version__ = "0.1.0"

if TYPE_CHECKING:
    from graphsvc.analysis import (
        community_gaps,
        district_gaps,
        district_plan,
        evaluate,
        recommend,
        street_gaps,
    )
    from graphsvc.graph import build_graph
    from graphsvc.sample import sample_graph
    from graphsvc.store import open_store

# Where each name of the front door lives. Imported on first use, so that ``import graphsvc`` (and with it
# ``graphsvc --help``) loads none of networkx, pandas, scipy, FastAPI or the Neo4j driver.
_EXPORTS = {
    "open_store": "graphsvc.store",
    "build_graph": "graphsvc.graph",
    "sample_graph": "graphsvc.sample",
    "community_gaps": "graphsvc.analysis",
    "street_gaps": "graphsvc.analysis",
    "district_gaps": "graphsvc.analysis",
    "recommend": "graphsvc.analysis",
    "district_plan": "graphsvc.analysis",
    "evaluate": "graphsvc.analysis",
}

__all__ = [
    "build_graph",
    "community_gaps",
    "district_gaps",
    "district_plan",
    "evaluate",
    "open_store",
    "recommend",
    "sample_graph",
    "street_gaps",
]


__getattr__, __dir__ = lazy_names(globals(), _EXPORTS, __all__)
