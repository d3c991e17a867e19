"""``graphsvc render``: write an interactive page (one self-contained HTML file) for planners.

    graphsvc render overview -o overview.html
    graphsvc render community com-00001 -o com-00001.html
    graphsvc render street 拱北 -o gongbei.html

Each file carries its own scripts, so it opens in a browser with no network
access, and can be mailed or put on a shared drive as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.analysis.core.rank_modes import DEFAULT_RANK
from graphsvc.cli.app import CommandGroup, PolicyOption, RankOption, StoreOption, app, console, store_from
from graphsvc.cli.progress import progress_bar, read_snapshot_with_version, snapshot_from
from graphsvc.labels import named, street_label

if TYPE_CHECKING:  # pages pull in pyvis, scipy and the analyses: imported by the commands
    from graphsvc.viz import PageOptions

render_app = typer.Typer(
    name="render",
    cls=CommandGroup,
    help="Write an interactive page (a single offline HTML file): overview, community ID or street NAME.",
    no_args_is_help=True,
)
app.add_typer(render_app)

OutputOption = Annotated[
    Path,
    typer.Option("--output", "-o", dir_okay=False, help="HTML file to write (its folder must exist)."),
]
# Defaults left to PageOptions (None here), so that --help need not import the pages.
LayoutOption = Annotated[
    int | None,
    typer.Option(
        "--layout-threshold",
        min=0,
        help="Above this many nodes, lay out on the server by street (physics off). Default: 300.",
        show_default=False,
    ),
]
AggregateOption = Annotated[
    int | None,
    typer.Option(
        "--aggregate-threshold",
        min=1,
        help="Above this many nodes, the overview shows streets as single nodes. Default: 1200.",
        show_default=False,
    ),
]
AreaBudgetOption = Annotated[
    int | None,
    typer.Option(
        "--area-budget",
        min=1,
        help="Past the aggregate threshold, with more streets than this, draw the areas of the lowest level "
        "that has at most this many (districts, cities or provinces). Default: 400.",
        show_default=False,
    ),
]
LinksOption = Annotated[
    str | None,
    typer.Option(
        "--links",
        help="Where the pages are served (e.g. http://127.0.0.1:8000/pages): the file's areas, table rows and "
        "search open them there. Default: a file without links.",
        show_default=False,
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option("--seed", help="Layout seed: the same seed gives the same picture. Default: 0.", show_default=False),
]


def _options(**given: int | None) -> PageOptions:
    """Page options with what the user gave; the rest keep PageOptions' defaults."""
    from graphsvc.viz import PageOptions

    return PageOptions(**{name: value for name, value in given.items() if value is not None})


def _write(out: Path, html: str, what: str) -> None:
    if not out.parent.is_dir():
        raise typer.BadParameter(f"folder {out.parent} does not exist", param_hint="--output")
    out.write_text(html, encoding="utf-8")
    size = len(html.encode("utf-8")) / 1e6
    console().print(f"Wrote {what} to {out} ({size:.1f} MB): open it in any browser; it needs no network.")


@render_app.command("overview")
def overview(
    output: OutputOption,
    layout_threshold: LayoutOption = None,
    aggregate_threshold: AggregateOption = None,
    seed: SeedOption = None,
    area_budget: AreaBudgetOption = None,
    links: LinksOption = None,
    policy: PolicyOption = None,
    store: StoreOption = None,
) -> None:
    """The district: communities by street (coloured by gap level), hubs and partners, with a legend; a territory
    with more streets than the page draws (400) as areas (districts, or cities, or provinces), worst first."""
    from graphsvc.viz import PageUrls, render_overview

    if links is not None and not links.startswith(("http://", "https://", "/")):
        raise typer.BadParameter(
            "give an http(s) URL or a path, e.g. http://127.0.0.1:8000/pages", param_hint="--links"
        )
    urls = PageUrls(links.rstrip("/")) if links else None
    options = _options(
        layout_threshold=layout_threshold, aggregate_threshold=aggregate_threshold, seed=seed, area_budget=area_budget
    )
    G = snapshot_from(store)
    with progress_bar("Building the overview") as bar:
        html = render_overview(G, urls=urls, options=options, progress=bar, policy=policy)
    _write(output, html, f"the district overview ({G.number_of_nodes()} nodes)")


@render_app.command("community")
def community(
    community_id: Annotated[str, typer.Argument(metavar="ID", help="Community id, e.g. com-00001.")],
    output: OutputOption,
    k: Annotated[int, typer.Option("--k", "-k", min=0, max=50, help="How many suggested partners to draw.")] = 5,
    rank: RankOption = DEFAULT_RANK,
    layout_threshold: LayoutOption = None,
    seed: SeedOption = None,
    policy: PolicyOption = None,
    store: StoreOption = None,
) -> None:
    """One community: its partners, their other communities, its street hub, its gaps and suggested links."""
    from graphsvc.analysis.core.common import require_community
    from graphsvc.cli.analysis import kept_model
    from graphsvc.viz import render_community

    mode = rank  # checked by RankOption
    options = _options(layout_threshold=layout_threshold, seed=seed)
    with store_from(store) as graph_store:
        version, G = read_snapshot_with_version(graph_store)  # the model is kept under the data it saw
        require_community(G, community_id)
        model = None if k == 0 else kept_model(graph_store, G, version=version, seed=0, quiet=False)[0]
    recs = {"community": community_id, "recommendations": []} if k == 0 else None
    with progress_bar("Building the community page") as bar:
        html = render_community(
            G,
            community_id,
            k=k,
            rank=mode,
            model=model,
            recommendations=recs,
            options=options,
            progress=bar,
            policy=policy,
        )
    _write(output, html, f"the page of community {named(G.nodes[community_id].get('name'), community_id)}")


@render_app.command("street")
def street(
    name: Annotated[str, typer.Argument(metavar="STREET", help="Street name as in the data, e.g. 拱北.")],
    output: OutputOption,
    layout_threshold: LayoutOption = None,
    seed: SeedOption = None,
    policy: PolicyOption = None,
    store: StoreOption = None,
) -> None:
    """One street: its communities, hub and partners, with the street's gaps."""
    from graphsvc.viz import render_street

    options = _options(layout_threshold=layout_threshold, seed=seed)
    G = snapshot_from(store)
    with progress_bar("Building the street page") as bar:
        html = render_street(G, name, options=options, progress=bar, policy=policy)
    _write(output, html, f"the page of street {street_label(name)}")
