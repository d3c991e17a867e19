"""The district's gaps, rolled up over every community, computed on the edition."""

from __future__ import annotations

from fastapi import APIRouter

from graphsvc.analysis.gaps.answers import DistrictGaps
from graphsvc.api.deps import EditionDep, SettingsDep
from graphsvc.api.problems import problem_responses
from graphsvc.api.results import gaps_of_district

router = APIRouter(prefix="/gaps", tags=["gaps"])


@router.get("", summary="Gaps of the whole district", responses=problem_responses(409, 503))
def district_gaps(edition: EditionDep, settings: SettingsDep) -> DistrictGaps:
    """Need, covered and uncovered per category and per street, the communities with no need recorded, the
    service deserts (supply-side gaps, not needs), fragility and the policy report of the profile used.

    ``needs_recorded`` is false (and ``coverage`` null) when no community has a need recorded, as for a
    resource directory loaded alone; ``profile`` names the policy profile (the setting ``GRAPHSVC_POLICY``,
    else ``generic`` for communities made from a directory's areas, ``hub`` otherwise). Computed once per
    edition."""
    return gaps_of_district(edition, settings.policy)
