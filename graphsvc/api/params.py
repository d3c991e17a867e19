"""Query and path parameters the routers share, with their limits and OpenAPI examples."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from graphsvc.analysis.results import RankMode
from graphsvc.api.schemas import MAX_PAGE

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size (at most {MAX_PAGE})", examples=[50])]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip", examples=[0])]
StreetFilter = Annotated[
    str | None, Query(min_length=1, max_length=200, description="only this street (镇街)", examples=["拱北"])
]


def _composed(value: str) -> str:
    """Ids are kept in Unicode's composed form (NFC), so a path that spells one decomposed names the same entity."""
    return unicodedata.normalize("NFC", value)


EntityIdPath = Annotated[
    str,
    Path(min_length=1, max_length=200, description="entity id", examples=["ent-0001"]),
    AfterValidator(_composed),
]
CommunityIdPath = Annotated[
    str,
    Path(min_length=1, max_length=200, description="community id", examples=["com-00001"]),
    AfterValidator(_composed),
]
PartnerIdPath = Annotated[
    str, Path(min_length=1, max_length=200, description="the partner's entity id"), AfterValidator(_composed)
]
StreetPath = Annotated[str, Path(min_length=1, max_length=200, description="street name", examples=["拱北"])]
RankQuery = Annotated[
    RankMode,
    Query(
        description="gain: expected need closed (default; who would fill the gaps and is likely to join); "
        "likelihood: how likely the link is, whatever the community needs (forecasting the network); "
        "gap: need closed alone, ignoring plausibility (searching beyond the usual circles)",
    ),
]
"""The rank mode of recommendations (see :mod:`graphsvc.analysis.recommend`)."""
