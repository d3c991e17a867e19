"""Page builders: the snapshot graph plus plain analysis results in, one HTML document out.

Three pages, each a pure function that reads the graph and never changes it
(pyvis only ever sees a new display graph built here, because its ``from_nx``
rewrites the attributes of the graph it is given):

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
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import networkx as nx
from pyvis.network import Network

from graphsvc.analysis.common import check_graph
from graphsvc.errors import EntityNotFound, NotFound
from graphsvc.viz.html import Cell, Item, LegendEntry, Page, Panel, render_page
from graphsvc.viz.layout import street_layout
from graphsvc.viz.style import (
    COMMUNITY_SIZE,
    FOCUS_BORDER,
    GAP_LEVELS,
    HUB_SIZE,
    HUB_STYLE,
    KIND_STYLES,
    LINK_COLOR,
    STREET_STYLE,
    SUGGESTED_COLOR,
    UNKNOWN_GAP,
    KindStyle,
    gap_level,
    kind_style,
    partner_size,
)
from graphsvc.vocabulary import EntityKind, LinkKind, Subtype, categories

COMMUNITY = EntityKind.COMMUNITY.value
Result = Mapping[str, Any] | Any
"""An analysis result: a pydantic model of :mod:`graphsvc.analysis` or a dict of the same shape."""


@dataclass(frozen=True)
class PageOptions:
    """How big graphs are handled.

    ``layout_threshold``: above this many nodes the positions are computed here
    (:func:`~graphsvc.viz.layout.street_layout`) and physics is off, so the
    browser draws at once; at or below it the browser lays the graph out.
    ``aggregate_threshold``: above this many nodes the overview shows streets
    as single nodes and says what it hid. ``max_neighbours``: how many
    other communities a community page shows at most. ``seed`` makes both
    layouts repeatable.
    """

    layout_threshold: int = 300
    aggregate_threshold: int = 1200
    max_neighbours: int = 150
    seed: int = 0


@dataclass(frozen=True)
class PageUrls:
    """Where the pages live, for links between them (the API passes one; files have no links).

    >>> PageUrls("/pages").street("拱北")
    '/pages/streets/%E6%8B%B1%E5%8C%97'
    """

    base: str = "/pages"

    def overview(self) -> str:
        return f"{self.base}/overview"

    def community(self, community: Hashable) -> str:
        return f"{self.base}/communities/{quote(str(community), safe='')}"

    def street(self, street: str) -> str:
        return f"{self.base}/streets/{quote(street, safe='')}"


def as_dict(result: Result | None) -> dict[str, Any]:
    """A plain dict of an analysis result (``model_dump(mode="json")`` of a model; ``{}`` for ``None``)."""
    if result is None:
        return {}
    dump = getattr(result, "model_dump", None)
    if callable(dump):
        value: dict[str, Any] = dump(mode="json")
        return value
    return dict(result)


def _category_label(code: str) -> str:
    cat = categories().get(code)
    return cat.label if cat else code


def _link_label(code: str) -> str:
    try:
        return LinkKind(code).label
    except ValueError:
        return code


def _subtype_label(code: str | None) -> str:
    if not code:
        return ""
    try:
        return Subtype(code).label
    except ValueError:
        return code


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: float) -> str:
    return f"{x:g}"


def facet(style: KindStyle) -> str:
    """The filter group of a style (a kind code, ``hub`` or ``street``)."""
    return style.code


@dataclass
class _Builder:
    """Collects display nodes and edges, then lays them out and turns them into a :class:`Page`."""

    G: nx.Graph
    options: PageOptions
    urls: PageUrls | None
    nodes: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    places: dict[Hashable, tuple[str | None, str | None]] = field(default_factory=dict)
    edges: dict[tuple[Hashable, Hashable], dict[str, Any]] = field(default_factory=dict)
    styles: set[str] = field(default_factory=set)
    gap_codes: set[str] = field(default_factory=set)
    suggested: bool = False

    # -- nodes ---------------------------------------------------------------------------------------------------

    def served(self, node: Hashable) -> int:
        return sum(1 for n in self.G[node] if self.G.nodes[n].get("kind") == COMMUNITY)

    def streets_of(self, node: Hashable) -> list[str]:
        data = self.G.nodes[node]
        streets = {data["street"]} if data.get("street") else set()
        streets |= {
            self.G.nodes[n]["street"]
            for n in self.G[node]
            if self.G.nodes[n].get("kind") == COMMUNITY and self.G.nodes[n].get("street")
        }
        return sorted(streets)

    def add_entity(
        self,
        node: Hashable,
        *,
        gap_share: float | None = None,
        focus: bool = False,
        faded: bool = False,
        extra: Sequence[str] = (),
    ) -> None:
        """Add one entity of the graph as a display node."""
        data = self.G.nodes[node]
        kind, subtype = data.get("kind"), data.get("subtype")
        name = str(data.get("name") or node)
        name_en = str(data.get("name_en") or "")
        lines = [name]
        if name_en:
            lines.append(name_en)
        style = kind_style(kind, subtype)
        kind_text = KIND_STYLES[kind].zh + " " + KIND_STYLES[kind].en if kind in KIND_STYLES else str(kind or "")
        sub = _subtype_label(subtype)
        lines.append(f"类型 kind: {kind_text}" + (f" · {sub}" if sub else ""))
        if data.get("street"):
            lines.append(f"街道 street: {data['street']}")
        is_community = kind == COMMUNITY
        url = None
        if is_community:
            level = gap_level(gap_share)
            self.gap_codes.add(level.code)
            fill, size = level.color, COMMUNITY_SIZE
            needs = data.get("needs") or {}
            if needs:
                lines.append("需求 needs: " + ", ".join(f"{_category_label(c)} {_num(w)}" for c, w in needs.items()))
            lines.append(
                f"未覆盖需求 uncovered need: {_pct(gap_share)}" if gap_share is not None else level.zh + " " + level.en
            )
            if self.urls:
                url = self.urls.community(node)
        else:
            served = self.served(node)
            fill = style.color
            size = HUB_SIZE if style is HUB_STYLE else partner_size(served)
            lines.append(f"服务社区 communities served: {served}")
            offers = data.get("offers") or {}
            if offers:
                lines.append("提供 offers: " + ", ".join(f"{_category_label(c)} {_num(w)}" for c, w in offers.items()))
            if data.get("capacity") is not None:
                lines.append(f"容量 capacity: {data['capacity']}")
            if style is HUB_STYLE and data.get("street") and self.urls:
                url = self.urls.street(str(data["street"]))
        lines.extend(extra)
        lines.append(f"id: {node}")
        self.styles.add(style.code)
        payload: dict[str, Any] = {
            "label": name,
            "title": "\n".join(lines),
            "shape": style.shape,
            # A plain colour: vis-network derives the border, highlight and hover shades from it.
            "color": {"background": fill, "border": FOCUS_BORDER} if focus else fill,
            "size": size * 1.6 if focus else size,
            "facet": facet(style),
            "name": name,
            "name_en": name_en,
            "streets": self.streets_of(node),
            "needs": sorted((data.get("needs") or {}) if is_community else {}),
            "offers": sorted((data.get("offers") or {}) if not is_community else {}),
            "always": focus or style is HUB_STYLE,
        }
        if focus:
            payload["borderWidth"] = 4
        if focus or style is HUB_STYLE:
            payload["font"] = {"size": 16}
        if faded:
            payload["opacity"] = 0.55
            payload["font"] = {"color": "#8a949e"}
        if url:
            payload["url"] = url
        self.nodes[node] = payload
        self.places[node] = (data.get("street") or None, kind)

    def add_street(self, street: str, members: int, gap_share: float | None, hidden: int) -> Hashable:
        """Add a street summary node standing for ``members`` communities; returns its id."""
        node_id = f"street:{street}"
        level = gap_level(gap_share)
        self.gap_codes.add(level.code)
        self.styles.add(STREET_STYLE.code)
        lines = [
            f"街道 street: {street}",
            f"社区 communities: {members}",
            f"平均未覆盖需求 mean uncovered need: {_pct(gap_share)}" if gap_share is not None else level.en,
            f"此处未显示 {hidden} 个节点 · {hidden} nodes summarised here",
        ]
        payload: dict[str, Any] = {
            "label": f"{street}\n{members} 个社区 communities",
            "title": "\n".join(lines),
            "shape": STREET_STYLE.shape,
            "color": level.color,
            "size": 20 + 3 * math.sqrt(members),
            "borderWidth": 2,
            "font": {"size": 16},
            "facet": facet(STREET_STYLE),
            "name": street,
            "name_en": "",
            "streets": [street],
            "needs": [],
            "offers": [],
            "always": True,
        }
        if self.urls:
            payload["url"] = self.urls.street(street)
        self.nodes[node_id] = payload
        self.places[node_id] = (street, "street")
        return node_id

    # -- edges ---------------------------------------------------------------------------------------------------

    def add_link(self, u: Hashable, v: Hashable) -> None:
        """Add the graph's edge between two display nodes."""
        data = self.G.edges[u, v]
        kinds = ", ".join(_link_label(k) for k in data.get("kinds", ()))
        weight = float(data.get("weight") or 1.0)
        lines = [f"{self.nodes[u]['name']} — {self.nodes[v]['name']}"]
        if kinds:
            lines.append(f"合作 links: {kinds}")
        lines.append(f"权重 weight: {_num(weight)}")
        if data.get("since"):
            lines.append(f"始于 since: {data['since']}")
        if data.get("projects"):
            lines.append("项目 projects: " + ", ".join(map(str, data["projects"])))
        self.edges[(u, v)] = {
            "title": "\n".join(lines),
            "weight": round(1 + 0.4 * min(weight, 10.0), 2),
            "facet": "link",
        }

    def add_summary_edge(self, u: Hashable, v: Hashable, title: str, count: int) -> None:
        self.edges[(u, v)] = {
            "title": title,
            "weight": round(1 + 0.6 * min(count, 10), 2),
            "facet": "link",
        }

    def add_suggestion(self, community: Hashable, partner: Hashable, title: str, strength: float) -> None:
        """A suggested link: dashed, in its own colour, its tooltip giving the reasons; ``strength`` in [0, 1]."""
        self.suggested = True
        self.edges[(community, partner)] = {
            "title": title,
            "weight": round(1.5 + 2 * max(0.0, min(strength, 1.0)), 2),
            "dashes": [8, 6],
            "color": {"color": SUGGESTED_COLOR, "highlight": FOCUS_BORDER, "hover": FOCUS_BORDER},
            "facet": "suggested",
        }

    def link_all(self, nodes: Iterable[Hashable] | None = None) -> None:
        """Add every edge of the graph between display nodes (of ``nodes``, if given)."""
        shown = set(self.nodes) if nodes is None else set(nodes) & set(self.nodes)
        for u, v in self.G.subgraph(shown).edges():
            if (v, u) not in self.edges:
                self.add_link(u, v)

    # -- the page ------------------------------------------------------------------------------------------------

    def legend(self) -> list[LegendEntry]:
        entries: list[LegendEntry] = []
        for code, style in KIND_STYLES.items():
            if code in self.styles and code != COMMUNITY:
                entries.append(LegendEntry(f"{style.zh} {style.en}", style.color, style.symbol))
        if HUB_STYLE.code in self.styles:
            entries.append(LegendEntry(f"{HUB_STYLE.zh} {HUB_STYLE.en}", HUB_STYLE.color, HUB_STYLE.symbol))
        if STREET_STYLE.code in self.styles:
            entries.append(LegendEntry(f"{STREET_STYLE.zh} {STREET_STYLE.en}", "#6b705c", STREET_STYLE.symbol))
        if COMMUNITY in self.styles or STREET_STYLE.code in self.styles:
            kind = KIND_STYLES[COMMUNITY]
            what = "社区 community" if COMMUNITY in self.styles else "街道 street"
            for level in (*GAP_LEVELS, UNKNOWN_GAP):
                if level.code in self.gap_codes:
                    entries.append(LegendEntry(f"{what}: {level.zh} {level.en}", level.color, kind.symbol))
        entries.append(LegendEntry("现有合作 existing link（粗细 = 权重 width = weight）", line="line"))
        if self.suggested:
            entries.append(LegendEntry("建议合作 suggested link（悬停看理由 hover for reasons）", line="dash"))
        entries.append(LegendEntry("节点大小 = 服务社区数 size = communities served", "#52606d", "◌"))
        return entries

    def filters(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
        present = Counter(payload["facet"] for payload in self.nodes.values())
        kinds: list[tuple[str, str]] = []
        for style in (*KIND_STYLES.values(), HUB_STYLE, STREET_STYLE):
            if present[style.code]:
                kinds.append((style.code, f"{style.zh} {style.en} ({present[style.code]})"))
        needed = sorted({c for payload in self.nodes.values() for c in payload["needs"]})
        cats = [(code, _category_label(code)) for code in needed]
        streets = sorted({s for payload in self.nodes.values() for s in payload["streets"]})
        return kinds, cats, streets

    def page(self, kind: str, title_zh: str, title_en: str, *, force_layout: bool = False) -> Page:
        n = len(self.nodes)
        layout = force_layout or n > self.options.layout_threshold
        notices: list[str] = []
        if layout:
            place = nx.Graph()
            for node, (street, node_kind) in self.places.items():
                place.add_node(node, street=street, kind=node_kind)
            place.add_edges_from(self.edges)
            positions = street_layout(place, seed=self.options.seed)
            for node, (x, y) in positions.items():
                self.nodes[node]["x"], self.nodes[node]["y"] = x, y
            if n > self.options.layout_threshold:
                notices.append(
                    f"节点较多（{n} 个 > {self.options.layout_threshold}），布局已在服务器端按街道计算，物理模拟关闭。"
                    f" Large graph ({n} nodes > {self.options.layout_threshold}): laid out on the server "
                    "by street, physics off."
                )
        nodes, edges = self._pyvis_data()
        kinds, cats, streets = self.filters()
        return Page(
            kind=kind,
            title_zh=title_zh,
            title_en=title_en,
            nodes=nodes,
            edges=edges,
            options=vis_options(physics=not layout, big=n > self.options.layout_threshold, seed=self.options.seed),
            physics=not layout,
            notices=notices,
            legend=self.legend(),
            kind_filters=kinds,
            category_filters=cats,
            street_filters=streets,
        )

    def _pyvis_data(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Node and edge records through pyvis: ``Network.from_nx`` on a display graph made here."""
        display = nx.Graph()
        for node, payload in self.nodes.items():
            display.add_node(str(node), **payload)
        for (u, v), payload in self.edges.items():
            display.add_edge(str(u), str(v), **payload)
        net = Network(height="100%", width="100%")
        net.from_nx(display)
        nodes, edges, *_ = net.get_network_data()
        return list(nodes), list(edges)


def vis_options(*, physics: bool, big: bool, seed: int = 0) -> dict[str, Any]:
    """The vis-network options of a page: browser layout (physics, then frozen) or fixed positions."""
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1,
            "font": {"face": "sans-serif", "size": 12, "color": "#1b263b", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "smooth": False,
            "selectionWidth": 2,
            "color": {"color": LINK_COLOR, "highlight": FOCUS_BORDER, "hover": FOCUS_BORDER, "opacity": 0.7},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "multiselect": True,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
    }
    if physics:
        options["layout"] = {"randomSeed": seed, "improvedLayout": True}
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 25, "fit": True},
        }
    else:
        options["layout"] = {"improvedLayout": False}
        options["physics"] = {"enabled": False}
    return options


def _shares(gaps: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """``{community: uncovered / need}`` from community gap results (0 for a community with no need)."""
    out: dict[str, float] = {}
    for g in gaps:
        need = float(g.get("need") or 0.0)
        out[str(g["community"])] = float(g.get("uncovered") or 0.0) / need if need > 0 else 0.0
    return out


def gap_shares_of(community_gaps: Iterable[Result]) -> dict[str, float]:
    """Uncovered need shares by community, from :class:`~graphsvc.analysis.gaps.CommunityGaps` results."""
    return _shares(as_dict(g) for g in community_gaps)


def _communities(G: nx.Graph) -> list[Hashable]:
    return sorted((n for n, k in G.nodes(data="kind") if k == COMMUNITY), key=str)


def _streets_panel(district: Mapping[str, Any], urls: PageUrls | None) -> list[Panel]:
    panels: list[Panel] = []
    rows = tuple(
        (
            Cell(s["street"], urls.street(s["street"]) if urls else None),
            Cell(str(s["communities"])),
            Cell(_pct(float(s["coverage"])), cls="bad" if float(s["coverage"]) < 0.5 else ""),
            Cell(str(s.get("not_reached", ""))),
        )
        for s in district.get("streets", [])
    )
    if rows:
        panels.append(
            Panel(
                "各街道 Streets",
                note=f"全区需求覆盖率 district coverage: {_pct(float(district.get('coverage', 0.0)))}",
                columns=("街道 street", "社区 communities", "覆盖 covered", "枢纽未达 hub not reached"),
                numeric=frozenset({1, 2, 3}),
                rows=rows,
            )
        )
    cats = sorted(district.get("categories", []), key=lambda c: -float(c["uncovered"]))[:8]
    if cats:
        panels.append(
            Panel(
                "最大缺口 Largest gaps",
                columns=("类别 category", "未覆盖 uncovered", "社区数 communities"),
                numeric=frozenset({1, 2}),
                rows=tuple(
                    (
                        Cell(f"{c['zh']} {c['en']}"),
                        Cell(_num(float(c["uncovered"]))),
                        Cell(str(c["communities_uncovered"])),
                    )
                    for c in cats
                ),
            )
        )
    return panels


def _overview_builder(
    G: nx.Graph, shares: Mapping[str, float], urls: PageUrls | None, options: PageOptions
) -> tuple[_Builder, list[str], bool]:
    builder = _Builder(G, options, urls)
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
        mean = sum(known) / len(known) if known else None
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
    gap_shares: Mapping[str, float] | None = None,
    district: Result | None = None,
    urls: PageUrls | None = None,
    options: PageOptions | None = None,
    asset_url: str | None = None,
) -> str:
    """The district overview: every community by street, the hubs and partners, coloured by kind.

    Parameters
    ----------
    G : the snapshot graph (:func:`graphsvc.graph.build_graph`); it is not changed.
    gap_shares : ``{community: uncovered need / need}``; communities without one show "gap not computed".
    district : a :class:`~graphsvc.analysis.gaps.DistrictGaps` (or its dict) for the streets panel.
    urls : where the other pages are served, to link nodes and panels to them.
    options : thresholds for server-side layout and street aggregation.
    asset_url : ``None`` to inline the scripts (a single offline file), else where they are served.

    Above ``options.aggregate_threshold`` nodes, streets become single nodes and
    the page says how many communities and partners it hid.
    """
    check_graph(G)
    options = options or PageOptions()
    builder, notices, aggregated = _overview_builder(G, gap_shares or {}, urls, options)
    title_en = "District overview of resource linkage"
    page = builder.page("overview", "全区资源链接总览", title_en, force_layout=aggregated)
    page.notices = notices + page.notices
    page.panels = _streets_panel(as_dict(district), urls)
    page.png_name = "graphsvc-overview.png"
    return render_page(page, asset_url=asset_url)


def _gap_panels(gaps: Mapping[str, Any], G: nx.Graph) -> list[Panel]:
    if not gaps:
        return []

    def name(node: str) -> str:
        return str(G.nodes[node].get("name") or node) if node in G else node

    rows = tuple(
        (
            Cell(f"{c['zh']} {c['en']}"),
            Cell(_num(float(c["need"]))),
            Cell(_num(float(c["covered"]))),
            Cell(_num(float(c["uncovered"])), cls="bad" if float(c["uncovered"]) > 0 else "good"),
            Cell("、".join(name(p) for p in c.get("partners", [])) or "—"),
        )
        for c in gaps.get("categories", [])
    )
    need = float(gaps.get("need") or 0.0)
    share = float(gaps.get("uncovered") or 0.0) / need if need > 0 else 0.0
    level = gap_level(share)
    facts: list[Item] = [Item(f"缺口等级 gap level: {level.zh} {level.en}", cls="bad" if share >= 0.5 else "")]
    missing = gaps.get("roles_missing", [])
    if missing:
        roles = "；".join(f"{r['zh']} {r['en']}" for r in missing)
        facts.append(Item(f"缺少五社角色 missing five-society roles: {roles}", cls="bad"))
    single = gaps.get("single_partner_needs", [])
    if single:
        cats = "、".join(_category_label(c) for c in single)
        facts.append(Item(f"仅一个合作方 needs met by one partner only: {cats}"))
    if "reached_by_hub" in gaps:
        hub = gaps.get("street_hub")
        hub_name = name(hub) if hub else "—"
        facts.append(
            Item(f"街道枢纽已覆盖 reached by the street hub ({hub_name})", cls="good")
            if gaps["reached_by_hub"]
            else Item(f"街道枢纽未覆盖 not reached by the street hub ({hub_name})", cls="bad")
        )
    if "university_link" in gaps:
        facts.append(
            Item("已有高校/社团合作 linked to a university or student society", cls="good")
            if gaps["university_link"]
            else Item("尚无高校/社团合作 no university or student society yet", cls="bad")
        )
    critical = gaps.get("critical_partners", [])
    if critical:
        facts.append(
            Item(
                "关键合作方 partners whose loss uncovers most need",
                sub=tuple(f"{name(p['partner'])}: {_num(float(p['need_lost']))}" for p in critical[:5]),
            )
        )
    return [
        Panel(
            "需求缺口 Gaps",
            note=f"需求 need {_num(need)} · 已覆盖 covered {_num(float(gaps.get('covered') or 0.0))} · "
            f"未覆盖 uncovered {_num(float(gaps.get('uncovered') or 0.0))}（{_pct(share)}）",
            columns=("类别 category", "需求 need", "已覆盖 covered", "未覆盖 uncovered", "合作方 partners"),
            numeric=frozenset({1, 2, 3}),
            rows=rows,
            items=tuple(facts),
        )
    ]


def _reason_lines(rec: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        f"{r.get('text_zh', '')} / {r.get('text_en', '')} ({float(r.get('contribution', 0.0)):+.2f})"
        for r in rec.get("reasons", [])
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

    ``gaps`` is a :class:`~graphsvc.analysis.gaps.CommunityGaps` (or its dict),
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
        shares.update(_shares([gap]))
    builder = _Builder(G, options, urls)
    notices: list[str] = []
    builder.add_entity(community, gap_share=shares.get(community), focus=True)
    partners = sorted(G[community], key=str)
    others: dict[Hashable, int] = Counter()
    for p in partners:
        builder.add_entity(p)
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
        reasons = _reason_lines(rec)
        score = float(rec.get("score", 0.0))
        rec_items.append(Item(f"{pname}（得分 score {score:.2f}）", sub=reasons))
        if G.has_edge(community, partner):
            notices.append(f"建议的合作方 {pname} 已有联系。 Suggested partner {pname} is already linked.")
            continue
        if partner not in builder.nodes:
            builder.add_entity(partner, extra=["建议的新合作方 suggested new partner"])
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
    page.panels = _gap_panels(gap, G)
    if rec_items:
        page.panels.append(
            Panel("建议的合作方 Suggested partners", note="虚线 dashed lines on the map", items=tuple(rec_items))
        )
    elif recommendations is not None:
        page.panels.append(Panel("建议的合作方 Suggested partners", note="暂无建议 no suggestions"))
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

    ``gaps`` is a :class:`~graphsvc.analysis.gaps.StreetGaps` (or its dict); its
    communities' results give their gap levels. Raises
    :class:`~graphsvc.errors.NotFound` if no community lies in ``street``.
    """
    check_graph(G)
    options = options or PageOptions()
    comms = [n for n in _communities(G) if G.nodes[n].get("street") == street]
    if not comms:
        raise NotFound(f"no community lies in a street named {street!r}")
    gap = as_dict(gaps)
    shares = _shares(gap.get("communities", []))
    shares.update(gap_shares or {})
    builder = _Builder(G, options, urls)
    for c in comms:
        builder.add_entity(c, gap_share=shares.get(str(c)))
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
    page.panels = _street_panels(gap, G, comms, shares, urls)
    page.png_name = f"graphsvc-street-{quote(street, safe='')}.png"
    return render_page(page, asset_url=asset_url)


def _street_panels(
    gap: Mapping[str, Any],
    G: nx.Graph,
    comms: list[Hashable],
    shares: Mapping[str, float],
    urls: PageUrls | None,
) -> list[Panel]:
    panels: list[Panel] = []
    if gap:
        facts = [
            Item(
                "有政府购买服务的社会组织 a social organization delivers services here"
                if gap.get("service_organization")
                else "尚无提供服务的社会组织 no social organization delivers services here",
                cls="good" if gap.get("service_organization") else "bad",
            )
        ]
        for key, zh, en in (
            ("communities_not_reached", "枢纽未覆盖的社区", "communities not reached by the hub"),
            ("communities_without_university", "无高校合作的社区", "communities without a university link"),
            ("communities_one_partner", "只有一个合作方的社区", "communities with a single partner"),
        ):
            ids = gap.get(key, [])
            if ids:
                names = "、".join(str(G.nodes[c].get("name") or c) if c in G else str(c) for c in ids)
                facts.append(Item(f"{zh} {en} ({len(ids)}): {names}", cls="bad"))
        cats = sorted(gap.get("categories", []), key=lambda c: -float(c["uncovered"]))
        panels.append(
            Panel(
                "街道缺口 Street gaps",
                note=f"需求覆盖率 coverage {_pct(float(gap.get('coverage', 0.0)))}",
                columns=("类别 category", "需求 need", "未覆盖 uncovered", "社区数 communities"),
                numeric=frozenset({1, 2, 3}),
                rows=tuple(
                    (
                        Cell(f"{c['zh']} {c['en']}"),
                        Cell(_num(float(c["need"]))),
                        Cell(_num(float(c["uncovered"])), cls="bad" if float(c["uncovered"]) > 0 else ""),
                        Cell(str(c["communities_uncovered"])),
                    )
                    for c in cats
                ),
                items=tuple(facts),
            )
        )
    rows = []
    for c in comms:
        share = shares.get(str(c))
        level = gap_level(share)
        rows.append(
            (
                Cell(str(G.nodes[c].get("name") or c), urls.community(c) if urls else None),
                Cell("—" if share is None else _pct(share), cls="bad" if share is not None and share >= 0.5 else ""),
                Cell(f"{level.zh}"),
            )
        )
    panels.append(
        Panel(
            "社区 Communities",
            columns=("社区 community", "未覆盖 uncovered", "等级 level"),
            numeric=frozenset({1}),
            rows=tuple(rows),
        )
    )
    if urls:
        overview = Item("全区总览 district overview", href=urls.overview())
        panels.append(Panel("相关页面 Related pages", items=(overview,)))
    return panels
