"""Streets (镇街): which there are, and their gaps."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from graphsvc.analysis.gaps.answers import StreetGaps
from graphsvc.api.deps import EditionDep, SettingsDep
from graphsvc.api.params import StreetPath
from graphsvc.api.problems import problem_responses
from graphsvc.api.results import gaps_of_street, street_sizes

router = APIRouter(prefix="/streets", tags=["streets"])


class StreetPublic(BaseModel):
    street: str = Field(examples=["拱北"])
    communities: int = Field(ge=0, examples=[13])


class StreetsPublic(BaseModel):
    data: list[StreetPublic]
    count: int = Field(ge=0)


@router.get("", summary="Streets with their number of communities", responses=problem_responses(503))
def list_streets(edition: EditionDep) -> StreetsPublic:
    data = [StreetPublic(street=s, communities=n) for s, n in street_sizes(edition).items()]
    return StreetsPublic(data=data, count=len(data))


# ``:path``: a street's name may hold "/" (sent as %2F, which the server decodes before routing)
@router.get(
    "/{street:street}/gaps", summary="Gaps of one street, rolled up", responses=problem_responses(404, 422, 503)
)
def street_gaps(edition: EditionDep, settings: SettingsDep, street: StreetPath) -> StreetGaps:
    """Uncovered needs per category, communities with a single partner, the partners whose loss would uncover
    the most need and, under the ``hub`` policy profile, communities without a university link or not reached
    by the street hub. ``needs_recorded`` and ``profile`` as in a community's gaps."""
    return gaps_of_street(edition, street, settings.policy)
