"""Commands that move data: sample, load, stats, export, demo."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.cli.app import (
    DEMO_COMMUNITIES,
    CommandGroup,
    JsonOption,
    StoreOption,
    app,
    console,
    print_json,
    settings_with,
    store_from,
    table,
)
from graphsvc.cli.progress import progress_bar, snapshot_from
from graphsvc.vocabulary import AreaLevel, StreetLevel

if TYPE_CHECKING:  # the store, loaders and NetworkX are imported by the commands, so --help starts at once
    from graphsvc.loaders import LoadReport
    from graphsvc.model import Counts

CommunitiesOption = Annotated[
    int, typer.Option("--communities", "-n", min=1, help="How many communities the synthetic district has.")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same district.")]


def counts_table(counts: Counts, title: str = "Store") -> None:
    from graphsvc.labels import kind_label

    rows: list[list[object]] = [[kind_label(kind), n] for kind, n in counts.entities.items()]
    rows += [["合作 links", counts.links], ["需求 needs", counts.needs], ["提供 offers", counts.offers]]
    if counts.outcomes:
        rows.append(["建议结果 outcomes", counts.outcomes])
    rows.append(["公益项目 projects", counts.projects])
    console().print(table(title, ["项目 what", "数量 count"], rows))


@app.command()
def sample(
    outdir: Annotated[
        Path,
        typer.Argument(
            help="Directory to write entities.csv, links.csv, needs.csv, offers.csv, projects.csv "
            "(and areas.csv, its districts, beyond 130 communities)."
        ),
    ],
    communities: CommunitiesOption = DEMO_COMMUNITIES,
    seed: SeedOption = 0,
) -> None:
    """Write a SYNTHETIC sample district as the documented CSV files."""
    from graphsvc.loaders import write_csv
    from graphsvc.sample import generate_district

    dataset = generate_district(communities=communities, seed=seed)
    paths = write_csv(dataset, outdir)
    console().print(
        f"Wrote a synthetic district ({communities} communities, seed {seed}, {dataset.row_count()} rows): "
        + ", ".join(str(p) for p in paths)
    )


@app.command()
def load(
    paths: Annotated[
        list[Path], typer.Argument(help="CSV/XLSX/JSON files, directories holding them, or HSDS directories.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only and show what the store would hold; write nothing.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Empty the store first, in the same all-or-nothing write: it then holds exactly these files.",
        ),
    ] = False,
    areas: Annotated[
        AreaLevel,
        typer.Option("--areas", help="HSDS directories: which areas become communities (see docs/hsds.md)."),
    ] = AreaLevel.city,
    streets: Annotated[
        StreetLevel,
        typer.Option(
            "--streets",
            help="HSDS directories: what becomes a community's street, the level above --areas (the addresses' "
            "city, county or state); none by default, never guessed.",
        ),
    ] = StreetLevel.none,
    categories: Annotated[
        Path | None,
        typer.Option("--categories", help="HSDS directories: a CSV 'term,category' mapping taxonomy terms."),
    ] = None,
    kinds: Annotated[
        Path | None,
        typer.Option("--kinds", help="HSDS directories: a CSV 'organization,kind[,subtype]' for non-NGO partners."),
    ] = None,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Write every consistent row and skip each row with a problem (a missing referenced organization, "
            "an over-long value...), reporting every skipped row by file, line and reason.",
        ),
    ] = False,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Neo4j: a first load into an empty store (or with --replace) through Neo4j's offline importer, "
            "several times faster; the local server of `graphsvc neo4j start` rebuilds its database for it. Other "
            "stores load as usual.",
        ),
    ] = False,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load planners' files (or HSDS directories) into the store: all, or nothing if any row has a problem (exit 2);
    with --keep-going, the consistent rows, every other one reported."""
    from graphsvc.cli.hsds_output import print_hsds_summary
    from graphsvc.errors import InputTooLarge, ValidationFailed
    from graphsvc.loaders import HsdsOptions, load_paths
    from graphsvc.loaders.tables import is_file_problem

    settings = settings_with(store)
    hsds = HsdsOptions(areas=areas, categories=categories, kinds=kinds, streets=streets)
    try:
        with store_from(store, quiet=as_json, settings=settings) as graph_store, progress_bar(quiet=as_json) as bar:
            report = load_paths(
                graph_store,
                paths,
                settings=settings,
                dry_run=dry_run,
                replace=replace,
                progress=bar.stage,
                formats={"hsds": hsds},
                keep_going=keep_going,
                bulk=bulk,
            )
    except ValidationFailed as error:
        rows_only = not any(is_file_problem(p) for p in error.problems)
        if not keep_going and rows_only and not isinstance(error, InputTooLarge):
            error.hint = (
                "To write the consistent rows and skip these, load again with --keep-going "
                "(every skipped row is reported)."
            )
        raise
    if as_json:
        print_json(report.as_dict())
        return
    for summary in report.hsds:
        print_hsds_summary(summary)
    if report.keep_going:
        print_skipped(report)
    verb = "Checked (dry run, nothing written)" if dry_run else "Loaded"
    emptied = (" into the emptied store" if not dry_run else " to replace the store") if replace else ""
    rows = ", ".join(f"{n} {t}" for t, n in report.rows.items())
    console().print(f"{verb} {len(report.files)} file(s){emptied}: {rows}.")
    counts_table(report.after, title="Store after the load" if not dry_run else "Store if the load were written")


def print_skipped(report: LoadReport) -> None:
    """The rows a --keep-going load left out: counts per reason, then every one by file, line and reason."""
    from graphsvc.cli.app import problem_line

    if not report.skipped:
        console().print("--keep-going: every row was consistent; none skipped.")
        return
    rows: list[list[object]] = [[reason, n] for reason, n in report.skipped_by_reason().items()]
    console().print(
        table(
            f"跳过的行 Skipped rows (--keep-going): {report.skipped_rows}",
            ["原因 reason", "数量 count"],
            rows,
        )
    )
    for problem in report.skipped:
        console().print(f"skipped {problem_line(problem)}")


needs_app = typer.Typer(
    name="needs",
    cls=CommandGroup,
    help="Needs from what you have: an area table and service standards -> a needs table to load.",
    no_args_is_help=True,
)
app.add_typer(needs_app)


@needs_app.command("derive")
def needs_derive(
    areas: Annotated[
        Path,
        typer.Option(
            "--areas",
            help="Area table (CSV): community (its id, e.g. city:Belmont), then one column per group of residents "
            "with its count (older, children, disability, hardship, population...).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The needs table to write (CSV).")],
    standards: Annotated[
        Path | None,
        typer.Option(
            "--standards",
            help="Standards table (CSV): category,group,units,per (units of the category per 'per' residents of "
            "the group). Default: the shipped example, graphsvc/data/needs_standards.csv (illustrative figures).",
        ),
    ] = None,
) -> None:
    """Write a needs table derived from an area table and service standards; load it with graphsvc load."""
    from graphsvc.loaders.needs_derive import derive_needs_files, write_needs_csv

    if not output.parent.is_dir():
        raise typer.BadParameter(f"folder {output.parent} does not exist", param_hint="--output")
    needs = derive_needs_files(areas, standards)
    write_needs_csv(needs, output)
    communities = len({c for c, _, _ in needs})
    source = standards or "the shipped example standards (illustrative: adapt them to your own)"
    console().print(
        f"Wrote {len(needs)} needs of {communities} communities to {output}, from {areas} and {source}. "
        f"Load them beside the directory: graphsvc load {output}"
    )


@app.command()
def stats(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Count entities by kind, and links, needs and offers."""
    with store_from(store, quiet=as_json) as graph_store:
        counts = graph_store.counts()
    if as_json:
        print_json(counts.model_dump())
    else:
        counts_table(counts)


class ExportFormat(enum.StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    json = "json"
    hsds = "hsds"


EXPORT_SUFFIXES = {".graphml": ExportFormat.graphml, ".gexf": ExportFormat.gexf, ".json": ExportFormat.json}
"""The format each file name ending stands for: ``export`` picks it, and refuses a ``--format`` that disagrees."""


def export_format(out: Path, fmt: ExportFormat | None) -> ExportFormat:
    """The format to write ``out`` in: the one its extension names, which ``--format`` must not contradict;
    ``--format`` alone for another extension.

    >>> export_format(Path("district.gexf"), None).value
    'gexf'
    >>> export_format(Path("district.xml"), ExportFormat.graphml).value
    'graphml'
    """
    by_suffix = EXPORT_SUFFIXES.get(out.suffix.lower())
    if by_suffix is None:
        if fmt is None:
            raise typer.BadParameter(
                f"cannot tell the format from the name {out.name!r}: end it with "
                f"{', '.join(EXPORT_SUFFIXES)}, or give --format",
                param_hint="OUT",
            )
        return fmt
    if fmt is not None and fmt is not by_suffix:
        raise typer.BadParameter(
            f"--format {fmt.value} does not match the file name {out.name!r}, which says {by_suffix.value}: "
            "change one of them",
            param_hint="--format",
        )
    return by_suffix


@app.command()
def export(
    out: Annotated[
        Path, typer.Argument(help="File to write: .graphml, .gexf or .json picks the format (hsds: a directory).")
    ],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="graphml, gexf, node-link json (default: from OUT's extension), or hsds (HSDS 3.0 CSV tables).",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Write the whole graph with NetworkX's writers (as OUT's extension says), or the partners as an HSDS directory."""
    import networkx as nx

    from graphsvc.graph import flat_copy

    fmt = export_format(out, fmt)
    if fmt is ExportFormat.hsds:
        from graphsvc.loaders.hsds_export import write_hsds

        with store_from(store) as graph_store:
            dataset = graph_store.dataset()
        paths = write_hsds(dataset, out)
        partners = sum(e.is_partner for e in dataset.entities)
        console().print(
            f"Wrote {partners} organizations and their services as HSDS 3.0 CSV to {out} ({len(paths)} tables)."
        )
        return
    G = snapshot_from(store)
    if fmt is ExportFormat.json:
        out.write_text(json.dumps(nx.node_link_data(G, edges="edges"), ensure_ascii=False, indent=1), "utf-8")
    elif fmt is ExportFormat.graphml:
        nx.write_graphml(flat_copy(G), out)
    else:
        nx.write_gexf(flat_copy(G), out)
    console().print(f"Wrote {G.number_of_nodes()} nodes and {G.number_of_edges()} edges to {out} ({fmt.value}).")


@app.command()
def demo(
    communities: CommunitiesOption = DEMO_COMMUNITIES,
    seed: SeedOption = 0,
    store: StoreOption = None,
) -> None:
    """Load the SYNTHETIC sample district into the store (the embedded default if none is set)."""
    from graphsvc.progress import Steps
    from graphsvc.sample import generate_district

    dataset = generate_district(communities=communities, seed=seed)
    with store_from(store) as graph_store:
        with progress_bar("Loading the sample district") as bar:
            steps = Steps(bar, dataset.row_count())
            graph_store.upsert(dataset, progress=steps.advance)  # the store reports rows written since its last call
            steps.finish()
        counts = graph_store.counts()
        console().print(
            f"Loaded the synthetic sample district ({communities} communities, seed {seed}) into {graph_store.uri}"
        )
    counts_table(counts)
