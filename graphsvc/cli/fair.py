"""``graphsvc fair``: the project subscription fair (公益项目认购会) on the store's data.

    graphsvc fair                                   # every street's proposed projects, a table per street
    graphsvc fair --street 拱北 --html gongbei.html  # the printable sheet (A4, opens offline)
    graphsvc fair --csv fair.csv --sponsors present.csv --json

It calls :func:`graphsvc.analysis.fair.fair` (and :func:`~graphsvc.analysis.fair.first_come`, the baseline it is
compared with) with the link model kept in the store, as ``recommend`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.cli.app import JsonOption, StoreOption, app, console, print_json, store_from, table
from graphsvc.cli.progress import progress_bar, read_snapshot_with_version
from graphsvc.labels import named, num, pct, street_label

if TYPE_CHECKING:
    import networkx as nx

    from graphsvc.analysis.fair.match import FairResult, FairSponsor

SOLVER_HELP = (
    "How matches are chosen: auto (the exact programme, scipy's MILP, up to 20,000 sponsor-project pairs; the "
    "greedy above), milp or greedy."
)


def present_sponsors(path: Path, G: nx.Graph) -> list[FairSponsor]:
    """The sponsors a ``--sponsors`` file names, each an entity of the store (else every unknown one is named)."""
    from graphsvc.analysis.fair.match import FairSponsor
    from graphsvc.errors import Problem, ValidationFailed
    from graphsvc.loaders.sponsors import read_sponsors

    rows = read_sponsors(path)
    unknown = [
        Problem(str(path), None, "partner", f"no partner with id {r.partner!r} in the store")
        for r in rows
        if r.partner not in G or G.nodes[r.partner].get("kind") == "community"
    ]
    if unknown:
        raise ValidationFailed(unknown)
    return [FairSponsor(partner=r.partner, budget=r.budget, capacity=r.capacity) for r in rows]


@app.command(name="fair")
def fair_command(
    street: Annotated[str | None, typer.Option("--street", help="Only this street's proposed projects.")] = None,
    sponsors: Annotated[
        Path | None,
        typer.Option(
            "--sponsors",
            exists=True,
            dir_okay=False,
            help="CSV of the sponsors present: partner,budget[,capacity] (yuan; capacity: new communities it can "
            "take). Default: every partner but hubs and self-organizations, with its 'budget' column or a budget "
            "by kind.",
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", dir_okay=False, help="Write the printable sheet (one A4 page per street).")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", dir_okay=False, help="Write one row per project (matched or not).")
    ] = None,
    solver: Annotated[str, typer.Option("--solver", help=SOLVER_HELP)] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the link model (as for recommend).")] = 0,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Match proposed projects with the sponsors present, for the most need covered (weighted by how likely each
    sponsorship is) within every budget; say why each project left over is left; compare with first come."""
    from graphsvc.analysis.fair.match import SOLVERS, fair, first_come, proposed_projects
    from graphsvc.cli.analysis import kept_model

    if solver not in SOLVERS:
        raise typer.BadParameter(f"choose {', '.join(SOLVERS)}", param_hint="--solver")
    with store_from(store, quiet=as_json) as graph_store:
        version, G = read_snapshot_with_version(graph_store, quiet=as_json)
        model = (  # no proposed project, nothing to weigh: no model is fitted
            kept_model(graph_store, G, version=version, seed=seed, quiet=as_json)[0]
            if proposed_projects(G, street=street)
            else None
        )
    present = present_sponsors(sponsors, G) if sponsors is not None else None
    with progress_bar("Choosing the fair's matches", quiet=as_json) as bar:
        bar(0, 1)
        result = fair(G, model=model, sponsors=present, street=street, solver=solver)
        baseline = first_come(G, model=model, sponsors=present, street=street)
        bar(1, 1)
    written = write_outputs(result, html=html, csv_out=csv_out)
    if as_json:
        print_json(
            {
                **result.model_dump(mode="json"),
                "first_come_need_covered": baseline.need_covered,
                "first_come_matches": len(baseline.matches),
                "written": [str(p) for p in written],
            }
        )
        return
    print_fair(result, baseline)
    for path in written:
        console().print(f"Wrote {path}")


def write_outputs(result: FairResult, *, html: Path | None, csv_out: Path | None) -> list[Path]:
    """Write the sheet and the CSV where asked; return the paths written."""
    from graphsvc.viz.fair_sheet import fair_csv, fair_sheet_html

    written = []
    if html is not None:
        html.write_text(fair_sheet_html(result), encoding="utf-8")
        written.append(html)
    if csv_out is not None:
        csv_out.write_text(fair_csv(result), encoding="utf-8")
        written.append(csv_out)
    return written


def print_fair(result: FairResult, baseline: FairResult) -> None:
    """The fair as tables for people: a table of matches and one of projects left, per street; then the totals."""
    for street in result.streets():
        matches = [m for m in result.matches if m.street == street]
        left = [u for u in result.unmatched if u.street == street]
        if matches:
            rows = [
                [
                    named(m.title, m.project),
                    named(m.community_name, m.community),
                    named(m.sponsor_name, m.sponsor),
                    f"¥{m.cost:,.0f}",
                    pct(m.probability),
                    num(m.expected),
                    [m.reasons[0].text_zh, m.reasons[0].text_en],
                ]
                for m in matches
            ]
            console().print(
                table(
                    f"认购 Matches · {street_label(street)}",
                    [
                        "项目 project",
                        "社区 community",
                        "认购方 sponsor",
                        "金额 yuan",
                        "可能性 p",
                        "预期 expected",
                        "理由 reason",
                    ],
                    rows,
                )
            )
        if left:
            rows = [[named(u.title, u.project), f"¥{u.cost:,.0f}", [u.text_zh, u.text_en]] for u in left]
            console().print(
                table(
                    f"未认购 Left without a sponsor · {street_label(street)}",
                    ["项目 project", "预算 yuan", "原因 why"],
                    rows,
                )
            )
    if result.projects == 0:
        where = f" in {street_label(result.street)}" if result.street else ""
        console().print(
            f"没有待认购的项目{where}: no proposed projects{where} — load a projects table (projects.csv, status "
            "proposed) first"
        )
    ratio = result.need_covered / baseline.need_covered if baseline.need_covered > 0 else None
    console().print(
        table(
            f"认购会 Fair: {result.projects} 个项目 projects ({result.solver})",
            ["选择 choice", "认购 matched", "预期覆盖需求 expected need covered"],
            [
                ["认购会 fair", len(result.matches), num(result.need_covered)],
                ["先到先得 first come", len(baseline.matches), num(baseline.need_covered)],
            ],
        )
    )
    if ratio is not None:
        console().print(f"认购会 / 先到先得 fair vs first come: {ratio:.2f}x")
