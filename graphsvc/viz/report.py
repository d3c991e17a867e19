"""A street's printable report: one self-contained HTML file laid out for A4, charts included.

The charts are drawn by matplotlib (a charting library, not hand-made SVG) as SVG with the text turned into
outlines, embedded as ``data:`` images: the file needs no network, no script and no font on the reader's
machine, prints sharp at any size, and stays small (about 100 KB for a street of 13 communities; plotly would
embed 4.8 MB of JavaScript in every report, Vega-Lite's offline bundle needs a 33 MB wheel). The report's
figures are also embedded as JSON (``<script type="application/json" id="graphsvc-report">``), the
:class:`~graphsvc.analysis.areas.report.StreetReport` the page shows.

>>> from graphsvc.analysis.gaps.find import street_gaps
>>> from graphsvc.analysis.areas.report import street_report
>>> from graphsvc.sample import sample_graph
>>> G = sample_graph(communities=13, seed=1)
>>> html = street_report_page(G, street_report(G, street_gaps(G, "拱北")))
>>> html.startswith("<!DOCTYPE html>"), "<script src" in html, "@page" in html
(True, False, True)
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import networkx as nx
from jinja2 import Environment, FunctionLoader
from markupsafe import Markup

from graphsvc.analysis.areas.report import StreetReport
from graphsvc.analysis.areas.rollup import LEVEL_LABELS, AreaGaps, AreaPlanFigures
from graphsvc.analysis.gaps.answers import CategoryTotal, Timeline
from graphsvc.analysis.gaps.timeline import partnership_timeline
from graphsvc.labels import kind_label, num, pct, street_label
from graphsvc.viz.html import script_json
from graphsvc.viz.style import NO_NEEDS_GAP, gap_level
from graphsvc.vocabulary import FiveSocietyRole

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei")
"""Fonts tried for the charts' Chinese labels (outlined into the SVG, so readers need none)."""
COVERED, UNCOVERED = "#74c476", "#d62728"

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@cache
def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed] + ["DejaVu Sans"]


def _svg(draw: Any, width: float, height: float) -> str:
    """A chart drawn by ``draw(axes)`` on a new figure, as a ``data:`` URL of its SVG."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    settings = {
        "font.family": "sans-serif",
        "font.sans-serif": _fonts(),
        "font.size": 9,
        "svg.fonttype": "path",
        "svg.hashsalt": "graphsvc",  # the same report twice is the same file
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with rc_context(settings):  # type: ignore[arg-type]  # (matplotlib types the keys as a Literal)
        figure = Figure(figsize=(width, height), layout="constrained")
        draw(figure.add_subplot())
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{data}"


def category_chart(report: StreetReport) -> str | None:
    """Need by category: covered and uncovered, stacked, the largest uncovered at the top."""
    return categories_chart(report.gaps.categories)


def categories_chart(categories: Sequence[CategoryTotal]) -> str | None:
    """Need by category (street or area totals): covered and uncovered, stacked, the largest uncovered on top."""
    cats = [c for c in categories if c.need > 0][:12]
    if not cats:
        return None

    def draw(ax: Any) -> None:
        labels = [f"{c.zh} {c.en}" for c in cats][::-1]
        covered = [c.covered for c in cats][::-1]
        uncovered = [c.uncovered for c in cats][::-1]
        ax.barh(labels, covered, color=COVERED, label="已覆盖 covered")
        ax.barh(labels, uncovered, left=covered, color=UNCOVERED, label="未覆盖 uncovered")
        for y, (a, b) in enumerate(zip(covered, uncovered, strict=True)):
            ax.text(a + b, y, f" {num(b)} / {num(a + b)}", va="center", fontsize=8)
        ax.set_xlabel("需求权重 need (weight)")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, frameon=False)  # above: never on a bar
        ax.margins(x=0.18)

    return _svg(draw, 6.8, 0.32 * len(cats) + 1.0)


def communities_chart(report: StreetReport) -> str | None:
    """Each community's uncovered share, worst first, coloured by gap level."""
    items = [
        (str(g.name or g.community).removesuffix("（示例）"), g.uncovered, g.need) for g in report.communities[:20]
    ]
    return _shares_chart(items, "未覆盖需求占比 uncovered share of need (%)")


FORMED, LAPSED, HELD = "#3182bd", "#d62728", "#555555"


def timeline_chart(timeline: Timeline) -> str | None:
    """Partnerships formed (up) and lapsed (down) per year, and those held at each year's end (a line)."""
    years = timeline.years
    if not years:
        return None

    def draw(ax: Any) -> None:
        from matplotlib.ticker import MaxNLocator

        x = [y.year for y in years]
        ax.bar(x, [y.formed for y in years], color=FORMED, label="新建 formed")
        ax.bar(x, [-y.lapsed for y in years], color=LAPSED, label="中止 lapsed")
        ax.axhline(0, color="black", linewidth=0.6)
        held = ax.twinx()
        held.plot(x, [y.held for y in years], color=HELD, marker="o", markersize=3, label="年末维持 held")
        held.set_ylabel("维持 held")
        held.set_ylim(bottom=0)
        for axis in (ax, held):
            axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xticks(x, [str(v) for v in x])
        ax.set_ylabel("合作数 partnerships")
        handles = ax.get_legend_handles_labels()[0] + held.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, frameon=False)

    return _svg(draw, 6.8, 2.6)


TEMPLATE = "report.html.j2"
"""The report's Jinja template (autoescaped), beside the pages' assets."""


def _source(name: str) -> str:
    return resources.files("graphsvc.viz").joinpath("static", name).read_text(encoding="utf-8")


@cache
def _environment() -> Environment:
    return Environment(autoescape=True, keep_trailing_newline=True, loader=FunctionLoader(_source))


def _template(name: str = TEMPLATE) -> Any:
    return _environment().get_template(name)


def _figures(report: StreetReport) -> list[dict[str, str]]:
    g = report.gaps
    return [
        {"key": "communities", "value": str(len(g.communities)), "label": "社区 communities"},
        {"key": "need", "value": num(g.need), "label": "需求 need"},
        {"key": "covered", "value": num(g.covered), "label": "已覆盖 covered"},
        {"key": "uncovered", "value": num(g.uncovered), "label": "未覆盖 uncovered"},
        {"key": "coverage", "value": pct(g.coverage) if g.coverage is not None else "—", "label": "覆盖率 coverage"},
    ]


def street_report_page(G: nx.Graph, report: StreetReport, *, today: dt.date | None = None, planned: bool = True) -> str:
    """The report's HTML (``planned``: whether a plan was made, so that "no links" is told apart from "not
    planned"), with the street's partnerships per year as of ``today``
    (:func:`~graphsvc.analysis.gaps.timeline.partnership_timeline`)."""

    def names(ids: Sequence[str]) -> str:
        return "、".join(str(G.nodes[c].get("name") or c) if c in G else c for c in ids)

    day = today or dt.date.today()
    timeline = partnership_timeline(G, street=report.street, on=day)
    path = " › ".join(f"{level} {name}" for level, name in reversed(report.path))
    html: str = _template().render(
        report=report,
        title=f"{report.street} 街道资源链接报告 · Street report {street_label(report.street)}",
        street_en=street_label(report.street),
        path=path,
        today=day.isoformat(),
        csp=CSP,
        figures=_figures(report),
        category_chart=category_chart(report),
        communities_chart=communities_chart(report),
        timeline=timeline,
        timeline_chart=timeline_chart(timeline),
        num=num,
        share=lambda g: pct(g.uncovered / g.need) if g.need > 0 else "—",
        names=names,
        kind=lambda code: kind_label(code) if code else "—",
        no_partners="暂无建议（未计算推荐） no suggestions (none computed)",
        no_plan="规划未给本街道新增链接 the plan adds no link here"
        if planned
        else "未做规划 no plan made (graphsvc report street --plan)",
        data_json=Markup(script_json(report.model_dump(mode="json"))),
    )
    return html


AREA_TEMPLATE = "area_report.html.j2"


def _shares_chart(items: Sequence[tuple[str, float, float]], xlabel: str) -> str | None:
    """Each item's uncovered share (``(label, uncovered, need)``), in the order given, coloured by gap level."""
    if not items:
        return None

    def draw(ax: Any) -> None:
        labels = [label for label, _, _ in items][::-1]
        shares = [u / n if n > 0 else math.nan for _, u, n in items][::-1]
        colors = [gap_level(s).color if not math.isnan(s) else NO_NEEDS_GAP.color for s in shares]
        values = [0.0 if math.isnan(s) else 100 * s for s in shares]
        ax.barh(labels, values, color=colors)
        for y, (value, share) in enumerate(zip(values, shares, strict=True)):
            ax.text(value, y, f" {pct(share)}", va="center", fontsize=8)
        ax.set_xlim(0, 110)
        ax.set_xlabel(xlabel)

    return _svg(draw, 6.8, 0.26 * len(items) + 0.9)


def area_report_page(
    gaps: AreaGaps, plan: Sequence[AreaPlanFigures] | None = None, *, today: dt.date | None = None
) -> str:
    """The printable report of an area above the street (``gaps``: :func:`graphsvc.analysis.areas.area_gaps`;
    ``plan``: :func:`~graphsvc.analysis.areas.plan_by_area` of its communities, by the level below)."""
    area = gaps.area
    level_zh, level_en = LEVEL_LABELS[area.level]
    child_zh, child_en = LEVEL_LABELS[gaps.children_level or "community"]
    children = gaps.children[:25]
    chart = _shares_chart(
        [(c.label or c.name, c.uncovered, c.need) for c in children], "未覆盖需求占比 uncovered share of need (%)"
    )
    figures = [
        {"key": "communities", "value": str(area.communities), "label": "社区 communities"},
        {"key": "need", "value": num(area.need), "label": "需求 need"},
        {"key": "covered", "value": num(area.covered), "label": "已覆盖 covered"},
        {"key": "uncovered", "value": num(area.uncovered), "label": "未覆盖 uncovered"},
        {
            "key": "coverage",
            "value": pct(area.coverage) if area.coverage is not None else "—",
            "label": "覆盖率 coverage",
        },
    ]
    roles = [(FiveSocietyRole(r).zh, FiveSocietyRole(r).en, n) for r, n in area.roles_missing.items()]
    data = {"gaps": gaps.model_dump(mode="json"), "plan": [p.model_dump(mode="json") for p in plan or []]}
    html: str = _template(AREA_TEMPLATE).render(
        area=area,
        gaps=gaps,
        title=f"{area.name} {level_zh}资源链接报告 · {level_en.capitalize()} report {area.name}",
        level_zh=level_zh,
        level_en=level_en,
        child_zh=child_zh,
        child_en=child_en,
        path=" › ".join(f"{level} {name}" for level, name in reversed(gaps.path)),
        today=(today or dt.date.today()).isoformat(),
        csp=CSP,
        figures=figures,
        category_chart=categories_chart(gaps.categories),
        children_chart=chart,
        num=num,
        share=lambda c: pct(c.uncovered / c.need) if c.need > 0 else "—",
        roles=roles,
        plan=list(plan or []),
        no_plan="未做规划 no plan made" if plan is None else "规划未在此新增链接 the plan adds no link here",
        data_json=Markup(script_json(data)),
    )
    return html
