"""Interactive pages for planners (HTML), and the scripts they load.

The pages are the same as ``graphsvc render`` writes, built from the edition in
service and cached on it; they load vis-network and their own script from
``/pages/static/`` (served from the package, never from a CDN), so they work on
networks with no internet access.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from graphsvc.analysis.core.options import DEFAULT_K, RecommendationOptions
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, RankMode
from graphsvc.api.deps import EditionDep, SettingsDep
from graphsvc.api.edition import Edition
from graphsvc.api.params import AreaPath, CommunityIdPath, LevelPath, RankQuery, StreetPath
from graphsvc.api.problems import problem_responses
from graphsvc.api.results import (
    all_gaps,
    gaps_of_community,
    gaps_of_district,
    gaps_of_street,
    has_communities,
    plan_of_district,
    require_community,
)
from graphsvc.errors import NotFound

if TYPE_CHECKING:  # the page builders (jinja2, pyvis) are imported by the first page asked for, not with the API
    from graphsvc.viz import PageUrls

router = APIRouter(prefix="/pages", tags=["pages"])

PAGE_K = 5
"""Suggested partners drawn on a community page."""

HTML_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

AssetPath = Annotated[str, Path(description="file name", examples=["vis-network.min.js"])]


def _places(request: Request) -> tuple[PageUrls, str]:
    """Where the pages and their scripts are served, as root-relative paths (proxies' root_path included)."""
    from graphsvc.viz import PageUrls

    base = request.url_for("overview_html").path.rsplit("/", 1)[0]
    return PageUrls(base), f"{base}/static"


def _shares(edition: Edition, policy: str | None) -> dict[str, float]:
    from graphsvc.viz import gap_shares_of

    return edition.cached(("pages", "gap_shares", policy), lambda: gap_shares_of(all_gaps(edition, policy)))


def _recommendations(edition: Edition, community: str, rank: RankMode, k: int = PAGE_K) -> dict[str, Any] | None:
    service = edition.fitted
    if service is None:
        return None
    answer: dict[str, Any] = json.loads(service.answer((community, RecommendationOptions(k=DEFAULT_K, rank=rank))))
    answer["recommendations"] = answer["recommendations"][:k]
    return answer


def _html(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers=HTML_HEADERS)


@router.get(
    "/overview",
    summary="District overview page (HTML)",
    response_class=HTMLResponse,
    responses=problem_responses(503),
)
def overview_html(edition: EditionDep, settings: SettingsDep, request: Request) -> HTMLResponse:
    """Communities grouped by street and coloured by gap level, hubs and partners coloured by kind, with a
    legend, filters, a search box and a PNG button. Large districts are laid out on the server."""
    urls, assets = _places(request)
    policy = settings.policy

    def build() -> str:
        from graphsvc.viz import PageOptions, overview_page
        from graphsvc.viz.pages import draws_areas

        options = PageOptions(area_budget=settings.page_area_budget)
        tiles = draws_areas(edition.graph, options)
        district = gaps_of_district(edition, policy) if has_communities(edition) and not tiles else None
        shares = _shares(edition, policy)
        gaps = all_gaps(edition, policy) if has_communities(edition) else None
        return overview_page(
            edition.graph,
            gaps=gaps,
            gap_shares=shares,
            district=district,
            urls=urls,
            options=options,
            asset_url=assets,
        )

    return _html(edition.cached(("pages", "overview", urls.base, policy), build))


@router.get(
    "/communities/{community_id}",
    summary="One community's page (HTML)",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422, 503),
)
def community_html(
    edition: EditionDep,
    settings: SettingsDep,
    community_id: CommunityIdPath,
    request: Request,
    rank: RankQuery = DEFAULT_RANK,  # type: ignore[assignment]
) -> HTMLResponse:
    """The community's partners, their other communities and its street hub; its gaps; and suggested partners
    (ranked by ``rank``) drawn as dashed links whose tooltips give the reasons."""
    require_community(edition, community_id)
    urls, assets = _places(request)

    def build() -> str:
        from graphsvc.viz import community_page

        return community_page(
            edition.graph,
            community_id,
            gaps=gaps_of_community(edition, community_id, settings.policy),
            recommendations=_recommendations(edition, community_id, rank),
            gap_shares=_shares(edition, settings.policy),
            urls=urls,
            asset_url=assets,
        )

    return _html(edition.cached(("pages", "community", community_id, rank, urls.base, settings.policy), build))


@router.get(
    "/streets/{street:street}",  # a street's name may hold "/" (sent as %2F, decoded before routing)
    summary="One street's page (HTML)",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422, 503),
)
def street_html(edition: EditionDep, settings: SettingsDep, street: StreetPath, request: Request) -> HTMLResponse:
    """The street's communities, hub and partners, with the street's gaps."""
    policy = settings.policy
    gaps = gaps_of_street(edition, street, policy)
    urls, assets = _places(request)

    def build() -> str:
        from graphsvc.viz import street_page

        shares = _shares(edition, policy)
        return street_page(edition.graph, street, gaps=gaps, gap_shares=shares, urls=urls, asset_url=assets)

    return _html(edition.cached(("pages", "street", street, urls.base, policy), build))


@router.get(
    "/areas/{level}/{name:street}",
    summary="One area's page (HTML): the areas one level down as tiles, worst first",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422, 503),
)
def area_html(
    edition: EditionDep, settings: SettingsDep, level: LevelPath, name: AreaPath, request: Request
) -> HTMLResponse:
    """A district, city or province: its streets (districts, cities) as tiles sized by communities and coloured
    by uncovered need, each linked to its own page; a street is ``/pages/streets/{name}``."""
    from graphsvc.analysis.areas.rollup import area_gaps

    policy = settings.policy
    if level in ("community", "street"):
        raise NotFound(f"a {level} has its own page: /pages/{level.replace('community', 'communitie')}s/{{name}}")
    gaps = all_gaps(edition, policy)
    area_gaps(edition.graph, gaps, level, name)  # NotFound for an area no community lies in
    urls, assets = _places(request)

    def build() -> str:
        from graphsvc.viz import PageOptions
        from graphsvc.viz.areas import area_page

        options = PageOptions(area_budget=settings.page_area_budget)
        return area_page(edition.graph, gaps, level, name, urls=urls, options=options, asset_url=assets)

    return _html(edition.cached(("pages", "area", level, name, urls.base, policy), build))


REPORT_K = 3
"""Suggested partners per community that a street's report gathers."""


@router.get(
    "/reports/streets/{street:street}",
    summary="One street's printable report (HTML for A4)",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422, 503),
)
def street_report_html(edition: EditionDep, settings: SettingsDep, street: StreetPath) -> HTMLResponse:
    """Coverage and uncovered need by category (charts), the street's communities worst first, missing
    five-society roles, the partners its communities' lists suggest (with reasons) and the district plan's links
    for the street: one self-contained file (no script), laid out for A4; the figures are the street's gaps
    (``/streets/{street}/gaps``)."""
    policy = settings.policy
    gaps = gaps_of_street(edition, street, policy)

    def build() -> str:
        from graphsvc.analysis.areas.report import street_report
        from graphsvc.analysis.core.results import CommunityRecommendations
        from graphsvc.viz.report import street_report_page

        recommendations = {}
        for g in gaps.communities:
            answer = _recommendations(edition, g.community, DEFAULT_RANK, k=REPORT_K)
            if answer is not None:
                recommendations[g.community] = CommunityRecommendations.model_validate(answer)
        plan = plan_of_district(edition, 1)
        report = street_report(edition.graph, gaps, recommendations=recommendations, plan=plan)
        return street_report_page(edition.graph, report)

    return _html(edition.cached(("pages", "report", street, policy), build))


@router.get(
    "/reports/areas/{level}/{name:street}",
    summary="One district's (city's, province's) printable report (HTML for A4)",
    response_class=HTMLResponse,
    responses=problem_responses(404, 409, 422, 503),
)
def area_report_html(edition: EditionDep, settings: SettingsDep, level: LevelPath, name: AreaPath) -> HTMLResponse:
    """Its figures and categories, the areas one level down worst first, missing roles and the district plan's
    figures by those areas; the figures are ``/areas/{level}/{name}``'s."""
    from graphsvc.analysis.areas.rollup import area_gaps, plan_by_area

    policy = settings.policy
    if level not in ("district", "city", "province"):
        raise NotFound(f"an area report is of a district, city or province, not a {level}")
    gaps = area_gaps(edition.graph, all_gaps(edition, policy), level, name)

    def build() -> str:
        from graphsvc.viz.report import area_report_page

        plan = plan_of_district(edition, 1)
        links = [str(x.community) for x in plan.links]
        below = gaps.children_level or "street"
        rows = plan_by_area(edition.graph, plan.communities, links, below, within=(level, name))
        return area_report_page(gaps, rows)

    return _html(edition.cached(("pages", "area-report", level, name, policy), build))


@router.get(
    "/static/{name}",
    summary="Scripts and style the pages load (vendored vis-network, the page script)",
    response_class=Response,
    responses=problem_responses(404),
)
def page_asset(name: AssetPath) -> Response:
    """One of the pages' own files; nothing else is served."""
    from graphsvc.viz import ASSETS, asset_text

    if name not in ASSETS:
        raise NotFound(f"no page asset named {name!r}")
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(asset_text(name), media_type=ASSETS[name], headers=headers)
