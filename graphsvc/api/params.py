"""Query and path parameters the routers share, with their limits and OpenAPI examples."""

from __future__ import annotations

import enum
import unicodedata
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator
from starlette.convertors import Convertor, register_url_convertor

from graphsvc.analysis.core.rank_modes import RANK_MODES, rank_help
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
LevelPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=20,
        description="an area level: community, street, district, city or province",
        examples=["district"],
    ),
]
AreaPath = Annotated[str, Path(min_length=1, max_length=200, description="an area's name", examples=["香洲"])]
RankName = enum.StrEnum("RankName", {name: name for name in RANK_MODES})  # type: ignore[misc]
"""The rank modes of :data:`~graphsvc.analysis.core.rank_modes.RANK_MODES` when the API is imported (OpenAPI's enum)."""

RankQuery = Annotated[
    RankName,
    Query(description=rank_help() + " (" + "; ".join(f"{m.name}: {m.use}" for m in RANK_MODES.values()) + ")"),
]
"""The rank mode of recommendations (see :mod:`graphsvc.analysis.recommender.recommend`)."""


class StreetName(Convertor[str]):
    """A street's name in a path: any text, "/" and line breaks included (Starlette's ``path`` stops at a line
    break, so such a name would find no route, and the request no key check, before its 404 or 422)."""

    regex = "(?s:.+)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("street", StreetName())
