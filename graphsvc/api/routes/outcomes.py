"""Outcomes: what became of a suggested partnership. Recorded with an API key; read like the rest.

A partner whose last recorded outcome with a community is ``declined`` is left out of that community's lists
(the list's ``declined`` names it; ``/communities/{id}/recommendations/{partner}`` says when and why), and the
link model's probabilities learn from accepted, formed and declined outcomes once the edition is rebuilt.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from graphsvc.analysis.core.rank_modes import RANK_MODES, check_rank
from graphsvc.api.deps import EditionHolderDep, StoreDep, WriteKeyDep
from graphsvc.api.problems import problem_responses
from graphsvc.api.schemas import ListPublic
from graphsvc.errors import Problem, ValidationFailed
from graphsvc.loaders.outcomes import SOURCE, record_outcomes
from graphsvc.model import Outcome
from graphsvc.vocabulary import DeclineReason, OutcomeStatus

reads = APIRouter(prefix="/outcomes", tags=["outcomes"])
writes = APIRouter(prefix="/outcomes", tags=["outcomes"])

STATUSES = ", ".join(f"{s.value} ({s.zh})" for s in OutcomeStatus)
REASONS = ", ".join(f"{r.value} ({r.zh})" for r in DeclineReason)


class OutcomeCreate(BaseModel):
    """An outcome to record. Status and reason take a code or a label in either language."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"community": "com-00010", "partner": "sch-003", "status": "declined", "reason": "no_capacity"},
                {"community": "com-00010", "partner": "org-self-00011", "status": "accepted", "by": "凤山枢纽"},
            ]
        },
    )

    community: str = Field(min_length=1, max_length=200, description="the community the partner was suggested to")
    partner: str = Field(min_length=1, max_length=200, description="the partner suggested")
    status: str = Field(min_length=1, max_length=50, description=f"what became of it: {STATUSES}")
    reason: str | None = Field(None, max_length=50, description=f"why it declined (declined only): {REASONS}")
    by: str | None = Field(None, max_length=500, description="who records it")
    at: dt.date | None = Field(None, description="when it happened (default: today)")
    rank: str | None = Field(
        None, max_length=40, description="the rank mode of the list it was suggested in: " + ", ".join(RANK_MODES)
    )
    probability: float | None = Field(None, ge=0, le=1, description="the probability the list showed")


class OutcomePublic(BaseModel):
    """A recorded outcome (codes, an ISO date)."""

    community: str
    partner: str
    status: OutcomeStatus
    at: dt.date
    reason: DeclineReason | None = None
    by: str | None = None
    rank: str | None = None
    probability: float | None = None


class OutcomesPublic(ListPublic[OutcomePublic]):
    pass


def _outcome(body: OutcomeCreate) -> Outcome:
    """The outcome the body describes; ``ValidationFailed`` (422) naming each wrong field."""
    fields = body.model_dump(exclude_none=True)
    fields.setdefault("at", dt.date.today())
    problems = []
    if body.rank is not None:
        try:
            check_rank(body.rank)
        except ValueError as error:
            problems.append(Problem(SOURCE, None, "rank", str(error)))
    try:
        outcome = Outcome.model_validate(fields)
    except ValidationError as error:
        problems += [
            Problem(
                SOURCE, None, ".".join(str(x) for x in e["loc"]) or None, str(e["msg"]).removeprefix("Value error, ")
            )
            for e in error.errors()
        ]
    if problems:
        raise ValidationFailed(problems)
    return outcome


@writes.post(
    "",
    status_code=201,
    summary="Record what became of a suggestion (API key required)",
    responses=problem_responses(400, 401, 403, 422, 503),
)
async def create_outcome(
    _: WriteKeyDep, store: StoreDep, editions: EditionHolderDep, body: OutcomeCreate
) -> OutcomePublic:
    """Record one outcome of a suggested partnership: ``proposed``, ``contacted``, ``accepted``, ``declined`` (with a
    ``reason``), ``formed`` or ``lapsed``. The same community, partner, status and date again updates it.

    An unknown id, a community given as partner (or the reverse), an unknown status or reason, or a decline
    without a reason answers 422 with every problem, and nothing is written.
    """
    outcome = _outcome(body)
    await run_in_threadpool(record_outcomes, store, [outcome])
    editions.after_write()
    return OutcomePublic.model_validate(outcome.plain())


@reads.get("", summary="List recorded outcomes", responses=problem_responses(422, 503))
def list_outcomes(
    store: StoreDep,
    community: Annotated[str | None, Query(min_length=1, max_length=200, description="only this community's")] = None,
    partner: Annotated[str | None, Query(min_length=1, max_length=200, description="only this partner's")] = None,
) -> OutcomesPublic:
    """Recorded outcomes by community, partner and date (``count``: how many)."""
    found = store.list_outcomes(community=community, partner=partner)
    return OutcomesPublic(data=[OutcomePublic.model_validate(o.plain()) for o in found], count=len(found))
