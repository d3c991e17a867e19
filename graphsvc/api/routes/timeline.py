"""The cycle over time: partnerships formed and lapsed per year, per street, and the fragile ones."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from graphsvc.analysis.gaps.answers import Timeline
from graphsvc.analysis.gaps.timeline import FRAGILE_DAYS, partnership_timeline
from graphsvc.api.deps import EditionDep
from graphsvc.api.problems import problem_responses

router = APIRouter(prefix="/timeline", tags=["gaps"])


@router.get("", summary="Partnerships formed and lapsed per year", responses=problem_responses(404, 422, 503))
def timeline(
    edition: EditionDep,
    street: Annotated[str | None, Query(description="only this street's partnerships", max_length=200)] = None,
    on: Annotated[
        str | None,
        Query(
            description="as of this date, YYYY-MM-DD (default today)",
            json_schema_extra={"format": "date"},
            examples=["2026-01-01"],
        ),
    ] = None,
    within: Annotated[
        int, Query(ge=0, le=3650, description="days before its one project's end a partnership is fragile")
    ] = FRAGILE_DAYS,
) -> Timeline:
    """Community–partner partnerships formed and lapsed per year (from links' ``since``, projects' ``start`` and
    ``end`` and recorded ``formed``/``lapsed`` outcomes), for the district with each street's years or for one
    street, and the fragile ones (held up by one project ending within ``within`` days). Links' ``until`` is not
    in the snapshot, so a link's end is not counted; partnerships with no date are counted in ``undated``. The
    rules: ``graphsvc.analysis.gaps.timeline``. An unknown street is a 404."""
    try:
        if on is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", on):
            raise ValueError(on)
        day = dt.date.fromisoformat(on) if on is not None else dt.date.today()
    except ValueError:
        error = {"type": "value_error", "loc": ("query", "on"), "msg": f"not a date: {on}", "input": on}
        raise RequestValidationError([error]) from None
    return edition.cached(
        ("timeline", street, day.isoformat(), within),
        lambda: partnership_timeline(edition.graph, street=street, on=day, within_days=within),
    )
