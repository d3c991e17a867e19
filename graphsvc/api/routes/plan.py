"""A district-wide linkage plan, computed on the edition."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from graphsvc.analysis.plan.answers import DistrictPlan
from graphsvc.api.deps import EditionDep
from graphsvc.api.problems import problem_responses
from graphsvc.api.results import plan_of_district

router = APIRouter(prefix="/plan", tags=["plan"])


@router.get(
    "",
    summary="New links that close the most need within partners' capacity",
    responses=problem_responses(409, 422, 503),
)
def district_plan(
    edition: EditionDep,
    per_community: Annotated[int, Query(ge=1, le=5, description="at most this many new partners per community")] = 1,
) -> DistrictPlan:
    """Planned links with names and reasons, coverage before and after per community, totals, and for every
    community whose planned partner is not its recommendation list's #1, why (computed once per edition)."""
    return plan_of_district(edition, per_community)
