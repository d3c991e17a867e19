"""Area maps: a territory too large to draw node by node, drawn as the areas of one level.

Above :attr:`PageOptions.aggregate_threshold` nodes, when a territory has more streets than
:data:`AREA_BUDGET`, the overview draws the lowest level of the hierarchy (street, district, city,
province) that has at most :data:`AREA_BUDGET` areas: each area one labelled tile, sized by its communities,
coloured by its uncovered need (the communities' gap levels), laid out on a grid worst first (top left), and
linked to the level below (an area's page, down to a street's page and a community's). The side table
lists the same areas worst first with the level's totals. The search box finds any community, street or
partner of the territory by name or id: on a page served with links it opens the page where it is drawn,
otherwise it selects the tile it lies in.

>>> from graphsvc.analysis.gaps.find import all_community_gaps
>>> from graphsvc.graph import build_graph
>>> from graphsvc.sample import generate_district
>>> G = build_graph(generate_district(communities=300, seed=1))
>>> gaps = all_community_gaps(G)
>>> html = area_map_page(G, gaps, "district", urls=PageUrls("/pages"))
>>> import json, re
>>> nodes = json.loads(re.search(r'id="graphsvc-data">(.*?)</script>', html, re.S).group(1))["nodes"]
>>> [n["label"].splitlines()[0] for n in nodes]   # worst first: uncovered need 1159, 1026, 433
['香洲', '金湾', '斗门']
>>> nodes[0]["url"]
'/pages/areas/district/%E9%A6%99%E6%B4%B2'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx

from graphsvc.analysis.areas.rollup import (
    COMMUNITY_LEVEL,
    LEVEL_LABELS,
    LEVELS,
    UNASSIGNED,
    AreaFigures,
    area_of,
    area_totals,
    hierarchy,
)
from graphsvc.analysis.gaps.answers import CommunityGaps
from graphsvc.labels import num, pct
from graphsvc.viz.display_graph import PageOptions, PageUrls, vis_options
from graphsvc.viz.html import Cell, Item, LegendEntry, Page, Panel, render_page
from graphsvc.viz.style import GAP_LEVELS, NO_NEEDS_GAP, gap_level
from graphsvc.vocabulary import COMMUNITY

AREA_BUDGET = 400
"""The most areas (tiles) a page draws: the overview picks the lowest level that has at most this many."""
CELL_W, CELL_H = 124.0, 80.0
"""Grid cell of a tile, in the network's units (a page fitted at 1400x900 draws a few hundred tiles readably)."""
TILE_FONT = 24


def overview_level(G: nx.Graph, budget: int = AREA_BUDGET) -> str:
    """The lowest level of the hierarchy (from street up) that has at most ``budget`` areas; ``street`` if none.

    >>> G = nx.Graph(areas={"street": {"S": "D", "T": "D"}, "district": {"D": None}})
    >>> overview_level(G, budget=1), overview_level(G, budget=5)
    ('district', 'street')
    """
    tree = hierarchy(G)
    for level in LEVELS[1:]:
        if tree[level] and len(tree[level]) <= budget:
            return level
    return LEVELS[1]


def _share(area: AreaFigures) -> float:
    return area.uncovered / area.need if area.need > 0 else math.nan


def _tile_url(level: str, name: str, urls: PageUrls | None) -> str | None:
    if urls is None or name == UNASSIGNED:
        return None
    if level == COMMUNITY_LEVEL:
        return urls.community(name)
    if level == "street":
        return urls.street(name)
    return urls.area(level, name)


def _grid(n: int) -> tuple[int, int]:
    """Columns and rows for ``n`` tiles on a canvas about 1.25 times as wide as it is tall (1400x900 less the
    side panel and the toolbar)."""
    cols = max(1, math.ceil(math.sqrt(n * 1.25 * CELL_H / CELL_W)))
    return cols, max(1, math.ceil(n / cols))


def _tile(area: AreaFigures, x: float, y: float, largest: int, urls: PageUrls | None) -> dict[str, Any]:
    zh, en = LEVEL_LABELS[area.level]
    share = _share(area)
    level = gap_level(share)
    shown = area.label or area.name
    lines = [
        f"{zh} {en}: {shown}",
        f"社区 communities: {area.communities}"
        + (f" · 街道 streets: {area.streets}" if area.level not in ("street", COMMUNITY_LEVEL) else ""),
        f"需求 need {num(area.need)} · 未覆盖 uncovered {num(area.uncovered)}（{pct(share)}）",
        f"缺口等级 gap level: {level.zh} {level.en}",
    ]
    if area.roles_missing:
        lines.append(
            "缺少角色的社区 communities missing a role: " + ", ".join(f"{r} {n}" for r, n in area.roles_missing.items())
        )
    if area.parent:
        lines.append(f"上级 in: {area.parent}")
    url = _tile_url(area.level, area.name, urls)
    if url:
        lines.append("双击打开 double-click to open")
    ratio = math.sqrt(area.communities / largest) if largest else 1.0
    width = round(CELL_W * (0.55 + 0.37 * ratio))
    height = round(CELL_H * (0.5 + 0.36 * ratio))
    payload: dict[str, Any] = {
        "id": area.name if area.level == COMMUNITY_LEVEL else f"{area.level}:{area.name}",
        "label": f"{shown}\n{pct(share) if area.need > 0 else '—'}",
        "title": "\n".join(lines),
        "shape": "box",
        "color": {"background": level.color, "border": "#52606d"},
        "font": {"size": TILE_FONT, "face": "sans-serif", "color": "#1b263b", "strokeWidth": 0, "multi": False},
        "widthConstraint": {"minimum": width, "maximum": max(width, 2 * CELL_W)},
        "heightConstraint": {"minimum": height, "valign": "middle"},
        "margin": 4,
        "borderWidth": 1,
        "scaling": {"label": {"drawThreshold": 4}},
        "x": x,
        "y": y,
        "facet": "area",
        "name": shown,
        "name_en": "",
        "streets": [],
        "needs": [],
        "offers": [],
        "always": True,
        "area": area.name,
    }
    if url:
        payload["url"] = url
    return payload


def search_index(G: nx.Graph, level: str) -> list[list[str]]:
    """What the search box finds beyond the tiles: every community, street and partner, as ``[id, name, kind,
    street, tile]`` (kind ``c``, ``s`` or ``p``; street: where its page is; tile: the drawn area it lies in)."""
    tree = hierarchy(G)
    out: list[list[str]] = []
    streets_seen: set[str] = set()
    nodes = sorted(G, key=str)
    for node in nodes:
        data = G.nodes[node]
        if data.get("kind") == COMMUNITY:
            street = str(data.get("street") or "")
            tile = area_of(G, node, level, tree)
            out.append([str(node), str(data.get("name") or node), "c", street, tile])
            if street and street not in streets_seen:
                streets_seen.add(street)
                out.append([street, street, "s", street, tile])
    where = {row[0]: row for row in out if row[2] == "c"}
    for node in nodes:
        data = G.nodes[node]
        if data.get("kind") == COMMUNITY:
            continue
        street = str(data.get("street") or "")
        served = [str(n) for n in G[node] if str(n) in where]
        first = where[min(served)] if served else None
        if not street and first is not None:
            street = first[3]
        tile = first[4] if first is not None else ""
        if street and not tile:
            tile = street if level == "street" else ""
        out.append([str(node), str(data.get("name") or node), "p", street, tile])
    return out


def _panels(level: str, figures: Sequence[AreaFigures], urls: PageUrls | None, within: str, drawn: int) -> list[Panel]:
    zh, en = LEVEL_LABELS[level]
    need = sum(a.need for a in figures)
    uncovered = sum(a.uncovered for a in figures)
    communities = sum(a.communities for a in figures)
    share = uncovered / need if need > 0 else math.nan
    note = (
        f"{within}：{len(figures)} 个{zh} · {communities} 个社区 · 需求 need {num(need)} · 未覆盖 uncovered "
        f"{num(uncovered)}（{pct(share)}）。按未覆盖需求从大到小排列 worst first."
    )
    if drawn < len(figures):
        note += f" 图中只画出前 {drawn} 个 the map draws the first {drawn}."
    rows = tuple(
        (
            Cell(a.label or a.name, _tile_url(a.level, a.name, urls)),
            Cell(str(a.communities)),
            Cell(num(a.uncovered)),
            Cell(pct(_share(a)) if a.need > 0 else "—", cls="bad" if a.need > 0 and _share(a) >= 0.5 else ""),
        )
        for a in figures
    )
    return [
        Panel(
            f"各{zh} {en.capitalize()}s — 缺口最大在前 worst first",
            note=note,
            columns=(f"{zh} {en}", "社区 communities", "未覆盖 uncovered", "未覆盖比例 share"),
            numeric=frozenset({1, 2, 3}),
            rows=rows,
        )
    ]


def area_map_page(
    G: nx.Graph,
    gaps: Sequence[CommunityGaps],
    level: str,
    *,
    within: tuple[str, str] | None = None,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
    notices: Sequence[str] = (),
    budget: int = AREA_BUDGET,
    related: Sequence[Item] = (),
) -> str:
    """The areas of ``level`` (inside ``within``, an area ``(level, name)`` above it, if given) as tiles, with
    the side table worst first; ``gaps`` are every community's gaps (:func:`all_community_gaps`)."""
    options = options or PageOptions()
    figures = area_totals(G, gaps, level, within=within)
    drawn = list(figures[:budget])
    largest = max((a.communities for a in drawn), default=1)
    cols, _ = _grid(len(drawn))
    nodes = [_tile(a, (i % cols) * CELL_W, (i // cols) * CELL_H, largest, urls) for i, a in enumerate(drawn)]
    zh, en = LEVEL_LABELS[level]
    where = f"{LEVEL_LABELS[within[0]][0]} {within[1]}" if within else "全域 whole territory"
    codes = {gap_level(_share(a)).code for a in drawn}
    legend = [
        LegendEntry(f"{zh} {en}: {g.zh} {g.en}", g.color, "▭") for g in (*GAP_LEVELS, NO_NEEDS_GAP) if g.code in codes
    ]
    legend.append(LegendEntry("方块大小 = 社区数 tile size = communities", "#52606d", "▭"))
    legend.append(LegendEntry("左上角缺口最大 worst first from the top left", "#52606d", "↘"))
    title_zh = f"{within[1]} · 各{zh}资源链接" if within else f"全域资源链接总览 · 按{zh}"
    title_en = f"{LEVEL_LABELS[within[0]][1].capitalize()} {within[1]}: {en}s" if within else f"Overview by {en}"
    page = Page(
        kind="areas",
        title_zh=title_zh,
        title_en=title_en,
        nodes=nodes,
        edges=[],
        options=vis_options(physics=False, big=False, seed=options.seed),
        physics=False,
        notices=list(notices),
        legend=legend,
        panels=_panels(level, figures, urls, where, len(drawn)),
        png_name=f"graphsvc-{level}s.png",
    )
    if related:
        page.panels.append(Panel("相关页面 Related pages", items=tuple(related)))
    page.search = search_index(G, level) if within is None else _within_index(G, level, within)
    page.links = urls.templates() if urls else {}
    return render_page(page, asset_url=asset_url)


def _within_index(G: nx.Graph, level: str, within: tuple[str, str]) -> list[list[str]]:
    tree = hierarchy(G)
    inside = {str(n) for n in G if G.nodes[n].get("kind") == COMMUNITY and area_of(G, n, within[0], tree) == within[1]}
    return [row for row in search_index(G, level) if row[2] != "c" or row[0] in inside]


def area_page(
    G: nx.Graph,
    gaps: Sequence[CommunityGaps],
    level: str,
    name: str,
    *,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
) -> str:
    """One area above the street (a district, city or province): the areas one level down as tiles."""
    below = LEVELS[LEVELS.index(level) - 1]
    tree = hierarchy(G)
    related: list[Item] = []
    if urls:
        related.append(Item("全域总览 overview", href=urls.overview()))
        related.append(Item("可打印的报告 printable report", href=urls.area_report(level, name)))
        parent = tree.get(level, {}).get(name)
        if parent and level != LEVELS[-1]:
            above = LEVELS[LEVELS.index(level) + 1]
            related.append(Item(f"上级 in: {LEVEL_LABELS[above][0]} {parent}", href=urls.area(above, parent)))
    options = options or PageOptions()
    return area_map_page(
        G,
        gaps,
        below,
        within=(level, name),
        urls=urls,
        options=options,
        asset_url=asset_url,
        related=related,
        budget=options.area_budget,
    )
