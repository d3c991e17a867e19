"""The side panels of the pages: gap tables, facts and suggested partners, from plain analysis results.

Each function takes an analysis result as a dict (see
:func:`~graphsvc.viz.display_graph.as_dict`) and the snapshot graph for names,
and returns :class:`~graphsvc.viz.html.Panel` records; nothing here draws.

>>> shares_of([{"community": "c1", "need": 4.0, "uncovered": 1.0}, {"community": "c2", "need": 0.0}])
{'c1': 0.25, 'c2': nan}
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx

from graphsvc.labels import ADD_NEEDS, NO_NEEDS, category_label, num, pct, signed, street_label
from graphsvc.viz.display_graph import PageUrls, Result, as_dict
from graphsvc.viz.html import Cell, Item, Panel
from graphsvc.viz.style import gap_level
from graphsvc.vocabulary import ProjectStatus, category


def shares_of(gaps: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """``{community: uncovered / need}`` from community gap results (NaN for a community with no need recorded:
    :func:`~graphsvc.viz.style.gap_level` shows it as "no needs recorded", never as a small gap)."""
    out: dict[str, float] = {}
    for g in gaps:
        need = float(g.get("need") or 0.0)
        out[str(g["community"])] = float(g.get("uncovered") or 0.0) / need if need > 0 else math.nan
    return out


def _coverage(share: Any) -> str:
    """A coverage from a gap result, or "no needs recorded" where it is null."""
    return NO_NEEDS if share is None else pct(float(share))


def _profile_item(result: Mapping[str, Any]) -> Item | None:
    code = result.get("profile")
    return Item(f"政策 policy profile: {code}") if code else None


def gap_shares_of(community_gaps: Iterable[Result]) -> dict[str, float]:
    """Uncovered need shares by community, from :class:`~graphsvc.analysis.gaps.find.CommunityGaps` results."""
    return shares_of(as_dict(g) for g in community_gaps)


def streets_panels(district: Mapping[str, Any], urls: PageUrls | None) -> list[Panel]:
    panels: list[Panel] = []
    rows = tuple(
        (
            Cell(street_label(s["street"]), urls.street(s["street"]) if urls else None),
            Cell(str(s["communities"])),
            Cell(
                _coverage(s["coverage"]), cls="bad" if s["coverage"] is not None and float(s["coverage"]) < 0.5 else ""
            ),
            Cell("—" if s.get("not_reached") is None else str(s["not_reached"])),  # None: not checked (generic)
        )
        for s in district.get("streets", [])
    )
    if rows:
        panels.append(
            Panel(
                "各街道 Streets",
                note=f"全区需求覆盖率 district coverage: {_coverage(district.get('coverage'))}"
                + ("" if district.get("needs_recorded", True) else f" — {ADD_NEEDS}"),
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
                        Cell(num(float(c["uncovered"]))),
                        Cell(str(c["communities_uncovered"])),
                    )
                    for c in cats
                ),
            )
        )
    return panels


def gap_panels(gaps: Mapping[str, Any], G: nx.Graph) -> list[Panel]:
    if not gaps:
        return []

    def name(node: str) -> str:
        return str(G.nodes[node].get("name") or node) if node in G else node

    rows = tuple(
        (
            Cell(
                f"{c['zh']} {c['en']}",
                detail=f"合作方 partners: {'、'.join(name(p) for p in c['partners'])}" if c.get("partners") else "",
            ),
            Cell(num(float(c["need"]))),
            Cell(num(float(c["covered"]))),
            Cell(num(float(c["uncovered"])), cls="bad" if float(c["uncovered"]) > 0 else "good"),
        )
        for c in gaps.get("categories", [])
    )
    need = float(gaps.get("need") or 0.0)
    share = float(gaps.get("uncovered") or 0.0) / need if need > 0 else math.nan
    level = gap_level(share)
    facts: list[Item] = [Item(f"缺口等级 gap level: {level.zh} {level.en}", cls="bad" if share >= 0.5 else "")]
    if math.isnan(share):
        facts.append(Item(ADD_NEEDS))
    missing = gaps.get("roles_missing", [])
    if missing:
        roles = "；".join(f"{r['zh']} {r['en']}" for r in missing)
        facts.append(Item(f"缺少五社角色 missing five-society roles: {roles}", cls="bad"))
    single = gaps.get("single_partner_needs", [])
    if single:
        cats = "、".join(category_label(c) for c in single)
        facts.append(Item(f"仅一个合作方 needs met by one partner only: {cats}"))
    if gaps.get("reached_by_hub") is not None:
        hub = gaps.get("street_hub")
        hub_name = name(hub) if hub else "—"
        facts.append(
            Item(f"街道枢纽已覆盖 reached by the street hub ({hub_name})", cls="good")
            if gaps["reached_by_hub"]
            else Item(f"街道枢纽未覆盖 not reached by the street hub ({hub_name})", cls="bad")
        )
    if gaps.get("university_link") is not None:
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
                sub=tuple(f"{name(p['partner'])}: {num(float(p['need_lost']))}" for p in critical[:5]),
            )
        )
    deserts = gaps.get("service_deserts", [])
    if deserts:
        cats = "、".join(f"{c['zh']} {c['en']}" for c in deserts)
        facts.append(
            Item(
                "服务空白（供给缺口，非居民需求） service deserts: offered in the district, by no partner linked "
                f"here (supply, not residents' needs): {cats}"
            )
        )
    if (profile := _profile_item(gaps)) is not None:
        facts.append(profile)
    note = (
        f"需求 need {num(need)} · 已覆盖 covered {num(float(gaps.get('covered') or 0.0))} · "
        f"未覆盖 uncovered {num(float(gaps.get('uncovered') or 0.0))}（{pct(share)}）"
        if need > 0
        else NO_NEEDS
    )
    return [
        Panel(
            "需求缺口 Gaps",
            note=note,
            columns=("类别 category", "需求 need", "已覆盖 covered", "未覆盖 uncovered"),
            numeric=frozenset({1, 2, 3}),
            rows=rows,
            items=tuple(facts),
        )
    ]


def reason_lines(rec: Mapping[str, Any]) -> tuple[str, ...]:
    """Each reason as ``zh / en (+0.5)``, its contribution rounded as the command line rounds it (none for a term
    that adds nothing: never ``+0.00``)."""
    lines = []
    for r in rec.get("reasons", []):
        text = f"{r.get('text_zh', '')} / {r.get('text_en', '')}"
        number = signed(float(r.get("contribution", 0.0)))
        lines.append(f"{text} ({number})" if number else text)
    return tuple(lines)


def street_panels(
    gap: Mapping[str, Any],
    G: nx.Graph,
    comms: list[Hashable],
    shares: Mapping[str, float],
    urls: PageUrls | None,
) -> list[Panel]:
    panels: list[Panel] = []
    if gap:
        facts = (
            [
                Item(
                    "有政府购买服务的社会组织 a social organization delivers services here"
                    if gap.get("service_organization")
                    else "尚无提供服务的社会组织 no social organization delivers services here",
                    cls="good" if gap.get("service_organization") else "bad",
                )
            ]
            if gap.get("service_organization") is not None
            else []
        )
        if not gap.get("needs_recorded", True):
            facts.append(Item(ADD_NEEDS))
        if (profile := _profile_item(gap)) is not None:
            facts.append(profile)
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
                note=f"需求覆盖率 coverage {_coverage(gap.get('coverage'))}",
                columns=("类别 category", "需求 need", "未覆盖 uncovered", "社区数 communities"),
                numeric=frozenset({1, 2, 3}),
                rows=tuple(
                    (
                        Cell(f"{c['zh']} {c['en']}"),
                        Cell(num(float(c["need"]))),
                        Cell(num(float(c["uncovered"])), cls="bad" if float(c["uncovered"]) > 0 else ""),
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
                Cell(pct(share), cls="bad" if share is not None and share >= 0.5 else ""),
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


# -- projects -----------------------------------------------------------------------------------------------------


def projects_panel(G: nx.Graph, community: str) -> Panel | None:
    """The community's projects (公益项目), each with its status, budget, the needs it covers and its sponsors;
    ``None`` when the district has no projects at all (a page without projects looks as it did)."""
    projects = G.graph.get("projects")
    if projects is None:
        return None
    mine = [p for p in projects if p["community"] == community]
    if not mine:
        return Panel("公益项目 Projects", note="暂无项目 no projects yet")
    items = []
    for p in mine:
        status = ProjectStatus(p["status"])
        covers = "、".join(f"{category(k).zh} {v:g}" for k, v in p["covers"].items())
        sponsors = "、".join(f"{G.nodes[s].get('name') or s if s in G else s} ¥{a:,.0f}" for s, a in p["sponsors"])
        sub = [f"{status.zh} {status.en} · 预算 budget ¥{p['budget']:,.0f}", f"覆盖 covers: {covers}"]
        if sponsors:
            sub.append(f"认购方 sponsors: {sponsors}")
        cls = "good" if status is ProjectStatus.RUNNING else ""
        items.append(Item(f"{p['title']} ({p['id']})", cls=cls, sub=tuple(sub)))
    return Panel("公益项目 Projects", note=f"{len(mine)} 个项目 projects", items=tuple(items))
