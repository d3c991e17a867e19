"""Page builders: the snapshot graph plus plain analysis results in, one HTML document out.

Three pages, each a pure function that reads the graph and never changes it
(the nodes and edges come from :mod:`graphsvc.viz.display_graph`, the side
panels from :mod:`graphsvc.viz.panels`):

* :func:`overview_page` -- the district: communities by street, hubs, partners;
* :func:`community_page` -- one community's neighbourhood, its gaps and the
  suggested partners as dashed links whose tooltips give the reasons;
* :func:`street_page` -- one street's communities, hub and partners.

Analysis results are passed in (pydantic models from :mod:`graphsvc.analysis`
or plain dicts of the same shape), so a page can be built from hand-made inputs;
:mod:`graphsvc.viz.render` calls the analyses for you.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", name="拱北第1社区", street="拱北", needs={"elderly_care": 2.0})
>>> G.add_node("e1", kind="enterprise", name="爱心企业一", offers={"funding": 5.0})
>>> G.add_edge("c1", "e1", kinds=("funding",), weight=2.0)
>>> html = overview_page(G, gap_shares={"c1": 0.5})
>>> html.startswith("<!DOCTYPE html>"), "拱北第1社区" in html, "<script src=" in html  # scripts inline
(True, True, False)
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from urllib.parse import quote

import networkx as nx

from graphsvc.analysis.core.common import check_graph
from graphsvc.analysis.gaps.answers import CommunityGaps
from graphsvc.errors import EntityNotFound, NotFound
from graphsvc.labels import street_label
from graphsvc.progress import Progress, Steps
from graphsvc.viz.display_graph import DisplayGraph, PageOptions, PageUrls, Result, as_dict
from graphsvc.viz.html import Item, Panel, render_page
from graphsvc.viz.panels import (
    gap_panels,
    projects_panel,
    reason_lines,
    shares_of,
    street_panels,
    streets_panels,
)
from graphsvc.vocabulary import COMMUNITY, Subtype

OVERVIEW_STEPS = 3
"""The steps :func:`overview_page` reports: nodes and links, layout and network, HTML."""


def _communities(G: nx.Graph) -> list[Hashable]:
    return sorted((n for n, k in G.nodes(data="kind") if k == COMMUNITY), key=str)


def _overview_builder(
    G: nx.Graph, shares: Mapping[str, float], urls: PageUrls | None, options: PageOptions
) -> tuple[DisplayGraph, list[str], bool]:
    builder = DisplayGraph(G, options, urls)
    if G.number_of_nodes() <= options.aggregate_threshold:
        for node in sorted(G, key=str):
            builder.add_entity(node, gap_share=shares.get(str(node)))
        builder.link_all()
        return builder, [], False
    # Aggregated: streets as single nodes, hubs, and partners that work across streets.
    members: dict[str, list[Hashable]] = defaultdict(list)
    for node in _communities(G):
        members[str(G.nodes[node].get("street") or "—")].append(node)
    hubs = [n for n, s in G.nodes(data="subtype") if s in (Subtype.DISTRICT_HUB.value, Subtype.STREET_HUB.value)]
    partners = [n for n, k in G.nodes(data="kind") if k != COMMUNITY and n not in set(hubs)]
    cross = [p for p in partners if len(builder.streets_of(p)) >= 2]
    budget = max(0, options.aggregate_threshold - len(members) - len(hubs))
    cross = sorted(cross, key=lambda p: (-builder.served(p), str(p)))[:budget]
    street_node: dict[str, Hashable] = {}
    for street, comms in sorted(members.items()):
        known = [shares[str(c)] for c in comms if str(c) in shares]
        recorded = [x for x in known if not math.isnan(x)]  # NaN: no needs recorded (viz.panels.shares_of)
        mean = sum(recorded) / len(recorded) if recorded else math.nan if known else None
        street_node[street] = builder.add_street(street, len(comms), mean, hidden=len(comms))
    for node in sorted([*hubs, *cross], key=str):
        builder.add_entity(node)
    builder.link_all()
    for node in sorted([*hubs, *cross], key=str):
        per_street = Counter(
            str(G.nodes[n].get("street") or "—") for n in G[node] if G.nodes[n].get("kind") == COMMUNITY
        )
        for street, count in sorted(per_street.items()):
            title = f"{builder.nodes[node]['name']} → {street}: 服务 {count} 个社区 · serves {count} communities"
            builder.add_summary_edge(node, street_node[street], title, count)
        street = G.nodes[node].get("street")
        if G.nodes[node].get("subtype") == Subtype.STREET_HUB.value and street in street_node:
            key = (node, street_node[street])
            if key not in builder.edges:
                builder.add_summary_edge(node, street_node[street], f"街道枢纽 street hub of {street}", 1)
    hidden_partners = len(partners) - len(cross)
    n_comms = sum(len(c) for c in members.values())
    notices = [
        f"汇总视图：全区共 {G.number_of_nodes()} 个节点，超过 {options.aggregate_threshold}。"
        f"{n_comms} 个社区合并为 {len(members)} 个街道节点；{hidden_partners} 个只在一个街道服务"
        "（或超出显示上限）的合作方未显示，请打开街道页查看。"
        f" Summary view: the district has {G.number_of_nodes()} nodes (> {options.aggregate_threshold}). "
        f"{n_comms} communities are shown as {len(members)} street nodes; {hidden_partners} partners that "
        "work in one street only (or beyond the display limit) are hidden: open a street page to see them."
    ]
    return builder, notices, True


def overview_page(
    G: nx.Graph,
    *,
    gaps: Sequence[CommunityGaps] | None = None,
    gap_shares: Mapping[str, float] | None = None,
    district: Result | None = None,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
    progress: Progress | None = None,
) -> str:
    """The district overview: every community by street, the hubs and partners, coloured by kind.

    Parameters
    ----------
    G : the snapshot graph (:func:`graphsvc.graph.build_graph`); it is not changed.
    gap_shares : ``{community: uncovered need / need}``; communities without one show "gap not computed".
    district : a :class:`~graphsvc.analysis.gaps.find.DistrictGaps` (or its dict) for the streets panel.
    urls : where the other pages are served, to link nodes and panels to them.
    options : thresholds for server-side layout and street aggregation.
    asset_url : ``None`` to inline the scripts (a single offline file), else where they are served.
    progress : a :data:`graphsvc.progress.Progress` hook, called with ``(done, total)`` over
        :data:`OVERVIEW_STEPS`: the nodes and links placed, the layout and network, the HTML written.

    Above ``options.aggregate_threshold`` nodes, streets become single nodes and
    the page says how many communities and partners it hid. With more streets than ``options.area_budget``
    and ``gaps`` (every community's :class:`~graphsvc.analysis.gaps.find.CommunityGaps`) given, the page draws the
    areas of the level that fits instead (:func:`graphsvc.viz.areas.area_map_page`).
    """
    check_graph(G)
    steps = Steps(progress, OVERVIEW_STEPS)
    options = options or PageOptions()
    if gaps is not None and G.number_of_nodes() > options.aggregate_threshold:
        html = _area_overview(G, gaps, urls, options, asset_url)
        if html is not None:
            steps.finish()
            return html
    builder, notices, aggregated = _overview_builder(G, gap_shares or {}, urls, options)
    steps.advance()
    title_en = "District overview of resource linkage"
    page = builder.page("overview", "全区资源链接总览", title_en, force_layout=aggregated)
    steps.advance()
    page.notices = notices + page.notices
    page.panels = streets_panels(as_dict(district), urls)
    page.png_name = "graphsvc-overview.png"
    if not aggregated:  # (aggregated, each street is one labelled node)
        streets = {str(G.nodes[c]["street"]) for c in _communities(G) if G.nodes[c].get("street")}
        page.street_labels = {street: street_label(street) for street in sorted(streets)}
    html = render_page(page, asset_url=asset_url)
    steps.advance()
    return html


def draws_areas(G: nx.Graph, options: PageOptions | None = None) -> bool:
    """Whether the overview of ``G`` draws area tiles (past the aggregate threshold, with more streets than the
    area budget): then it needs every community's gaps, and no district roll-up.

    >>> draws_areas(nx.Graph())
    False
    """
    options = options or PageOptions()
    if G.number_of_nodes() <= options.aggregate_threshold:
        return False
    streets = {str(G.nodes[c].get("street") or "—") for c in _communities(G)}
    return len(streets) > options.area_budget


def _area_overview(
    G: nx.Graph, gaps: Sequence[CommunityGaps], urls: PageUrls | None, options: PageOptions, asset_url: str | None
) -> str | None:
    """The overview as areas, when there are more streets than the budget (else ``None``: the street view)."""
    from graphsvc.analysis.areas.rollup import LEVEL_LABELS
    from graphsvc.viz.areas import area_map_page, overview_level

    if not draws_areas(G, options):
        return None
    streets = {str(G.nodes[c].get("street") or "—") for c in _communities(G)}
    level = overview_level(G, options.area_budget)
    n_comms = len(_communities(G))
    notices = [
        f"全域共 {G.number_of_nodes()} 个节点、{len(streets)} 个街道，超过显示上限 {options.area_budget}："
        f"按{LEVEL_LABELS[level][0]}显示，每块为一个{LEVEL_LABELS[level][0]}（{n_comms} 个社区），"
        "点击表格或双击方块进入下一级。"
        f" {G.number_of_nodes()} nodes and {len(streets)} streets (over the budget of {options.area_budget}): "
        f"drawn by {level}, one tile per {level} ({n_comms} communities); open a tile (double-click) or a row "
        "of the table for the level below."
    ]
    if urls is None:
        notices.append(
            "此文件不含链接：由 graphsvc serve 提供的页面（/pages/overview）可逐级打开。"
            " This file has no links: the pages served by graphsvc serve (/pages/overview) open level by level."
        )
    return area_map_page(
        G, gaps, level, urls=urls, options=options, asset_url=asset_url, notices=notices, budget=options.area_budget
    )


def community_page(
    G: nx.Graph,
    community: str,
    *,
    gaps: Result | None = None,
    recommendations: Result | None = None,
    gap_shares: Mapping[str, float] | None = None,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
) -> str:
    """One community's neighbourhood: its partners, their other communities, its street hub, its gaps,
    and suggested partners as dashed links whose tooltips give the reasons.

    ``gaps`` is a :class:`~graphsvc.analysis.gaps.find.CommunityGaps` (or its dict),
    ``recommendations`` a ``CommunityRecommendations`` (or its dict:
    ``{"community", "recommendations": [{"partner", "kind", "score", "reasons":
    [{"code", "contribution", "text_zh", "text_en"}]}]}``), ``gap_shares`` the
    uncovered need shares of the other communities shown. Raises
    :class:`~graphsvc.errors.EntityNotFound` unless ``community`` is a community of ``G``.
    """
    check_graph(G)
    if community not in G or G.nodes[community].get("kind") != COMMUNITY:
        raise EntityNotFound(community)
    options = options or PageOptions()
    gap = as_dict(gaps)
    recs = as_dict(recommendations).get("recommendations", [])
    shares = dict(gap_shares or {})
    if gap:
        shares.update(shares_of([gap]))
    builder = DisplayGraph(G, options, urls)
    notices: list[str] = []
    builder.add_entity(community, gap_share=shares.get(community), focus=True)
    partners = sorted(G[community], key=str)
    others: dict[Hashable, int] = Counter()
    for p in partners:
        builder.add_entity(p, minor=False)
        for n in G[p]:
            if n != community and G.nodes[n].get("kind") == COMMUNITY:
                others[n] += 1
    kept = sorted(others, key=lambda n: (-others[n], str(n)))[: options.max_neighbours]
    if len(others) > len(kept):
        notices.append(
            f"合作方的其他社区共 {len(others)} 个，仅显示共享合作方最多的 {len(kept)} 个。"
            f" The partners work with {len(others)} other communities; the {len(kept)} sharing the most "
            "partners are shown."
        )
    for n in kept:
        builder.add_entity(n, gap_share=shares.get(str(n)), faded=True)
    street = G.nodes[community].get("street")
    hub = gap.get("street_hub") or next(
        (
            n
            for n, d in sorted(G.nodes(data=True), key=lambda nd: str(nd[0]))
            if d.get("subtype") == Subtype.STREET_HUB.value and street and d.get("street") == street
        ),
        None,
    )
    if hub is not None and hub in G and hub not in builder.nodes:
        builder.add_entity(hub, extra=["未与本社区建立联系 not linked to this community"])
    builder.link_all()
    rec_items: list[Item] = []
    top = max((float(rec.get("score", 0.0)) for rec in recs), default=0.0)
    for rec in recs:
        partner = rec["partner"]
        if partner not in G:
            continue
        pname = str(G.nodes[partner].get("name") or partner)
        reasons = reason_lines(rec)
        score = float(rec.get("score", 0.0))
        rec_items.append(Item(f"{pname}（得分 score {score:.2f}）", sub=reasons))
        if G.has_edge(community, partner):
            notices.append(f"建议的合作方 {pname} 已有联系。 Suggested partner {pname} is already linked.")
            continue
        if partner not in builder.nodes:
            builder.add_entity(partner, minor=False, extra=["建议的新合作方 suggested new partner"])
        title = "\n".join(
            [
                f"建议合作 suggested link: {builder.nodes[community]['name']} — {pname}",
                f"得分 score: {score:.2f}",
                "理由 reasons:",
                *(f"· {line}" for line in reasons),
            ]
        )
        builder.add_suggestion(community, partner, title, score / top if top > 0 else 0.5)
    name = builder.nodes[community]["name"]
    page = builder.page("community", f"{name} · 社区资源链接", f"Community {community}: links, gaps and suggestions")
    page.notices = notices + page.notices
    page.panels = gap_panels(gap, G)
    if rec_items:
        page.panels.append(
            Panel("建议的合作方 Suggested partners", note="虚线 dashed lines on the map", items=tuple(rec_items))
        )
    elif recommendations is not None:
        page.panels.append(Panel("建议的合作方 Suggested partners", note="暂无建议 no suggestions"))
    if (projects := projects_panel(G, community)) is not None:
        page.panels.append(projects)
    links = []
    if urls:
        links.append(Item("全区总览 district overview", href=urls.overview()))
        if street:
            links.append(Item(f"街道 street: {street}", href=urls.street(str(street))))
        page.panels.append(Panel("相关页面 Related pages", items=tuple(links)))
    page.png_name = f"graphsvc-community-{quote(str(community), safe='')}.png"
    return render_page(page, asset_url=asset_url)


def street_page(
    G: nx.Graph,
    street: str,
    *,
    gaps: Result | None = None,
    gap_shares: Mapping[str, float] | None = None,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
) -> str:
    """One street: its communities, its hub and the partners that work with them, with the street's gaps.

    ``gaps`` is a :class:`~graphsvc.analysis.gaps.find.StreetGaps` (or its dict); its
    communities' results give their gap levels. Raises
    :class:`~graphsvc.errors.NotFound` if no community lies in ``street``.
    """
    check_graph(G)
    options = options or PageOptions()
    comms = [n for n in _communities(G) if G.nodes[n].get("street") == street]
    if not comms:
        raise NotFound(f"no community lies in a street named {street!r}")
    gap = as_dict(gaps)
    shares = shares_of(gap.get("communities", []))
    shares.update(gap_shares or {})
    builder = DisplayGraph(G, options, urls)
    for c in comms:
        builder.add_entity(c, gap_share=shares.get(str(c)), minor=False)
    partners = sorted({p for c in comms for p in G[c] if G.nodes[p].get("kind") != COMMUNITY}, key=str)
    hubs = [
        n
        for n, d in G.nodes(data=True)
        if d.get("subtype") == Subtype.STREET_HUB.value and d.get("street") == street and n not in partners
    ]
    for p in sorted([*partners, *hubs], key=str):
        builder.add_entity(p)
    builder.link_all()
    outside = sum(
        1 for p in partners for n in G[p] if G.nodes[n].get("kind") == COMMUNITY and G.nodes[n].get("street") != street
    )
    notices = []
    if outside:
        notices.append(
            f"这些合作方与其他街道社区的 {outside} 条联系未显示。"
            f" {outside} links of these partners to communities of other streets are not shown."
        )
    page = builder.page("street", f"{street} 街道资源链接", f"Street {street}: communities, hub and partners")
    page.notices = notices + page.notices
    page.street_filters = []
    page.panels = street_panels(gap, G, comms, shares, urls)
    if urls:
        more = [Item("可打印的街道报告 printable street report", href=urls.report(street))]
        district = (G.graph.get("areas") or {}).get("street", {}).get(street)
        if district:
            more.append(Item(f"所在区 district: {district}", href=urls.area("district", str(district))))
        page.panels.append(Panel("报告与上级 Report and the level above", items=tuple(more)))
    page.png_name = f"graphsvc-street-{quote(street, safe='')}.png"
    return render_page(page, asset_url=asset_url)
