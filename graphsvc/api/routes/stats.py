"""Counts of what the store holds."""

from __future__ import annotations

from fastapi import APIRouter

from graphsvc.api.deps import StoreDep
from graphsvc.api.problems import problem_responses
from graphsvc.model import Counts

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("", summary="Counts by entity kind, and of links, needs and offers", responses=problem_responses(503))
def stats(store: StoreDep) -> Counts:
    """The same object as ``graphsvc stats --json``."""
    return store.counts()
