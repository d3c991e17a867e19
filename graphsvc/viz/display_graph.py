"""The display graph of a page: entities of the snapshot graph as vis-network nodes and edges.

:class:`DisplayGraph` collects display nodes (labels, bilingual tooltips, colours,
sizes, filter facets) and edges, lays big graphs out on the server, and turns
the result into a :class:`~graphsvc.viz.html.Page` through pyvis. pyvis only
ever sees a new graph built here, because its ``from_nx`` rewrites the
attributes of the graph it is given; the snapshot graph is never changed.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", name="拱北第1社区", street="拱北", needs={"elderly_care": 2.0})
>>> G.add_node("e1", kind="enterprise", name="爱心企业一", offers={"funding": 5.0})
>>> G.add_edge("c1", "e1", kinds=("funding",), weight=2.0)
>>> display = DisplayGraph(G, PageOptions(), None)
>>> display.add_entity("c1", gap_share=0.5)
>>> display.add_entity("e1")
>>> display.link_all()
>>> sorted(display.nodes), list(display.edges)
(['c1', 'e1'], [('c1', 'e1')])
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import networkx as nx

from graphsvc.labels import category_label, link_label, num, pct, subtype_label
from graphsvc.viz.html import LegendEntry, Page
from graphsvc.viz.layout import street_layout
from graphsvc.viz.style import (
    COMMUNITY_SIZE,
    FOCUS_BORDER,
    GAP_LEVELS,
    HUB_SIZE,
    HUB_STYLE,
    KIND_STYLES,
    LINK_COLOR,
    NO_NEEDS_GAP,
    STREET_STYLE,
    SUGGESTED_COLOR,
    UNKNOWN_GAP,
    KindStyle,
    gap_level,
    kind_style,
    partner_size,
)
from graphsvc.vocabulary import COMMUNITY

Result = Mapping[str, Any] | Any
"""An analysis result: a pydantic model of :mod:`graphsvc.analysis` or a dict of the same shape."""


@dataclass(frozen=True)
class PageOptions:
    """How big graphs are handled.

    ``layout_threshold``: above this many nodes the positions are computed here
    (:func:`~graphsvc.viz.layout.street_layout`) and physics is off, so the
    browser draws at once; at or below it the browser lays the graph out.
    ``aggregate_threshold``: above this many nodes the overview shows streets
    as single nodes and says what it hid; when there are more than ``area_budget`` streets, it draws instead
    the lowest level of the area hierarchy with at most ``area_budget`` areas, as tiles
    (:mod:`graphsvc.viz.areas`). ``max_neighbours``: how many
    other communities a community page shows at most. ``seed`` makes both
    layouts repeatable.
    """

    layout_threshold: int = 300
    aggregate_threshold: int = 1200
    area_budget: int = 400
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

    def area(self, level: str, name: str) -> str:
        """An area's page (a district, city or province: its areas one level down)."""
        return f"{self.base}/areas/{quote(level, safe='')}/{quote(name, safe='')}"

    def report(self, street: str) -> str:
        """A street's printable report (HTML)."""
        return f"{self.base}/reports/streets/{quote(street, safe='')}"

    def area_report(self, level: str, name: str) -> str:
        """A district's (city's, province's) printable report (HTML)."""
        return f"{self.base}/reports/areas/{quote(level, safe='')}/{quote(name, safe='')}"

    def templates(self) -> dict[str, str]:
        """The prefixes the page's script adds an encoded id or name to (the search box opens them)."""
        return {"community": f"{self.base}/communities/", "street": f"{self.base}/streets/"}


def as_dict(result: Result | None) -> dict[str, Any]:
    """A plain dict of an analysis result (``model_dump(mode="json")`` of a model; ``{}`` for ``None``)."""
    if result is None:
        return {}
    dump = getattr(result, "model_dump", None)
    if callable(dump):
        value: dict[str, Any] = dump(mode="json")
        return value
    return dict(result)


def facet(style: KindStyle) -> str:
    """The filter group of a style (a kind code, ``hub`` or ``street``)."""
    return style.code


MINOR_LABEL_MIN_PX = 13
"""vis-network's ``drawThreshold`` for minor nodes' labels: hidden while drawn smaller than this less one pixel."""
MAJOR_LABEL_MIN_PX = 8
"""The same for the focus, hubs and the nodes a page is about (drawn larger): their labels show while legible."""


@dataclass
class DisplayGraph:
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
        minor: bool | None = None,
        extra: Sequence[str] = (),
    ) -> None:
        """Add one entity of the graph as a display node.

        A ``minor`` node's label shows only once the view is zoomed in far enough to read it
        (:data:`MINOR_LABEL_MIN_PX`); by default every node but the focus and the hubs is minor.
        """
        data = self.G.nodes[node]
        kind, subtype = data.get("kind"), data.get("subtype")
        name = str(data.get("name") or node)
        name_en = str(data.get("name_en") or "")
        lines = [name]
        if name_en:
            lines.append(name_en)
        style = kind_style(kind, subtype)
        kind_text = KIND_STYLES[kind].zh + " " + KIND_STYLES[kind].en if kind in KIND_STYLES else str(kind or "")
        sub = subtype_label(subtype)
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
                lines.append("需求 needs: " + ", ".join(f"{category_label(c)} {num(w)}" for c, w in needs.items()))
            lines.append(
                f"未覆盖需求 uncovered need: {pct(gap_share)}"
                if gap_share is not None and not math.isnan(gap_share)
                else level.zh + " " + level.en
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
                lines.append("提供 offers: " + ", ".join(f"{category_label(c)} {num(w)}" for c, w in offers.items()))
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
        if minor is None:
            minor = not (focus or style is HUB_STYLE)
        if not minor:
            payload["scaling"] = {"label": {"drawThreshold": MAJOR_LABEL_MIN_PX}}
            payload.setdefault("font", {"size": 15})
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
            f"平均未覆盖需求 mean uncovered need: {pct(gap_share)}"
            if gap_share is not None and not math.isnan(gap_share)
            else f"{level.zh} {level.en}",
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
            "scaling": {"label": {"drawThreshold": MAJOR_LABEL_MIN_PX}},
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
        kinds = ", ".join(link_label(k) for k in data.get("kinds", ()))
        weight = float(data.get("weight") or 1.0)
        lines = [f"{self.nodes[u]['name']} — {self.nodes[v]['name']}"]
        if kinds:
            lines.append(f"合作 links: {kinds}")
        lines.append(f"权重 weight: {num(weight)}")
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
            for level in (*GAP_LEVELS, NO_NEEDS_GAP, UNKNOWN_GAP):
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
        cats = [(code, category_label(code)) for code in needed]
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
        from pyvis.network import Network  # pyvis pulls in IPython (~1 s): imported when a page is built

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
            # vis-network hides a label drawn smaller than drawThreshold - 1 px (and fades it in over the next
            # pixel): the 12 px labels of minor nodes appear once zoomed in past 100 % (a first draw is fitted at
            # most at 92 %), so a zoomed-out district is not a blanket of overlapping names.
            "scaling": {"label": {"drawThreshold": MINOR_LABEL_MIN_PX}},
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
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 100, "avoidOverlap": 0.5},
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 25, "fit": True},
        }
    else:
        options["layout"] = {"improvedLayout": False}
        options["physics"] = {"enabled": False}
    return options
