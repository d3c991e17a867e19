"""``graphsvc timeline``: community–partner partnerships formed and lapsed per year, and the fragile ones.

    graphsvc timeline                      # the district's years, then each street's
    graphsvc timeline --street 拱北 --json
    graphsvc timeline --on 2026-01-01      # as of a date (project ends after it are not lapses)

It calls :func:`graphsvc.analysis.gaps.timeline.partnership_timeline`, as ``GET /timeline`` and
``research.timeline_frame`` do.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.cli.app import JsonOption, StoreOption, app, console, print_json, table
from graphsvc.cli.progress import snapshot_from
from graphsvc.labels import named, street_label

if TYPE_CHECKING:
    from graphsvc.analysis.gaps.answers import TimelineYear


def _year_rows(years: list[TimelineYear]) -> list[list[object]]:
    return [[y.year, y.formed, y.lapsed, y.held] for y in years]


COLUMNS = ["年份 year", "新建 formed", "中止 lapsed", "年末维持 held at year end"]


@app.command(name="timeline")
def timeline_command(
    street: Annotated[str | None, typer.Option("--street", help="Only this street's partnerships.")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="As of this date (YYYY-MM-DD; default today): fragile and lapsed.")
    ] = None,
    within: Annotated[
        int, typer.Option("--within", min=0, help="Days before its one project's end a partnership is fragile.")
    ] = 90,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Partnerships formed and lapsed per year (links' since, projects' start and end, recorded outcomes), per
    street, and the fragile ones: held up by one project near its end."""
    from graphsvc.analysis.gaps.timeline import partnership_timeline
    from graphsvc.errors import Problem, ValidationFailed

    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        raise ValidationFailed([Problem("--on", None, "on", f"not a date (YYYY-MM-DD): {on!r}")]) from None
    G = snapshot_from(store, quiet=as_json)
    t = partnership_timeline(G, street=street, on=day, within_days=within)
    if as_json:
        print_json(t.model_dump(mode="json"))
        return
    where = f"街道 street {street_label(street)}" if street else "全区 district"
    title = f"合作关系逐年变化 Partnerships per year · {where} · 截至 as of {t.on}"
    console().print(table(title, COLUMNS, _year_rows(t.years)))
    console().print(
        f"合作关系 partnerships {t.partnerships}; 已中止 lapsed {t.lapsed}; "
        f"无日期（不计入年份） undated, in no year {t.undated}"
    )
    for name, years in t.by_street.items():
        console().print(table(f"街道 street {street_label(name)}", COLUMNS, _year_rows(years)))
    if t.fragile:
        rows = [
            [
                named(G.nodes[f.community].get("name"), f.community),
                named(f.name, f.partner),
                f.project,
                f.end,
                f.days_left,
            ]
            for f in t.fragile
        ]
        columns = ["社区 community", "合作方 partner", "项目 project", "结束 end", "剩余天数 days left"]
        console().print(table("脆弱的合作（仅靠一个即将结束的项目） Fragile: one project, near its end", columns, rows))
    else:
        console().print(f"无脆弱合作 no fragile partnership (one project ending within {within} days)")
