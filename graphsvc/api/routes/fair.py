"""The project subscription fair: matches of the proposed projects with the sponsors present, on the edition."""

from __future__ import annotations

import enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from graphsvc.analysis.fair.match import FairResult, FairSponsor, fair, first_come, proposed_projects
from graphsvc.api.deps import EditionDep
from graphsvc.api.edition import Edition
from graphsvc.api.params import StreetFilter
from graphsvc.api.problems import problem_responses
from graphsvc.errors import Problem, StoreUnavailable, ValidationFailed

router = APIRouter(tags=["fair"])


class Solver(enum.StrEnum):
    auto = "auto"
    milp = "milp"
    greedy = "greedy"


class FairFormat(enum.StrEnum):
    json = "json"
    csv = "csv"
    html = "html"


SolverQuery = Annotated[
    Solver,
    Query(description="auto: the exact programme (scipy's MILP) up to 20,000 sponsor-project pairs, greedy above"),
]


class FairPublic(FairResult):
    """The fair, and the first-come baseline's expected need covered on the same projects and budgets."""

    first_come_need_covered: float
    first_come_matches: int


class FairRequest(BaseModel):
    """Who is present at the fair, and which street's projects it offers."""

    street: str | None = Field(default=None, min_length=1, max_length=200, examples=["拱北"])
    solver: Solver = Solver.auto
    sponsors: list[FairSponsor] | None = Field(
        default=None,
        max_length=2_000,
        description="the sponsors present with their budgets (yuan) and capacity (new communities they can take); "
        "default: every partner but hubs and self-organizations, with its 'budget' column or a budget by kind",
    )


def _run(edition: Edition, street: str | None, solver: str, sponsors: list[FairSponsor] | None) -> FairPublic:
    service = edition.fitted
    model, engine = (service.recommender.model, service.recommender.scorer.engine) if service else (None, None)
    if service is None and edition.graph.number_of_nodes() and proposed_projects(edition.graph):
        raise StoreUnavailable("the link model is not ready yet; retry shortly")
    if sponsors is not None:
        kinds = {s.partner: edition.graph.nodes.get(s.partner, {}).get("kind") for s in sponsors}
        unknown = [partner for partner, kind in kinds.items() if kind in (None, "community")]
        if unknown:
            raise ValidationFailed([Problem("(body)", None, "sponsors", f"no partner with id {p!r}") for p in unknown])
    result = fair(edition.graph, model=model, sponsors=sponsors, street=street, solver=solver, engine=engine)
    baseline = first_come(edition.graph, model=model, sponsors=sponsors, street=street, engine=engine)
    return FairPublic(
        **result.model_dump(), first_come_need_covered=baseline.need_covered, first_come_matches=len(baseline.matches)
    )


@router.get(
    "/fair",
    response_model=FairPublic,
    summary="The subscription fair of the proposed projects with the sponsors present by default",
    responses={
        200: {"content": {"text/csv": {}, "text/html": {}}, "description": "JSON, CSV or the printable sheet"},
        **problem_responses(404, 422, 503),
    },
)
def get_fair(
    edition: EditionDep,
    street: StreetFilter = None,
    solver: SolverQuery = Solver.auto,
    format: Annotated[FairFormat, Query(description="json, csv (a row per project) or html (the A4 sheet)")] = (
        FairFormat.json
    ),
) -> Any:
    """Which sponsor takes which proposed project for the most need covered (weighted by how likely each
    sponsorship is) within every budget; each project left with why; the first-come baseline beside it.
    Computed once per edition, street and solver."""
    result = edition.cached(("fair", street, solver.value), lambda: _run(edition, street, solver.value, None))
    if format is FairFormat.csv:
        from graphsvc.viz.fair_sheet import fair_csv

        return Response(fair_csv(result), media_type="text/csv; charset=utf-8")
    if format is FairFormat.html:
        from graphsvc.viz.fair_sheet import fair_sheet_html

        return Response(fair_sheet_html(result), media_type="text/html; charset=utf-8")
    return result


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` put in place (they would point nowhere in the OpenAPI document)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: dict[str, Any] = walk(schema)
    return out


FAIR_BODY: dict[str, Any] = {
    "required": False,
    "content": {"application/json": {"schema": _inlined(FairRequest.model_json_schema())}},
}
"""The request body as OpenAPI documents it (optional: no body is a fair of every street with the sponsors present
by default). The route reads it itself, after the key (if reads need one) is checked, as ``POST /imports`` does."""


@router.post(
    "/fairs",
    summary="A fair with the sponsors and budgets given",
    response_model=FairPublic,
    responses=problem_responses(400, 404, 413, 422, 503),
    openapi_extra={"requestBody": FAIR_BODY},
)
async def post_fair(edition: EditionDep, request: Request) -> Any:
    """As ``GET /fair``, with the sponsors present and their budgets given in the body (not cached; nothing is
    written)."""
    body = await request.body()
    try:
        asked = FairRequest.model_validate_json(body or b"{}")
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None
    return await run_in_threadpool(_run, edition, asked.street, asked.solver.value, asked.sponsors)
