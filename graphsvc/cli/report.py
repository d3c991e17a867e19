"""``graphsvc report``: a printable report (one self-contained HTML file, A4), and a PDF of it if asked.

    graphsvc report street 拱北 -o gongbei.html
    graphsvc report street 拱北 -o gongbei.html --pdf gongbei.pdf

The HTML carries its charts (SVG made by matplotlib) and needs no network; print it from any browser. ``--pdf``
prints it with a headless Chromium (Debian's ``chromium``, or the one ``$CHROMIUM`` names), offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from graphsvc.cli.app import CommandGroup, PolicyOption, StoreOption, app, console, store_from
from graphsvc.cli.progress import progress_bar, read_snapshot_with_version
from graphsvc.labels import street_label

report_app = typer.Typer(
    name="report",
    cls=CommandGroup,
    help="Write a printable report (a single offline HTML file for A4, a PDF if asked): street NAME, or area "
    "LEVEL NAME (a district, city or province).",
    no_args_is_help=True,
)
app.add_typer(report_app)

PDF_SECONDS = 120

OutputOption = Annotated[
    Path, typer.Option("--output", "-o", dir_okay=False, help="HTML file to write (its folder must exist).")
]
PdfOption = Annotated[
    Path | None,
    typer.Option("--pdf", dir_okay=False, help="Also print it to this PDF file (A4), with headless Chromium."),
]


def check_folders(output: Path, pdf: Path | None) -> None:
    """Refuse, before any work, a report whose HTML or PDF would go into a folder that does not exist."""
    for path in (output, pdf):
        if path is not None and not path.parent.is_dir():
            raise typer.BadParameter(f"folder {path.parent} does not exist", param_hint="--output/--pdf")


def write_report(html: str, what: str, output: Path, pdf: Path | None) -> None:
    """Write the report's HTML to ``output`` and, if asked, print it to ``pdf``, saying so."""
    output.write_text(html, encoding="utf-8")
    console().print(f"Wrote the report of {what} to {output} ({len(html.encode()) / 1e3:.0f} KB): print it on A4.")
    if pdf is not None:
        print_pdf(output, pdf)
        console().print(f"Printed it to {pdf} ({pdf.stat().st_size / 1e3:.0f} KB).")


def chromium() -> str | None:
    """The headless Chromium that prints PDFs: ``$CHROMIUM``, else ``chromium`` / ``chromium-browser``."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def print_pdf(html: Path, pdf: Path) -> None:
    """Print ``html`` to ``pdf`` (A4, no header or footer) with headless Chromium, offline."""
    browser = chromium()
    if browser is None:
        console().print(
            "No Chromium to print with: install Debian's chromium (apt-get install chromium) or set CHROMIUM; "
            f"or open {html} in a browser and print it (A4)."
        )
        raise typer.Exit(1)
    with tempfile.TemporaryDirectory(prefix="graphsvc-pdf-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, timeout=PDF_SECONDS, check=False)
    if done.returncode != 0 or not pdf.exists():
        console().print(f"Chromium could not print {html}: {done.stderr.decode(errors='replace')[-500:]}")
        raise typer.Exit(1)


@report_app.command("area")
def area(
    level: Annotated[str, typer.Argument(metavar="LEVEL", help="district, city or province.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="The area's name, e.g. 香洲.")],
    output: OutputOption,
    pdf: PdfOption = None,
    plan: Annotated[
        bool, typer.Option("--plan/--no-plan", help="Include the district plan's figures by the level below.")
    ] = True,
    policy: PolicyOption = None,
    store: StoreOption = None,
) -> None:
    """An area above the street: its figures and categories (chart), the areas one level down worst first
    (chart), missing roles and the plan by those areas, laid out for A4."""
    from graphsvc.cli.progress import snapshot_from
    from graphsvc.viz.render import render_area_report

    check_folders(output, pdf)
    if level not in ("district", "city", "province"):
        raise typer.BadParameter("an area report is of a district, city or province (a street: report street)")
    G = snapshot_from(store)
    with progress_bar("Building the area report") as bar:
        html = render_area_report(G, level, name, plan=plan, progress=bar, policy=policy)
    write_report(html, f"{level} {name}", output, pdf)


@report_app.command("street")
def street(
    name: Annotated[str, typer.Argument(metavar="STREET", help="Street name as in the data, e.g. 拱北.")],
    output: OutputOption,
    pdf: PdfOption = None,
    k: Annotated[int, typer.Option("--k", "-k", min=0, max=20, help="Suggested partners per community (0: none).")] = 3,
    plan: Annotated[
        bool, typer.Option("--plan/--no-plan", help="Include the district plan's new links for the street.")
    ] = True,
    policy: PolicyOption = None,
    store: StoreOption = None,
) -> None:
    """One street: coverage and uncovered need by category (charts), communities worst first, missing roles,
    suggested partners with reasons and the plan's links, laid out for A4."""
    from graphsvc.cli.analysis import kept_model
    from graphsvc.viz.render import render_street_report

    check_folders(output, pdf)
    with store_from(store) as graph_store:
        version, G = read_snapshot_with_version(graph_store)
        model = None if k == 0 else kept_model(graph_store, G, version=version, seed=0, quiet=False)[0]
    with progress_bar("Building the street report") as bar:
        html = render_street_report(G, name, k=k, model=model, plan=plan, progress=bar, policy=policy)
    write_report(html, f"street {street_label(name)}", output, pdf)
