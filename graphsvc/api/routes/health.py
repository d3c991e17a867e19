"""Liveness and readiness."""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Header
from starlette.concurrency import run_in_threadpool

from graphsvc.api.deps import API_KEY_HEADER, StateDep, key_matches
from graphsvc.api.problems import ProblemDetails
from graphsvc.api.schemas import EditionInfo, Health, Readiness
from graphsvc.errors import StoreUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> Health:
    """Answers as long as the process runs; touches no store."""
    return Health(status="ok")


NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ProblemDetails,
        "description": "Not ready, with `Retry-After`: the service is starting (type `.../starting`: the first "
        "edition of the data is being built) or the store cannot be reached (type `.../store-unavailable`)",
    }
}


@router.get("/readyz", summary="Ready: the store answers and an edition of its data is in service", responses=NOT_READY)
async def readyz(
    state: StateDep,
    sent: Annotated[
        str | None,
        Header(alias=API_KEY_HEADER, description="optional; when reads require a key, figures are shown only with one"),
    ] = None,
) -> Readiness:
    """200 when the store answers and an edition of its data is in service with its recommender fitted, so every
    read is answered without building a snapshot or fitting; 503 problem+json otherwise (starting, or store down).

    Warming the answer cache does not hold readiness back: ``answers_cached`` of ``communities`` says how far it
    got, and ``recommendations_warm`` is true once every community's default answer is cached. Probes need no
    key. When reads require one, the edition's figures are shown only with a valid key.
    """
    try:
        await run_in_threadpool(state.store.ping)
    except StoreUnavailable as error:
        state.editions.store_seen(error)  # store reads answer 503 at once from now until the store answers
        raise
    state.editions.store_seen(None)
    edition = state.editions.loaded
    if edition is None:
        raise state.editions.starting()
    info = None
    may_read = not state.settings.read_requires_key or (sent is not None and key_matches(sent, state.settings.api_keys))
    if may_read:
        service = edition.fitted
        communities, cached = (
            (len(service.community_ids), service.answers_cached)
            if service is not None
            else (0, 0)  # an empty district: nothing to recommend
        )
        info = EditionInfo(
            version=edition.version,
            built_at=edition.built_at,
            stale=state.editions.stale,
            nodes=edition.graph.number_of_nodes(),
            edges=edition.graph.number_of_edges(),
            communities=communities,
            answers_cached=cached,
            recommendations_warm=cached >= communities,
        )
    return Readiness(status="ready", store=state.store.uri.split(":", 1)[0], edition=info, process=os.getpid())
