"""Pages with the analyses run for you: what the CLI, the API and notebooks call.

Each function runs the gap analysis (and, for a community, the recommender) on
``G`` and hands the results to the pure page builders of :mod:`graphsvc.viz.pages`.

>>> from graphsvc.graph import build_graph
>>> from graphsvc.sample import generate_district
>>> G = build_graph(generate_district(communities=13, seed=1))
>>> html = render_street(G, "拱北")
>>> "拱北" in html and 'data-page="street"' in html
True
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx

from graphsvc.analysis.core.common import is_community
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, RankMode
from graphsvc.analysis.gaps.find import all_community_gaps, community_gaps, district_gaps, street_gaps
from graphsvc.analysis.linkmodel.model_selection import LinkModel
from graphsvc.analysis.recommender.recommend import recommend
from graphsvc.progress import Progress, Steps
from graphsvc.viz.display_graph import PageOptions, PageUrls
from graphsvc.viz.pages import OVERVIEW_STEPS, community_page, draws_areas, overview_page, street_page
from graphsvc.viz.panels import gap_shares_of


def render_overview(
    G: nx.Graph,
    *,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
    progress: Progress | None = None,
    policy: str | None = None,
) -> str:
    """The district overview, communities marked by their gap level, with the streets panel (``progress``: a
    :data:`graphsvc.progress.Progress` hook: a step per community's gaps, the district roll-up, the page;
    ``policy``: the policy profile, :func:`graphsvc.analysis.gaps.find.community_gaps`)."""
    n = sum(is_community(G, c) for c in G)
    steps = Steps(progress, n + 1 + OVERVIEW_STEPS)
    # once: the district roll-up and the gap levels share them
    gaps = all_community_gaps(G, progress=steps.part(n), policy=policy)
    # the area tiles need no district roll-up (its streets panel is the street view's)
    district = None if draws_areas(G, options) else district_gaps(G, gaps=gaps, policy=policy)
    steps.advance()
    shares = gap_shares_of(gaps)
    return overview_page(
        G,
        gaps=gaps,
        gap_shares=shares,
        district=district,
        urls=urls,
        options=options,
        asset_url=asset_url,
        progress=steps.part(OVERVIEW_STEPS),
    )


def render_community(
    G: nx.Graph,
    community: Hashable,
    *,
    k: int = 5,
    rank: RankMode = DEFAULT_RANK,
    model: LinkModel | None = None,
    recommendations: Any = None,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
    progress: Progress | None = None,
    policy: str | None = None,
) -> str:
    """One community's page with its gaps and the ``k`` suggested partners (dashed, with reasons).

    ``rank`` is the rank mode of the suggestions (:func:`graphsvc.analysis.recommender.recommend.recommend`).
    ``model`` is a fitted recommender weighting to reuse (else one is fitted on
    ``G``); ``recommendations`` skips the recommender altogether. Raises
    :class:`~graphsvc.errors.EntityNotFound` for an id that is not a community. ``progress``: a
    :data:`graphsvc.progress.Progress` hook (the community's gaps, its suggestions, every community's gap
    level, the page).
    """
    n = sum(is_community(G, c) for c in G)
    steps = Steps(progress, 3 + n)
    gaps = community_gaps(G, str(community), policy=policy)
    steps.advance()
    recs = recommendations if recommendations is not None else recommend(G, community, k=k, model=model, rank=rank)
    steps.advance()
    shares = gap_shares_of(all_community_gaps(G, progress=steps.part(n), policy=policy))
    html = community_page(
        G,
        str(community),
        gaps=gaps,
        recommendations=recs,
        gap_shares=shares,
        urls=urls,
        options=options,
        asset_url=asset_url,
    )
    steps.advance()
    return html


def render_street(
    G: nx.Graph,
    street: str,
    *,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
    progress: Progress | None = None,
    policy: str | None = None,
) -> str:
    """One street's page with its gaps. Raises :class:`~graphsvc.errors.NotFound` for a street with no community.
    ``progress``: a :data:`graphsvc.progress.Progress` hook (the street's gaps, the page)."""
    steps = Steps(progress, 2)
    gaps = street_gaps(G, street, policy=policy)
    steps.advance()
    html = street_page(G, street, gaps=gaps, urls=urls, options=options, asset_url=asset_url)
    steps.advance()
    return html


def render_street_report(
    G: nx.Graph,
    street: str,
    *,
    k: int = 3,
    model: LinkModel | None = None,
    plan: bool = True,
    progress: Progress | None = None,
    policy: str | None = None,
) -> str:
    """A street's printable report (:mod:`graphsvc.viz.report`): its gaps, its communities' top-``k`` suggested
    partners (with ``model``, or one fitted on ``G``; none with ``k=0``) and, with ``plan``, the district plan's
    links for the street. Raises :class:`~graphsvc.errors.NotFound` for a street with no community.
    ``progress``: a :data:`graphsvc.progress.Progress` hook (gaps, each community's list, the plan, the page)."""
    from graphsvc.analysis.areas.report import street_report
    from graphsvc.analysis.linkmodel.model_selection import fit_model
    from graphsvc.analysis.plan.district import district_plan
    from graphsvc.viz.report import street_report_page

    gaps = street_gaps(G, street, policy=policy)
    steps = Steps(progress, 3 + len(gaps.communities))
    steps.advance()
    recommendations = {}
    if k > 0:
        model = model or fit_model(G)
        for g in gaps.communities:
            recommendations[g.community] = recommend(G, g.community, k=k, model=model)
            steps.advance()
    planned = district_plan(G, per_community=1) if plan else None
    steps.advance()
    report = street_report(G, gaps, recommendations=recommendations, plan=planned)
    html = street_report_page(G, report, planned=plan)
    steps.finish()
    return html


def render_area_report(
    G: nx.Graph,
    level: str,
    name: str,
    *,
    plan: bool = True,
    progress: Progress | None = None,
    policy: str | None = None,
) -> str:
    """The printable report of an area above the street (a district, city or province): its figures and
    categories, the areas one level down worst first, missing roles and, with ``plan``, the district plan's
    figures by those areas. Raises :class:`~graphsvc.errors.NotFound` for an area no community lies in."""
    from graphsvc.analysis.areas.rollup import COMMUNITY_LEVEL, area_gaps, plan_by_area
    from graphsvc.analysis.plan.district import district_plan
    from graphsvc.viz.report import area_report_page

    n = sum(is_community(G, c) for c in G)
    steps = Steps(progress, n + 2)
    gaps = area_gaps(G, all_community_gaps(G, progress=steps.part(n), policy=policy), level, name)
    rows = None
    if plan and gaps.children_level is not None and level != COMMUNITY_LEVEL:
        planned = district_plan(G, per_community=1)
        links = [str(x.community) for x in planned.links]
        rows = plan_by_area(G, planned.communities, links, gaps.children_level, within=(level, name))
    steps.advance()
    html = area_report_page(gaps, rows)
    steps.finish()
    return html
