"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from graphsvc.api.deps import StateDep
from graphsvc.api.problems import problem_responses
from graphsvc.api.recommendations import RecommendationService
from graphsvc.api.schemas import Health, Readiness, SnapshotInfo

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> Health:
    """Answers as long as the process runs; touches no store."""
    return Health(status="ok")


@router.get("/readyz", summary="The store is reachable", responses=problem_responses(503))
async def readyz(state: StateDep) -> Readiness:
    """200 when the store answers (503 problem otherwise), with the snapshot in service."""
    await run_in_threadpool(state.store.ping)
    snap = state.snapshots.loaded
    info = None
    if snap is not None:
        info = SnapshotInfo(
            version=snap.version,
            built_at=snap.built_at,
            stale=state.snapshots.stale,
            nodes=snap.graph.number_of_nodes(),
            edges=snap.graph.number_of_edges(),
            recommendations_warm=isinstance(snap.fitted, RecommendationService) and snap.fitted.warmed.is_set(),
        )
    return Readiness(status="ready", store=state.store.uri.split(":", 1)[0], snapshot=info)
