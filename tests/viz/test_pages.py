"""The page builders on tiny hand-checkable graphs: escaping, no mutation, legend, suggestions, size handling."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from typing import Any

import networkx as nx
import pytest

from graphsvc.errors import EntityNotFound, NotFound, UnsupportedGraph
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
from graphsvc.viz import (
    PageOptions,
    PageUrls,
    asset_text,
    community_page,
    iframe_html,
    overview_page,
    render_community,
    render_overview,
    render_street,
    script_json,
    show,
    street_layout,
    street_page,
)
from tests.viz.helpers import LINE_SEP, XSS_IMG, XSS_SCRIPT, nodes_by_id, page_data

GAPS_C1: dict[str, Any] = {
    "community": "c1",
    "need": 3.0,
    "covered": 1.0,
    "uncovered": 2.0,
    "categories": [
        {
            "category": "elderly_care",
            "zh": "养老服务",
            "en": "elderly care",
            "need": 3.0,
            "covered": 1.0,
            "uncovered": 2.0,
            "partners": ["e1"],
            "single_partner": True,
        }
    ],
    "roles_missing": [{"role": "university_society", "zh": "高校社团（辅助）", "en": "university society (support)"}],
    "single_partner_needs": ["elderly_care"],
    "critical_partners": [{"partner": "e1", "name": "爱心企业一", "need_lost": 1.0}],
    "street_hub": "hub",
    "reached_by_hub": True,
    "university_link": False,
}
RECS_C1: dict[str, Any] = {
    "community": "c1",
    "recommendations": [
        {
            "partner": "s1",
            "kind": "school",
            "score": 0.8,
            "reasons": [
                {"code": "gap_fit", "contribution": 0.5, "text_zh": "提供法律咨询", "text_en": "offers legal aid"},
                {"code": "fills_role", "contribution": 0.3, "text_zh": "补上高校角色", "text_en": "adds a university"},
            ],
        },
        {
            "partner": "ent-xss",
            "kind": "enterprise",
            "score": 0.2,
            "reasons": [{"code": "street", "contribution": 0.2, "text_zh": XSS_IMG, "text_en": XSS_SCRIPT}],
        },
    ],
}


def all_pages(G: nx.Graph, **kwargs: Any) -> list[str]:
    return [
        overview_page(G, **kwargs),
        community_page(G, "c1", gaps=GAPS_C1, recommendations=RECS_C1, **kwargs),
        community_page(G, "com-xss", **kwargs),
        street_page(G, "拱北", **kwargs),
    ]


def graph_state(G: nx.Graph) -> tuple[Any, Any, Any]:
    return copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(data=True))), dict(G.graph)


# -- safety ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("asset_url", [None, "/pages/static"])
def test_hostile_names_never_reach_the_markup_unescaped(tiny_graph: nx.Graph, asset_url: str | None) -> None:
    for html in all_pages(tiny_graph, asset_url=asset_url):
        assert "<img" not in html
        assert "alert(1)</script>" not in html
        data_block = html.split('id="graphsvc-data">')[1].split("</script>")[0]
        assert "\u2028" not in data_block
        # exactly the page's own script blocks: the data, vis-network and the page script
        assert len(re.findall(r"<script\b", html)) == 3
        assert "&lt;img src=x onerror=alert(1)&gt; href" in html or "\\u003cimg" in html


def test_hostile_names_come_back_intact_from_the_embedded_json(tiny_graph: nx.Graph) -> None:
    html = overview_page(tiny_graph)
    assert "\\u2028" in html and "\\u003c/script\\u003e" in html  # written as JSON escapes
    nodes = nodes_by_id(html)
    assert nodes["com-xss"]["label"] == XSS_IMG
    assert nodes["com-xss"]["title"].startswith(XSS_IMG + "\n" + XSS_SCRIPT)
    assert nodes["ent-xss"]["label"] == XSS_SCRIPT
    assert nodes["lone"]["label"] == LINE_SEP
    # tooltips are plain strings (vis-network shows them with innerText), never elements or markup hints
    assert all(isinstance(n["title"], str) for n in nodes.values())


def test_script_json_escapes_what_could_end_a_script_block() -> None:
    text = script_json({"a": "</script>&<!--\u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert text == '{"a": "\\u003c/script\\u003e\\u0026\\u003c!--\\u2028\\u2029"}'


def test_page_script_never_writes_html() -> None:
    script = asset_text("graphsvc-page.js")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script


def test_csp_allows_exactly_the_inline_scripts(tiny_graph: nx.Graph) -> None:
    html = overview_page(tiny_graph)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp
    policy = csp.group(1).replace("&#39;", "'")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize("asset_url", [None, "/pages/static"])
def test_pages_load_nothing_from_the_internet(tiny_graph: nx.Graph, asset_url: str | None) -> None:
    for html in all_pages(tiny_graph, asset_url=asset_url):
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)
        if asset_url:
            assert '<script src="/pages/static/vis-network.min.js">' in html
        else:
            assert "vis-network" in html and "<script src=" not in html


# -- no mutation --------------------------------------------------------------------------------------------------


def test_pages_do_not_change_the_graph(tiny_graph: nx.Graph) -> None:
    before = graph_state(tiny_graph)
    all_pages(tiny_graph)
    overview_page(tiny_graph, options=PageOptions(layout_threshold=0, aggregate_threshold=1))
    assert graph_state(tiny_graph) == before


def test_render_helpers_do_not_change_the_graph() -> None:
    G = build_graph(generate_district(communities=13, seed=2))
    before = graph_state(G)
    render_overview(G)
    render_community(G, "com-00001", k=3)
    render_street(G, "拱北")
    assert graph_state(G) == before


# -- what the pages show ------------------------------------------------------------------------------------------


def test_overview_colours_by_kind_with_a_legend_and_sizes_by_communities_served(tiny_graph: nx.Graph) -> None:
    html = overview_page(tiny_graph, gap_shares={"c1": 0.9, "c2": 0.1})
    nodes = nodes_by_id(html)
    assert {n["shape"] for n in nodes.values()} >= {"dot", "square", "star", "triangle", "triangleDown"}
    assert nodes["c1"]["color"] == "#d62728" and nodes["c2"]["color"] == "#74c476"  # severe / small gap
    assert nodes["com-xss"]["color"] == "#d9d9d9"  # no share given: "gap not computed"
    assert nodes["e1"]["size"] > nodes["s1"]["size"]  # serves two communities vs none
    legend = html.split('<ul class="legend">')[1].split("</ul>")[0]
    for label in ("爱心企业 caring enterprise", "枢纽组织 hub organization", "缺口严重", "gap not computed"):
        assert label in legend
    assert "建议合作" not in legend  # no suggestions on the overview


def test_community_page_shows_gaps_and_dashed_suggestions_with_reasons(tiny_graph: nx.Graph) -> None:
    html = community_page(tiny_graph, "c1", gaps=GAPS_C1, recommendations=RECS_C1)
    data = page_data(html)
    suggested = [e for e in data["edges"] if e.get("dashes")]
    assert sorted((e["from"], e["to"]) for e in suggested) == [("c1", "ent-xss"), ("c1", "s1")]
    s1 = next(e for e in suggested if e["to"] == "s1")
    assert "提供法律咨询 / offers legal aid (+0.5)" in s1["title"]
    assert "得分 score: 0.80" in s1["title"]
    assert s1["width"] > next(e for e in suggested if e["to"] == "ent-xss")["width"]  # stronger suggestion
    solid = {tuple(sorted((e["from"], e["to"]))) for e in data["edges"] if not e.get("dashes")}
    assert solid == {("c1", "e1"), ("c1", "hub"), ("c2", "e1")}  # partners and their other community
    nodes = {n["id"] for n in data["nodes"]}
    assert nodes == {"c1", "c2", "e1", "hub", "s1", "ent-xss"}
    gaps = html.split("需求缺口 Gaps")[1]
    assert "养老服务 elderly care" in gaps and "高校社团（辅助）" in gaps
    assert "建议合作 suggested link" in html.split('<ul class="legend">')[1]


def test_community_page_shows_the_street_hub_even_when_not_linked(tiny_graph: nx.Graph) -> None:
    nodes = nodes_by_id(community_page(tiny_graph, "c2"))
    assert "hub" in nodes and "not linked to this community" in nodes["hub"]["title"]


def test_street_page_keeps_to_its_street(tiny_graph: nx.Graph) -> None:
    html = street_page(tiny_graph, "拱北")
    nodes = nodes_by_id(html)
    assert set(nodes) == {"c1", "c2", "com-xss", "hub", "e1", "ent-xss"}
    assert "lone" not in nodes and "s1" not in nodes


def test_filters_offer_kinds_needs_and_streets(tiny_graph: nx.Graph) -> None:
    html = overview_page(tiny_graph)
    assert 'data-kind="enterprise"' in html and 'data-kind="hub"' in html
    assert '<option value="elderly_care">养老服务 elderly care</option>' in html
    assert '<option value="legal_aid">' in html
    nodes = nodes_by_id(html)
    assert nodes["e1"]["streets"] == ["拱北"] and nodes["lone"]["streets"] == []
    assert nodes["c1"]["needs"] == ["elderly_care"] and nodes["e1"]["offers"] == ["funding"]


def test_urls_link_nodes_to_their_pages(tiny_graph: nx.Graph) -> None:
    nodes = nodes_by_id(overview_page(tiny_graph, urls=PageUrls("/pages")))
    assert nodes["c1"]["url"] == "/pages/communities/c1"
    assert nodes["hub"]["url"] == "/pages/streets/%E6%8B%B1%E5%8C%97"
    assert "url" not in nodes["e1"]
    assert "url" not in nodes_by_id(overview_page(tiny_graph))["c1"]


# -- size -----------------------------------------------------------------------------------------------------------


def test_small_pages_lay_out_in_the_browser_large_ones_on_the_server(tiny_graph: nx.Graph) -> None:
    small = page_data(overview_page(tiny_graph))
    assert small["physics"] is True and small["options"]["physics"]["enabled"] is True
    assert all("x" not in n for n in small["nodes"])
    html = overview_page(tiny_graph, options=PageOptions(layout_threshold=3))
    big = page_data(html)
    assert big["physics"] is False and big["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in big["nodes"])
    assert "laid out on the server" in html


def test_large_districts_are_aggregated_by_street_and_the_page_says_what_it_hid() -> None:
    G = build_graph(generate_district(communities=26, seed=3))
    html = overview_page(G, options=PageOptions(aggregate_threshold=40))
    nodes = nodes_by_id(html)
    streets = {k for k, n in nodes.items() if n["facet"] == "street"}
    assert streets == {"street:拱北", "street:吉大"}
    assert not any(n["facet"] == "community" for n in nodes.values())
    assert len(nodes) <= 40
    assert "26 communities are shown as 2 street nodes" in html
    hidden = re.search(r"(\d+) partners that work in one street only", html)
    assert hidden and int(hidden.group(1)) > 0
    shown = sum(1 for n in nodes.values() if n["facet"] not in ("street", "hub"))
    partners = sum(1 for _, k in G.nodes(data="kind") if k != "community")
    hubs = sum(1 for n in nodes.values() if n["facet"] == "hub")
    assert shown + int(hidden.group(1)) + hubs == partners


def test_street_layout_groups_streets_and_is_repeatable() -> None:
    G = build_graph(generate_district(communities=26, seed=3))
    pos = street_layout(G, seed=1)
    assert pos == street_layout(G, seed=1) and set(pos) == set(G)

    def centre(street: str) -> tuple[float, float]:
        pts = [pos[n] for n, s in G.nodes(data="street") if s == street]
        return sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)

    a, b = centre("拱北"), centre("吉大")
    for node, street in G.nodes(data="street"):
        if street in ("拱北", "吉大"):
            own, other = (a, b) if street == "拱北" else (b, a)
            assert abs(complex(*pos[node]) - complex(*own)) < abs(complex(*pos[node]) - complex(*other))


def test_same_input_same_page(tiny_graph: nx.Graph) -> None:
    assert overview_page(tiny_graph) == overview_page(tiny_graph)


# -- errors ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("community", ["nope", "e1", "hub"])
def test_community_page_refuses_what_is_not_a_community(tiny_graph: nx.Graph, community: str) -> None:
    with pytest.raises(EntityNotFound):
        community_page(tiny_graph, community)


def test_street_page_refuses_a_street_without_communities(tiny_graph: nx.Graph) -> None:
    with pytest.raises(NotFound):
        street_page(tiny_graph, "火星")


@pytest.mark.parametrize("bad", [nx.DiGraph([(1, 2)]), nx.MultiGraph([(1, 2)]), nx.Graph([(1, 1)])])
def test_unsupported_graphs_are_refused(bad: nx.Graph) -> None:
    with pytest.raises(UnsupportedGraph):
        overview_page(bad)


# -- notebooks ------------------------------------------------------------------------------------------------------


def test_show_embeds_the_same_page_in_a_srcdoc_iframe(tiny_graph: nx.Graph) -> None:
    html = overview_page(tiny_graph)
    shown = show(html, height=500)
    assert type(shown).__name__ == "HTML"
    assert shown.data == f"<div>{iframe_html(html, height=500)}</div>"
    assert shown.data.startswith("<div><iframe srcdoc=") and 'height="500"' in shown.data
    assert "<script" not in shown.data  # everything is inside the attribute, escaped


def test_numbers_on_pages_are_rounded_for_people() -> None:
    G = build_graph(generate_district(communities=26, seed=2))
    pages = [render_overview(G), render_community(G, "com-00001", k=3), render_street(G, "拱北")]
    for html in pages:
        data = page_data(html)
        aside = html[html.index("<aside>") : html.index("</aside>")]
        texts = [aside, *(n["title"] for n in data["nodes"]), *(e["title"] for e in data["edges"])]
        long = [m for text in texts for m in re.findall(r"\d+\.\d{3,}", text)]
        assert long == [], long[:5]
        assert re.search(r"\d+\.\d\b", aside), "some amounts are fractional, shown with one decimal"


def test_overview_names_each_street_in_both_languages_unless_aggregated() -> None:
    G = build_graph(generate_district(communities=26, seed=2))
    labels = page_data(render_overview(G))["streetLabels"]
    streets = {d["street"] for _, d in G.nodes(data=True) if d.get("kind") == "community"}
    assert labels["拱北"] == "拱北 Gongbei" and set(labels) == streets
    aggregated = page_data(render_overview(G, options=PageOptions(aggregate_threshold=50)))
    assert aggregated["streetLabels"] == {}  # there each street is one labelled node


def test_only_the_nodes_a_page_is_about_keep_their_labels_when_zoomed_out() -> None:
    G = build_graph(generate_district(communities=26, seed=2))
    street = nodes_by_id(render_street(G, "拱北"))
    overview = nodes_by_id(render_overview(G))

    def threshold(node: dict[str, Any]) -> int | None:
        value: int | None = node.get("scaling", {}).get("label", {}).get("drawThreshold")
        return value

    assert threshold(street["com-00001"]) is not None  # a street page is about its communities
    assert threshold(overview["com-00001"]) is None  # on the overview they are small, shown when zoomed in
    assert threshold(overview["org-hub-001"]) is not None


def test_a_directory_without_needs_is_grey_and_says_so_never_green() -> None:
    G = nx.Graph()
    for c in ("city:A", "city:B"):
        G.add_node(
            c, kind="community", name=c[5:], street="Bay County", needs={}, offers={}, attributes={"area_level": "city"}
        )
    G.add_node("o", kind="organization", name="Org", needs={}, offers={"legal_aid": 1.0})
    G.add_edge("o", "city:A", kinds=("service",))
    html = render_overview(G)  # communities made from a directory's areas: the generic profile by default
    nodes = nodes_by_id(html)
    assert nodes["city:A"]["color"] == nodes["city:B"]["color"] == "#b0b7bf"  # NO_NEEDS_GAP, not a gap band
    legend = html.split('<ul class="legend">')[1].split("</ul>")[0]
    assert "no needs recorded" in legend and "small gap" not in legend
    streets = html.split("各街道 Streets")[1].split("</section>")[0]
    assert "100%" not in streets and "no needs recorded" in streets
    aggregated = render_overview(G, options=PageOptions(aggregate_threshold=1))
    assert nodes_by_id(aggregated)["street:Bay County"]["color"] == "#b0b7bf"
    street = render_street(G, "Bay County")
    assert "no needs recorded" in street and "delivers services here" not in street  # no hub-profile target
    page = render_community(G, "city:B", recommendations={"community": "city:B", "recommendations": []})
    panel = page.split("需求缺口 Gaps")[1]
    assert "no needs recorded" in panel and "legal aid" in panel  # its service desert, named as supply
    assert "street hub" not in panel  # the generic profile checks no hub reach
