"""Areas (the optional hierarchy above communities): its levels, one level's areas, one area with its children."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from graphsvc.analysis.areas.rollup import (
    AreaFigures,
    AreaGaps,
    AreaPlanFigures,
    LevelCount,
    area_gaps,
    area_levels,
    area_totals,
    check_level,
    plan_by_area,
)
from graphsvc.api.deps import EditionDep, SettingsDep
from graphsvc.api.params import AreaPath, LevelPath
from graphsvc.api.problems import problem_responses
from graphsvc.api.results import all_gaps, plan_of_district

router = APIRouter(prefix="/areas", tags=["areas"])


class LevelsPublic(BaseModel):
    data: list[LevelCount]
    count: int = Field(ge=0)


class AreasPublic(BaseModel):
    data: list[AreaFigures] = Field(description="worst first: the most uncovered need first")
    count: int = Field(ge=0)


@router.get("", summary="The levels of the area hierarchy, with how many areas each", responses=problem_responses(503))
def list_levels(edition: EditionDep) -> LevelsPublic:
    data = area_levels(edition.graph)
    return LevelsPublic(data=data, count=len(data))


@router.get(
    "/{level}", summary="Every area of one level with its figures, worst first", responses=problem_responses(404, 503)
)
def list_areas(edition: EditionDep, settings: SettingsDep, level: LevelPath) -> AreasPublic:
    """Communities, need, covered and uncovered need, coverage and missing roles, summed over each area's
    communities (``—``: communities with no area at this level)."""
    data = area_totals(edition.graph, all_gaps(edition, settings.policy), level)
    return AreasPublic(data=data, count=len(data))


class AreaPlansPublic(BaseModel):
    data: list[AreaPlanFigures] = Field(description="the areas whose planned coverage gains most first")
    count: int = Field(ge=0)


@router.get(
    "/{level}/plan",
    summary="The district plan's figures summed by the areas of one level",
    responses=problem_responses(404, 409, 503),
)
def plan_by_level(edition: EditionDep, level: LevelPath) -> AreaPlansPublic:
    """Need, coverage before and after the plan's new links (``GET /plan``, one per community), and how many
    links, per area of ``level``."""
    check_level(level)
    plan = plan_of_district(edition, 1)
    data = plan_by_area(edition.graph, plan.communities, [str(link.community) for link in plan.links], level)
    return AreaPlansPublic(data=data, count=len(data))


@router.get(
    "/{level}/{name:street}",  # a name may hold "/" (as a street's may)
    summary="One area: its figures, categories and the areas one level down, worst first",
    responses=problem_responses(404, 422, 503),
)
def one_area(edition: EditionDep, settings: SettingsDep, level: LevelPath, name: AreaPath) -> AreaGaps:
    return area_gaps(edition.graph, all_gaps(edition, settings.policy), level, name)
