"""Entities of every kind: list, read, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from graphsvc.api.deps import EditionHolderDep, StoreDep, WriteKeyDep
from graphsvc.api.params import EntityIdPath, Limit, Offset, StreetFilter
from graphsvc.api.problems import problem_responses
from graphsvc.api.schemas import DEFAULT_PAGE, EntitiesPublic
from graphsvc.model import Entity
from graphsvc.vocabulary import EntityKind

router = APIRouter(prefix="/entities", tags=["entities"])


@router.get("", summary="List entities, optionally of one kind", responses=problem_responses(422, 503))
def list_entities(
    store: StoreDep,
    kind: Annotated[EntityKind | None, Query(description="only this kind", examples=["enterprise"])] = None,
    street: StreetFilter = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> EntitiesPublic:
    """Entities ordered by id; ``count`` is the number of matches before paging."""
    data = store.list_entities(kind=kind, street=street, limit=limit, offset=offset)
    return EntitiesPublic(data=data, count=store.count_entities(kind=kind, street=street))


@router.get("/{entity_id}", summary="One entity", responses=problem_responses(404, 422, 503))
def get_entity(store: StoreDep, entity_id: EntityIdPath) -> Entity:
    return store.get_entity(entity_id)


@router.delete(
    "/{entity_id}",
    status_code=204,
    summary="Delete an entity with its links, needs and offers (API key required)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def delete_entity(_: WriteKeyDep, store: StoreDep, editions: EditionHolderDep, entity_id: EntityIdPath) -> Response:
    store.delete_entity(entity_id)
    editions.after_write()
    return Response(status_code=204)
