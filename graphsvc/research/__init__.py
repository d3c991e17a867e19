"""graphsvc for researchers: the district as NetworkX graphs and pandas tables, pages inline in Jupyter.

Everything here is a thin change of shape over the analyses the CLI and the API
call (:mod:`graphsvc.analysis`, :mod:`graphsvc.viz`): a frame function runs the
same analysis function, or takes its result, and lays it out one row per thing.
There is no second implementation of any analysis.

Getting a graph
    :func:`sample_graph` (the synthetic district, no store needed),
    :func:`store_graph` (a store's graph, by URI or object, as ``graphsvc`` commands open it).
Tables (``pandas.DataFrame``)
    :func:`entities_frame`, :func:`links_frame`, :func:`centrality_frame` -- the graph itself;
    :func:`gaps_frame` (community x category), :func:`communities_frame`, :func:`streets_frame`,
    :func:`categories_frame`, :func:`five_society_frame`, :func:`policy_frame`, :func:`service_deserts_frame`
    -- the gap analysis (``policy=``: the policy profile);
    :func:`recommendations_frame`, :func:`reasons_frame` -- partner recommendations with reasons (``rank=``);
    :func:`explain_recommendation` -- "why not this partner?";
    :func:`plan_frame`, :func:`coverage_frame`, :func:`plan_summary_frame` -- a district plan;
    :func:`divergences_frame` -- where the plan and the lists' #1 differ, and why;
    :func:`areas_frame`, :func:`area_levels_frame`, :func:`area_plan_frame` -- figures by street, district,
    city or province (the optional area hierarchy);
    :func:`evaluation_frame`, :func:`hits_at_k_frame` -- the recommender against the baselines;
    :func:`rank_modes_frame` -- the rank modes on both axes (held-out links, need closed);
    :func:`outcomes_frame`, :func:`acceptance_frame`, :func:`reliability_frame` -- what became of suggestions,
    acceptance by group, the shown probability against outcomes;
    :func:`projects_frame` -- community projects; :func:`fair` (the subscription fair), :func:`fair_frame`,
    :func:`fair_summary_frame` -- its matches and reasons, and per street against first come;
    :func:`timeline_frame` -- partnerships formed and lapsed per year, per street, and the fragile ones;
    :func:`bilingual` -- zh/en column headers for a report.
What-if and pictures
    :func:`apply_plan` (the graph with a plan's links added), :func:`show_overview`,
    :func:`show_community` (pages inline), :func:`use_cjk_font` (matplotlib).

One module per job, all re-exported here: ``graphs`` (getting a graph, the graph as tables), ``gap_frames``,
``recommendation_frames``, ``plan_frames`` (and the what-if graph), ``evaluation_frames``, ``outcome_frames``,
``fair_frames``, ``timeline_frames``, ``display``.

>>> G = sample_graph(communities=13, seed=1)
>>> gaps = gaps_frame(G)
>>> gaps.columns[:4].tolist()
['community', 'name', 'street', 'category']
>>> bool((gaps["covered"] + gaps["uncovered"] - gaps["need"]).abs().max() < 1e-6)
True
"""

from graphsvc.research.area_frames import area_levels_frame, area_plan_frame, areas_frame
from graphsvc.research.display import (
    CJK_FONTS,
    COLUMN_LABELS,
    bilingual,
    show_community,
    show_overview,
    street_en,
    use_cjk_font,
)
from graphsvc.research.evaluation_frames import evaluation_frame, hits_at_k_frame, rank_modes_frame
from graphsvc.research.fair_frames import fair, fair_frame, fair_summary_frame, projects_frame
from graphsvc.research.gap_frames import (
    categories_frame,
    communities_frame,
    five_society_frame,
    gaps_frame,
    policy_frame,
    service_deserts_frame,
    streets_frame,
)
from graphsvc.research.graphs import centrality_frame, entities_frame, links_frame, sample_graph, store_graph
from graphsvc.research.outcome_frames import acceptance_frame, outcomes_frame, reliability_frame
from graphsvc.research.plan_frames import (
    apply_plan,
    coverage_frame,
    divergences_frame,
    plan_frame,
    plan_summary_frame,
)
from graphsvc.research.recommendation_frames import explain_recommendation, reasons_frame, recommendations_frame
from graphsvc.research.timeline_frames import timeline_frame

__all__ = [
    "CJK_FONTS",
    "COLUMN_LABELS",
    "acceptance_frame",
    "apply_plan",
    "area_levels_frame",
    "area_plan_frame",
    "areas_frame",
    "bilingual",
    "categories_frame",
    "centrality_frame",
    "communities_frame",
    "coverage_frame",
    "divergences_frame",
    "entities_frame",
    "evaluation_frame",
    "explain_recommendation",
    "fair",
    "fair_frame",
    "fair_summary_frame",
    "five_society_frame",
    "gaps_frame",
    "hits_at_k_frame",
    "links_frame",
    "outcomes_frame",
    "plan_frame",
    "plan_summary_frame",
    "policy_frame",
    "projects_frame",
    "rank_modes_frame",
    "reasons_frame",
    "recommendations_frame",
    "reliability_frame",
    "sample_graph",
    "service_deserts_frame",
    "show_community",
    "show_overview",
    "store_graph",
    "street_en",
    "streets_frame",
    "timeline_frame",
    "use_cjk_font",
]
