"""Commands that analyse the district: gaps, recommend, plan, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from graphsvc.analysis.core.options import DEFAULT_K
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK
from graphsvc.cli.app import (
    JsonOption,
    PolicyOption,
    RankOption,
    StoreOption,
    app,
    console,
    print_json,
    store_from,
    table,
)
from graphsvc.cli.progress import progress_bar, read_snapshot_with_version, snapshot_from
from graphsvc.labels import ADD_NEEDS, NO_NEEDS, category_label, kind_label, named, num, pct, street_label, yes_no
from graphsvc.vocabulary import PARTNER_KINDS, parse_entity_kind

if TYPE_CHECKING:  # heavy modules are imported inside the commands, so --help starts at once
    import networkx as nx

    from graphsvc.analysis import LinkModel
    from graphsvc.analysis.core.policy import CategoryRef
    from graphsvc.analysis.core.results import CommunityRecommendations
    from graphsvc.analysis.evaluation.outcome_report import OutcomeReport
    from graphsvc.analysis.gaps.answers import DistrictGaps, RoleRef
    from graphsvc.analysis.plan.answers import PlannedLink
    from graphsvc.store import GraphStore


def _named(G: nx.Graph, node: str | None) -> str:
    """A node's name beside its id, for people: ``拱北星辰 (org-00003)``."""
    if node is None:
        return "—"
    return named(G.nodes[node].get("name") if node in G else None, node)


def _kind(G: nx.Graph, node: str) -> str:
    data = G.nodes[node] if node in G else {}
    return kind_label(data.get("kind"), data.get("subtype"))


def _some(G: nx.Graph, nodes: list[str], shown: int = 3) -> str:
    """The first few nodes by name (streets as they are), then how many in all (``--json`` lists every one)."""
    names = "、".join(_named(G, n) if n in G else n for n in nodes[:shown]) or "—"
    return names if len(nodes) <= shown else f"{names} 等共 {len(nodes)} 个 ({len(nodes)} in all)"


def _roles(roles: list[RoleRef]) -> str:
    return "、".join(f"{r.zh} {r.en}" for r in roles) or "—"


def _coverage(share: float | None) -> str:
    """A coverage for people: a percentage, or "no needs recorded" (never 100% of nothing)."""
    return NO_NEEDS if share is None else pct(share)


def _no_needs_note(what: str) -> None:
    console().print(f"{NO_NEEDS}: {what}")
    console().print(ADD_NEEDS)


DESERTS = (
    "服务空白（供给缺口，非居民需求） service deserts: offered in the district, by no partner linked here "
    "(supply, not residents' needs)"
)


def _deserts(refs: list[CategoryRef]) -> str:
    return "、".join(f"{r.zh} {r.en}" for r in refs) or "—"


def _profile_line(code: str) -> None:
    from graphsvc.analysis.core.policy import PROFILES

    profile = PROFILES[code]
    console().print(f"政策 policy: {profile.code} — {profile.zh} {profile.en} (--policy hub|generic)")


def _gaps_by_area(G: nx.Graph, level: str, policy: str | None, as_json: bool) -> None:
    """``graphsvc gaps --by LEVEL``: every area of the level with its figures, worst first."""
    from graphsvc.analysis.areas.rollup import LEVEL_LABELS, area_totals, check_level
    from graphsvc.analysis.gaps.find import all_community_gaps

    check_level(level)
    areas = area_totals(G, all_community_gaps(G, policy=policy), level)
    if as_json:
        print_json({"level": level, "data": [a.model_dump(mode="json") for a in areas], "count": len(areas)})
        return
    zh, en = LEVEL_LABELS[level]
    rows = [
        [a.label or a.name, a.parent or "—", a.communities, num(a.need), num(a.uncovered), _coverage(a.coverage)]
        for a in areas
    ]
    columns = [f"{zh} {en}", "上级 in", "社区 communities", "需求 need", "未覆盖 uncovered", "覆盖率 coverage"]
    console().print(table(f"按{zh}汇总（缺口最大在前） Gaps by {en}, worst first", columns, rows))


@app.command()
def gaps(
    community: Annotated[str | None, typer.Argument(help="A community id; leave out for the whole district.")] = None,
    street: Annotated[str | None, typer.Option("--street", help="Roll up the communities of one street.")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Sum by the areas of one level (street, district, city, province), worst first."),
    ] = None,
    policy: PolicyOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Unmet needs, fragility and, under the hub policy profile, missing five-society roles, hub reach and
    policy checks; says so when no needs are recorded."""
    from graphsvc.analysis.gaps.find import community_gaps, district_gaps, street_gaps

    G = snapshot_from(store, quiet=as_json)
    if by is not None:
        _gaps_by_area(G, by, policy, as_json)
        return
    if community is not None:
        g = community_gaps(G, community, policy=policy)
        if as_json:
            print_json(g.model_dump(mode="json"))
            return
        title = f"社区缺口 Gaps of {named(g.name, g.community)} · 街道 street {street_label(g.street)}"
        if not g.needs_recorded:
            _no_needs_note(f"{title}: nothing to cover, so no coverage")
        else:
            rows = [
                [f"{c.zh} {c.en}", c.need, c.covered, c.uncovered, [_named(G, p) for p in c.partners] or "—"]
                for c in g.categories
            ]
            console().print(
                table(
                    title, ["类别 category", "需求 need", "已覆盖 covered", "未覆盖 uncovered", "合作方 partners"], rows
                )
            )
            console().print(
                f"覆盖率 coverage {_coverage(g.coverage)}; 仅一个合作方的需求 needs met by one partner: "
                + ("、".join(category_label(c) for c in g.single_partner_needs) or "—")
            )
        console().print(f"{DESERTS}: {_deserts(g.service_deserts)}")
        for f in g.fragile_partnerships:
            console().print(f"脆弱合作 fragile: {f.note_zh} · {f.note_en} (graphsvc timeline)")
        if g.reached_by_hub is not None:
            console().print(
                f"缺少的五社角色 missing roles: {_roles(g.roles_missing)}; "
                f"街道枢纽已联系 reached by the street hub ({_named(G, g.street_hub)}): {yes_no(g.reached_by_hub)}; "
                f"高校合作 university link: {yes_no(g.university_link)}"
            )
        _profile_line(g.profile)
        return
    if street is not None:
        s = street_gaps(G, street, policy=policy)
        if as_json:
            print_json(s.model_dump(mode="json"))
            return
        hub = s.service_organization is not None
        rows = [
            [
                named(g.name, g.community),
                g.need,
                g.covered,
                _coverage(g.coverage),
                *((_roles(g.roles_missing), g.reached_by_hub) if hub else ()),
            ]
            for g in s.communities
        ]
        console().print(
            table(
                f"街道 street {street_label(s.street)}: 覆盖率 coverage {_coverage(s.coverage)}",
                [
                    "社区 community",
                    "需求 need",
                    "已覆盖 covered",
                    "覆盖率 coverage",
                    *(("缺少的五社角色 roles missing", "街道枢纽已联系 reached by hub") if hub else ()),
                ],
                rows,
            )
        )
        if not s.needs_recorded:
            _no_needs_note(f"no community of {street_label(s.street)} has a need")
        _profile_line(s.profile)
        return
    d = district_gaps(G, policy=policy)
    if as_json:
        print_json(d.model_dump(mode="json"))
        return
    _district_tables(G, d)


def _district_tables(G: nx.Graph, d: DistrictGaps) -> None:
    """``graphsvc gaps`` of the whole district, for people."""
    if d.needs_recorded:
        title = f"全区 District: {d.communities} 个社区 communities, 覆盖率 coverage {pct(d.coverage)}"
        rows = [[f"{c.zh} {c.en}", c.need, c.covered, c.uncovered, c.communities_uncovered] for c in d.categories]
        console().print(
            table(
                title,
                ["类别 category", "需求 need", "已覆盖 covered", "未覆盖 uncovered", "缺口社区 communities short"],
                rows,
            )
        )
        if d.communities_without_needs:
            console().print(
                f"{NO_NEEDS}: {len(d.communities_without_needs)} 个社区 communities "
                f"({_some(G, d.communities_without_needs)})"
            )
    else:
        _no_needs_note(
            f"全区 District: {d.communities} 个社区 communities; no community has a need, so nothing is covered "
            "or uncovered"
        )
    from graphsvc.analysis.core.policy import PROFILES

    hub = PROFILES[d.profile].hub_reach
    rows = [
        [
            street_label(s.street),
            s.communities,
            _coverage(s.coverage),
            *((s.not_reached, s.without_university, s.service_organization) if hub else ()),
        ]
        for s in d.streets
    ]
    if rows:
        console().print(
            table(
                "各街道 Streets",
                [
                    "街道 street",
                    "社区 communities",
                    "覆盖率 coverage",
                    *(
                        (
                            "枢纽未联系 not reached by hub",
                            "无高校合作 no university link",
                            "有服务的社会组织 service organization",
                        )
                        if hub
                        else ()
                    ),
                ],
                rows,
            )
        )
    rows = [
        [f"{c.zh} {c.en}", "通过 pass" if c.passed else "未通过 FAIL", len(c.failing), _some(G, c.failing)]
        for c in d.policy.checks
    ]
    if rows:
        console().print(
            table("政策检查 Policy checks", ["检查 check", "结果 result", "未通过数 failing", "未通过的 which"], rows)
        )
    rows = [[f"{g.zh} {g.en}", g.providers, len(g.communities), _some(G, g.communities)] for g in d.no_provider]
    if rows:
        console().print(
            table(
                f"{DESERTS} — 按类别 by category",
                ["类别 category", "服务方 providers", "社区数 communities", "哪些 which"],
                rows,
            )
        )
    if not d.needs_recorded and d.service_deserts:  # without needs, the supply side is what there is to show
        rows = [[_named(G, s.community), street_label(s.street), _deserts(s.categories)] for s in d.service_deserts]
        console().print(
            table(
                f"{DESERTS} — 按社区 by community",
                ["社区 community", "街道 street", "无人提供的类别 categories no linked partner offers"],
                rows,
            )
        )
    _profile_line(d.profile)


def _kinds(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                try:
                    kind = parse_entity_kind(part)
                except ValueError as error:
                    raise typer.BadParameter(str(error), param_hint="--kinds") from None
                if kind not in PARTNER_KINDS:
                    raise typer.BadParameter(f"{kind.value} is not a partner kind", param_hint="--kinds")
                out.append(kind.value)
    return out


def kept_model(
    graph_store: GraphStore, G: nx.Graph | None, *, version: int | None, seed: int, quiet: bool, refit: bool = False
) -> tuple[LinkModel, bool]:
    """The model kept with the store's data, fitted (and kept) first if there is none (a bar on a terminal)."""
    from graphsvc.fitted import load_model, stored_model

    if not refit and (kept := load_model(graph_store, seed=seed)) is not None:
        return kept, True
    if G is None:
        version, G = read_snapshot_with_version(graph_store, quiet=quiet)  # the model is kept under the data it saw
    with progress_bar("Fitting the recommender", quiet=quiet) as bar:
        return stored_model(graph_store, G, seed=seed, version=version, refit=True, progress=bar)


@app.command()
def fit(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the inner split the weights are learned on.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Fit again even if a model of this data is kept.")] = False,
    lists: Annotated[
        bool,
        typer.Option(
            "--lists/--no-lists",
            help="Also keep every community's default list (recommend with no options then reads it at once).",
        ),
    ] = True,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit the recommender on the store's data and keep it in the store, with every community's default list;
    recommend and the API reuse them until the data changes (any load, import or delete)."""
    import time

    from graphsvc.answers import kept_count
    from graphsvc.cli.recommendations import keep_default_lists
    from graphsvc.fitted import load_model

    with store_from(store, quiet=as_json) as graph_store:
        started = time.perf_counter()
        model = None if force else load_model(graph_store, seed=seed)
        kept = kept_count(graph_store, seed=seed) if lists and not force else None
        reused = model is not None
        if model is None or (lists and kept is None):
            version, G = read_snapshot_with_version(graph_store, quiet=as_json)
            model, reused = kept_model(graph_store, G, version=version, seed=seed, quiet=as_json, refit=force)
            if lists:
                kept = keep_default_lists(graph_store, G, version, model, seed=seed, quiet=as_json)
        version = graph_store.data_version()
    seconds = round(time.perf_counter() - started, 3)
    result = {
        "data_version": version,
        "reused": reused,
        "seconds": seconds,
        "lists_kept": kept or 0,
        "model": model.describe(),
    }
    if as_json:
        print_json(result)
        return
    verb = "Reused the kept model" if reused else "Fitted and kept the model"
    console().print(f"{verb} (data version {version}): {model.name}; {kept or 0} default lists kept; {seconds:.1f} s")
    weights = model.describe().get("weights") or {}
    assert isinstance(weights, dict)
    console().print(table("权重 Weights", ["信号 signal", "权重 weight"], [[name, w] for name, w in weights.items()]))


@app.command(name="recommend")
def recommend_command(
    community: Annotated[str, typer.Argument(help="The community to find partners for.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, help="How many partners.")] = DEFAULT_K,
    kinds: Annotated[
        list[str] | None,
        typer.Option("--kinds", help="Only partners of these kinds (repeat or comma-separate; zh or en labels)."),
    ] = None,
    street: Annotated[str | None, typer.Option("--street", help="Only partners working in this street.")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="Only candidates scoring at least this.")] = (
        None
    ),
    rank: RankOption = DEFAULT_RANK,
    others: Annotated[
        bool,
        typer.Option(
            "--others",
            help="In gain and gap modes, follow the partners that close a gap with likely partners that close "
            "none, up to k, in a separate part.",
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain", metavar="PARTNER", help="Why (not) this partner: its rank, terms and what keeps it out."
        ),
    ] = None,
    include_declined: Annotated[
        bool,
        typer.Option(
            "--include-declined",
            help="List partners that declined the community too (recorded with `graphsvc outcome`; left out "
            "otherwise).",
        ),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the inner split the weights are learned on.")] = 0,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Top-k partners for a community, each with its reasons (zh/en); --explain PARTNER says why (not) one."""
    from graphsvc.analysis.core.options import RecommendationOptions
    from graphsvc.answers import kept_answer
    from graphsvc.cli.recommendations import ExplanationView, print_kept, print_recommendations

    wanted = _kinds(kinds)
    asked = RecommendationOptions(
        k=k,
        kinds=wanted,
        street=street,
        min_score=min_score,
        rank=rank,
        others=others,
        include_declined=include_declined,
    )
    default = explain is None and asked == RecommendationOptions()
    with store_from(store, quiet=as_json) as graph_store:
        kept = kept_answer(graph_store, community, seed=seed) if default else None
        if kept is not None:  # the default list, kept by `graphsvc fit` for this data: nothing to compute
            print_kept(graph_store, kept, as_json=as_json)
            return
        from graphsvc.analysis.core.common import require_community
        from graphsvc.analysis.recommender.recommend import explain_partner, recommend

        version, G = read_snapshot_with_version(graph_store, quiet=as_json)
        require_community(G, community)
        model, _ = kept_model(graph_store, G, version=version, seed=seed, quiet=as_json)
    options = {
        **{"k": k, "kinds": wanted, "street": street, "min_score": min_score, "rank": rank, "others": others},
        **{"include_declined": include_declined, "model": model},
    }
    if explain is not None:
        why = explain_partner(G, community, explain, **options)  # type: ignore[arg-type]
        if as_json:
            print_json(why.model_dump(mode="json"))
            return
        console().print(ExplanationView(why, community=_named(G, community), kind=lambda n: _kind(G, n)))
        return
    recs = recommend(G, community, **options)  # type: ignore[arg-type]
    print_recommendations(
        recs.model_dump(mode="json"), kind=lambda n: _kind(G, n), as_json=as_json, k=k, min_score=min_score
    )


def plan_lists(
    graph_store: GraphStore, G: nx.Graph, version: int, *, seed: int, quiet: bool
) -> list[CommunityRecommendations]:
    """Every community's default list, whose #1 the plan is held against: read where ``graphsvc fit`` kept them
    for this data (what ``recommend`` prints), else computed with the kept model as ``recommend`` would (``k=1``:
    the plan reads only the #1, the same first partner as the default list's)."""
    from graphsvc.analysis.core.options import RecommendationOptions
    from graphsvc.analysis.core.results import CommunityRecommendations
    from graphsvc.analysis.recommender.recommend import Recommender
    from graphsvc.answers import kept_parts, lists_in
    from graphsvc.graph import communities

    parts = kept_parts(graph_store, version=version, seed=seed)
    lists = {c: CommunityRecommendations.model_validate(kept) for c, kept in lists_in(parts)}
    missing = [c for c in communities(G) if c not in lists]
    if missing:
        model, _ = kept_model(graph_store, G, version=version, seed=seed, quiet=quiet)
        with progress_bar("Each community's list", quiet=quiet) as bar:
            computed = Recommender(G, model).answer_all(RecommendationOptions(k=1), communities=missing, progress=bar)
        lists.update((str(c), recs) for c, recs in computed.items())
    return list(lists.values())


def _stacked(name: str | None, node: str) -> list[str]:
    """A name above its id (the id alone when the name is missing or the id itself)."""
    return [name, node] if name and name != node else [node]


def _top_reason(link: PlannedLink) -> list[str]:
    if not link.reasons:
        return []
    first = link.reasons[0]
    return [first.text_zh, first.text_en]


@app.command()
def plan(
    per_community: Annotated[int, typer.Option("--per-community", min=1, help="New partners per community.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the model the lists are compared with.")] = 0,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """New links for the whole district that close the most need within partners' capacity, each with its top
    reason; where a community's planned partner is not its list's #1 (``recommend``), why not."""
    from graphsvc.analysis.plan.district import district_plan
    from graphsvc.analysis.plan.divergences import with_divergences

    with store_from(store) as graph_store:
        version, G = read_snapshot_with_version(graph_store, quiet=as_json)
        with progress_bar("Planning the district", quiet=as_json) as bar:
            result = district_plan(G, per_community=per_community, progress=bar)
        lists = plan_lists(graph_store, G, version, seed=seed, quiet=as_json) if result.links else []
    result = with_divergences(G, result, lists)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    t = result.totals
    if t.need <= 0:
        _no_needs_note("the plan closes recorded need, and no community has any: no new links to plan")
        return
    rows = [  # names above ids, so that the reason keeps most of a 100-column terminal
        [_stacked(link.community_name, link.community), _stacked(link.name, link.partner), link.gain, _top_reason(link)]
        for link in result.links
    ]
    console().print(
        table(
            f"方案 Plan: {t.links} 条新合作 new links",
            ["社区 community", "合作方 partner", "新增覆盖 gain", "主要理由 top reason"],
            rows,
        )
    )
    if result.divergences:
        rows = [[_stacked(d.community_name, d.community), [d.text_zh, d.text_en]] for d in result.divergences]
        console().print(
            table(
                f"为何不是推荐列表第一 Why not the list's #1 ({len(rows)} 个社区 communities)",
                ["社区 community", "原因 why"],
                rows,
            )
        )
    rows = [
        ["方案 plan", t.links, t.before, t.after, pct(t.after / t.need) if t.need else "—", 0],
        [
            "朴素 top-1 naive top-1",
            t.naive_links,
            t.before,
            t.naive,
            pct(t.naive / t.need) if t.need else "—",
            len(t.naive_overloaded),
        ],
    ]
    console().print(
        table(
            f"已覆盖需求 Covered need (总需求 total need {num(t.need)})",
            ["选择 choice", "新合作 links", "之前 before", "之后 after", "覆盖率 coverage", "超出容量 over capacity"],
            rows,
        )
    )
    if t.roles_missing_before:
        console().print(
            f"缺少的五社角色 five-society roles missing: {t.roles_missing_before} -> {t.roles_missing_after} "
            "(社区数×角色 communities x roles)"
        )


@app.command(name="evaluate")
def evaluate_command(
    holdout: Annotated[float, typer.Option("--holdout", min=0.01, max=0.9, help="Fraction of links to hide.")] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split, negatives and random baseline.")] = 0,
    k: Annotated[int, typer.Option("-k", min=1, help="Cut-off of Hits@k.")] = 10,
    negatives: Annotated[
        str,
        typer.Option(
            "--negatives",
            help="Negatives per held-out link (a number, drawn among the link's community's unlinked partners), "
            "or 'global': the literature protocol (uniform negatives from all unlinked pairs, pooled AUC) beside it.",
        ),
    ] = "100",
    by_date: Annotated[bool, typer.Option("--by-date", help="Hide the latest links (by 'since') instead.")] = False,
    edges: Annotated[
        Path | None,
        typer.Option(
            "--edges",
            exists=True,
            dir_okay=False,
            help="Evaluate on this edge list instead of the store: one link per line, two node ids separated by "
            "semicolons, tabs, commas or spaces; lines starting with # or % are comments; extra columns (a weight) "
            "are ignored; UTF-8 (BOM or not) or GB18030.",
        ),
    ] = None,
    bipartite: Annotated[
        bool, typer.Option("--bipartite", help="With --edges: the two columns are two sides (bipartite).")
    ] = False,
    header: Annotated[
        bool | None,
        typer.Option(
            "--header/--no-header",
            help="With --edges: whether the first line is a header (default: detected; --columns by name implies it).",
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="With --edges: the two node columns, by header name or 1-based number, e.g. CodeCity,Code_Network "
            "or 1,3 (default: the first two).",
        ),
    ] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hide links, rebuild on the rest, and compare graphsvc with the link-prediction baselines.

    On the store's snapshot by default, or on any graph with --edges FILE (e.g. --edges members.csv
    --bipartite --columns CodeCity,Code_Network). A bad line in the file is reported with its line number
    (exit code 2).
    """
    from graphsvc.analysis.evaluation.evaluate import evaluate
    from graphsvc.loaders.edge_list import read_edge_list

    if edges is None and (columns is not None or header is not None or bipartite):
        raise typer.BadParameter("--bipartite, --header and --columns only apply with --edges", param_hint="--edges")
    G = (
        read_edge_list(edges, bipartite=bipartite, header=header, columns=columns)
        if edges is not None
        else snapshot_from(store, quiet=as_json)
    )
    protocol: Literal["per_source", "global"] = "global" if negatives.strip().lower() == "global" else "per_source"
    try:
        count = 100 if protocol == "global" else int(negatives)
    except ValueError:
        raise typer.BadParameter("expected a number or 'global'", param_hint="--negatives") from None
    if count < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--negatives")
    with progress_bar("Evaluating", quiet=as_json) as bar:
        result = evaluate(
            G,
            holdout=holdout,
            seed=seed,
            k=k,
            negatives=count,
            by="date" if by_date else "random",
            protocol=protocol,
            progress=bar,
        )
    if as_json:
        print_json(result.model_dump(mode="json"))  # "outcomes" only where outcomes are recorded
        return
    s = result.split
    rows = [[m, *(f"{v:.3f}" for v in scores.values())] for m, scores in result.methods.items()]
    first = next(iter(result.methods.values()))
    sample, hits = s.get("sample"), f"hits@{s['k']}"
    drawn = (
        f" (a seeded sample of the {sample['of']}; 95% interval of graphsvc {hits} "
        f"±{sample['ci95']['methods']['graphsvc'][hits]:.3f})"
        if sample
        else ""
    )
    console().print(
        table(
            f"{s['test_links']} held-out {s['pairs']} links{drawn} ({s['by']}, seed {s['seed']}), "
            f"{s['negatives_per_link']} negatives each; graphsvc model: {s['graphsvc_model']['name']}",
            ["method", *first.keys()],
            rows,
        )
    )
    if result.modes:
        rows = [[m, *(f"{v:.3f}" for v in scores.values())] for m, scores in result.modes.items()]
        first = next(iter(result.modes.values()))
        console().print(
            table(
                "graphsvc by rank mode: held-out links and need closed (gap_closed@5: share of uncovered need the "
                "top-5 would close; gap_fit@5: share of top-5 offering something the community lacks)",
                ["rank mode", *first.keys()],
                rows,
            )
        )

    if result.outcomes is not None:
        print_outcome_report(result.outcomes)


def print_outcome_report(report: OutcomeReport) -> None:
    """``evaluate``'s outcome block for people: acceptance by group, then the reliability table."""
    from graphsvc.labels import pct

    groups = {"overall": "全部 all", "by_rank_mode": "排序 rank mode", "by_street": "街道 street"}
    groups["by_partner_kind"] = "合作方类型 partner kind"
    rows = [
        [groups[part], name, a.decided, a.accepted, pct(a.rate)]
        for part, found in report.acceptance.items()
        for name, a in found.items()
    ]
    columns = ["分组 by", "组 group", "已决定 decided", "接受 taken up", "接受率 rate"]
    console().print(table(f"建议结果 Outcomes: {report.decided} decided suggestions", columns, rows))
    bins = [[f"{b.low:.0%}-{b.high:.0%}", b.count, pct(b.shown), pct(b.observed)] for b in report.reliability]
    console().print(
        table(
            f"当时可能性的校准 Calibration of the shown probability: Brier {report.brier:.3f}, "
            f"ECE {report.ece:.3f} ({report.shown_recorded} recorded with the outcome, the rest the model's)",
            ["可能性 shown", "数量 pairs", "平均 mean shown", "实际 observed"],
            bins,
        )
    )
