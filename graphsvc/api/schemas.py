"""Response shapes of the API that are not domain models themselves.

Entities are returned with the fields of :class:`graphsvc.model.Entity`; lists
are ``{"data": [...], "count": n}`` where ``count`` is the number of matches
before paging.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.model import Counts, Entity

T = TypeVar("T")

MAX_PAGE = 500
DEFAULT_PAGE = 50

ENTITY_EXAMPLE: dict[str, Any] = {
    "id": "com-00001",
    "kind": "community",
    "name": "拱北第1社区（示例）",
    "name_en": "Gongbei community 1 (synthetic)",
    "street": "拱北",
    "subtype": None,
    "capacity": None,
    "attributes": {"synthetic": "true"},
}


class ListPublic(BaseModel, Generic[T]):
    """One page of a list, and how many items match in all."""

    data: list[T]
    count: int = Field(ge=0, description="matches before paging")


class EntitiesPublic(ListPublic[Entity]):
    model_config = ConfigDict(json_schema_extra={"examples": [{"data": [ENTITY_EXAMPLE], "count": 130}]})


class PartnerLink(BaseModel):
    """A partner a community already works with."""

    id: str
    kind: str
    name: str
    link_kinds: list[str] = Field(description="kinds of the links between them")


class CommunityPublic(BaseModel):
    """A community with its needs, current partners and where to find its analyses."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entity": ENTITY_EXAMPLE,
                    "needs": {"elderly_care": 3.0, "legal_aid": 1.0},
                    "partners": [
                        {
                            "id": "org-hub-001",
                            "kind": "organization",
                            "name": "拱北星辰（示例）",
                            "link_kinds": ["coordination"],
                        }
                    ],
                    "links": {
                        "self": "/communities/com-00001",
                        "gaps": "/communities/com-00001/gaps",
                        "recommendations": "/communities/com-00001/recommendations",
                    },
                }
            ]
        }
    )

    entity: Entity
    needs: dict[str, float] = Field(description="need category -> weight")
    partners: list[PartnerLink]
    links: dict[str, str] = Field(description="URLs of related resources (more may be added, e.g. a visual page)")


class SkippedRow(BaseModel):
    """A row an import with ``keep_going`` left out, and why (a row with two problems is listed twice)."""

    file: str
    line: int | None = Field(description="line (CSV), row (XLSX) or record number (JSON)")
    field: str | None = Field(description="column")
    reason: str
    sheet: str | None = Field(default=None, description="sheet of a workbook, or table of a JSON document")


class ImportReport(BaseModel):
    """What an import read, and the store's counts before and after (the same as ``graphsvc load --json``)."""

    files: list[str]
    rows: dict[str, int]
    dry_run: bool
    replace: bool = Field(False, description="whether the store was emptied first (`graphsvc load --replace`)")
    before: Counts
    after: Counts
    keep_going: bool = Field(default=False, description="whether rows with problems were skipped (keep_going)")
    skipped_rows: int = Field(default=0, ge=0, description="rows left out by keep_going")
    skipped_by_reason: dict[str, int] = Field(
        default_factory=dict, description="problems that left rows out, counted per reason (quoted values elided)"
    )
    skipped: list[SkippedRow] = Field(default_factory=list, description="every row left out, with where and why")


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class EditionInfo(BaseModel):
    version: int = Field(description="the store's data version the edition shows (its answers' ETag)")
    built_at: dt.datetime
    stale: bool = Field(description="the store has moved to a newer version that is not served yet (rebuilding)")
    nodes: int
    edges: int
    communities: int = Field(ge=0, description="communities the recommender serves")
    answers_cached: int = Field(
        ge=0, description="communities whose default recommendations (k=10, no filters) are cached so far"
    )
    recommendations_warm: bool = Field(description="every community's default recommendations are cached")


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    store: str = Field(description="store kind", examples=["sqlite"])
    edition: EditionInfo | None = None
    process: int = Field(description="id of the API process that answered (one of `graphsvc serve --workers N`)")
