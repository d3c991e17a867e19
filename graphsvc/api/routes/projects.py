"""Community projects (公益项目): read from the edition in service; written (API key) through the loaders."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from graphsvc.api.deps import EditionDep, EditionHolderDep, SettingsDep, StoreDep, WriteKeyDep
from graphsvc.api.edition import Edition
from graphsvc.api.params import CommunityIdPath, Limit, Offset, StreetFilter
from graphsvc.api.problems import problem_responses
from graphsvc.api.results import require_community
from graphsvc.api.schemas import DEFAULT_PAGE, ImportReport, ListPublic
from graphsvc.errors import NotFound, Problem, ValidationFailed
from graphsvc.loaders import load_uploads
from graphsvc.vocabulary import ProjectStatus

router = APIRouter(prefix="/projects", tags=["projects"])
community_router = APIRouter(prefix="/communities", tags=["projects"])


class SponsorPublic(BaseModel):
    partner: str
    name: str | None = None
    amount: float = Field(description="yuan")


class ProjectPublic(BaseModel):
    """A project, its status with zh/en labels, and its sponsors with their names."""

    id: str
    community: str
    community_name: str | None = None
    street: str | None = None
    title: str
    covers: dict[str, float] = Field(description="{need category: amount it covers}")
    budget: float = Field(description="yuan")
    status: ProjectStatus
    status_zh: str
    status_en: str
    sponsors: list[SponsorPublic]
    proposed_on: str | None = None
    start: str | None = None
    end: str | None = None


class ProjectsPublic(ListPublic[ProjectPublic]):
    """Projects, by id."""


StatusFilter = Annotated[ProjectStatus | None, Query(description="only projects of this status")]
ProjectIdPath = Annotated[str, Path(min_length=1, max_length=200, description="project id", examples=["prj-00001"])]


def _public(edition: Edition, p: dict[str, Any]) -> ProjectPublic:
    G = edition.graph
    status = ProjectStatus(p["status"])
    node = G.nodes.get(p["community"], {})
    return ProjectPublic(
        id=p["id"],
        community=p["community"],
        community_name=node.get("name"),
        street=node.get("street"),
        title=p["title"],
        covers=p["covers"],
        budget=p["budget"],
        status=status,
        status_zh=status.zh,
        status_en=status.en,
        sponsors=[SponsorPublic(partner=s, name=G.nodes.get(s, {}).get("name"), amount=a) for s, a in p["sponsors"]],
        proposed_on=p.get("proposed_on"),
        start=p.get("start"),
        end=p.get("end"),
    )


def projects_of(
    edition: Edition, *, community: str | None = None, street: str | None = None, status: ProjectStatus | None = None
) -> list[dict[str, Any]]:
    """The edition's projects, filtered, by id."""
    G = edition.graph
    out = []
    for p in G.graph.get("projects") or []:
        if community is not None and p["community"] != community:
            continue
        if street is not None and G.nodes.get(p["community"], {}).get("street") != street:
            continue
        if status is not None and p["status"] != status.value:
            continue
        out.append(p)
    return out


@router.get("", summary="Community projects, by id", responses=problem_responses(422, 503))
def list_projects(
    edition: EditionDep,
    street: StreetFilter = None,
    status: StatusFilter = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> ProjectsPublic:
    """Projects of the district (of a street, of a status), each with its community, sponsors and status."""
    found = projects_of(edition, street=street, status=status)
    return ProjectsPublic(data=[_public(edition, p) for p in found[offset : offset + limit]], count=len(found))


@router.get("/{project_id}", summary="One project", responses=problem_responses(404, 422, 503))
def get_project(edition: EditionDep, project_id: ProjectIdPath) -> ProjectPublic:
    for p in edition.graph.graph.get("projects") or []:
        if p["id"] == project_id:
            return _public(edition, p)
    raise NotFound(f"no project with id {project_id!r}")


@community_router.get(
    "/{community_id}/projects", summary="A community's projects", responses=problem_responses(404, 422, 503)
)
def community_projects(edition: EditionDep, community_id: CommunityIdPath) -> ProjectsPublic:
    """The community's projects, by id (404 for an unknown community)."""
    require_community(edition, community_id)
    found = projects_of(edition, community=community_id)
    return ProjectsPublic(data=[_public(edition, p) for p in found], count=len(found))


PROJECTS_EXAMPLE = {
    "projects": [
        {
            "id": "prj-9001",
            "community": "com-00001",
            "title": "长者饭堂",
            "covers": "elderly_care:2",
            "budget": 8000,
            "status": "proposed",
        }
    ]
}
PROJECTS_BODY: dict[str, Any] = {
    "required": True,
    "description": 'A JSON document {"projects": [...]}, as a projects.json file holds it: each project with id, '
    "community, title, covers ('elderly_care:2; youth:1'), budget (yuan) and optionally status, sponsors "
    "('ent-0001:5000; ent-0002:3000'), proposed_on, start, end. A project replaces the one with its id.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["projects"],
                "properties": {"projects": {"type": "array", "items": {"type": "object"}}},
            },
            "example": PROJECTS_EXAMPLE,
        }
    },
}
"""The request body as OpenAPI documents it. The route reads it itself, after the key is checked, and hands it to
the loaders as a ``projects.json`` upload (as ``POST /imports`` reads its files)."""


def refuse_other_tables(data: bytes) -> None:
    """422 for a document holding tables other than ``projects`` (``POST /imports`` takes those); a document that
    is not JSON is left for the loader to report."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return
    others = sorted(str(k) for k in doc if k != "projects") if isinstance(doc, dict) else []
    if others:
        reason = "only projects are taken here; send the other tables to POST /imports"
        raise ValidationFailed([Problem("projects.json", None, key, reason) for key in others])


@router.post(
    "",
    status_code=201,
    summary="Add or replace projects (API key required)",
    responses={
        200: {"description": "Dry run: validated, nothing written"},
        **problem_responses(400, 401, 403, 413, 422, 503),
    },
    openapi_extra={"requestBody": PROJECTS_BODY},
)
async def put_projects(
    _: WriteKeyDep,
    store: StoreDep,
    settings: SettingsDep,
    editions: EditionHolderDep,
    request: Request,
    response: Response,
    dry_run: Annotated[bool, Query(description="validate only; write nothing")] = False,
) -> ImportReport:
    """Validate the projects against the store (every problem named by position and field: 422, nothing written),
    then write them in one step, as ``POST /imports`` writes a projects.json. The key is checked before the body
    is read."""
    data = await request.body()
    refuse_other_tables(data)
    report = await run_in_threadpool(load_uploads, store, [("projects.json", data)], settings=settings, dry_run=dry_run)
    if dry_run:
        response.status_code = 200
    else:
        editions.after_write()
    return ImportReport.model_validate(report.as_dict())


@router.delete(
    "/{project_id}",
    status_code=204,
    summary="Delete a project (API key required)",
    responses=problem_responses(401, 403, 404, 503),
)
async def delete_project(
    _: WriteKeyDep, store: StoreDep, editions: EditionHolderDep, project_id: ProjectIdPath
) -> Response:
    """Delete one project with its sponsorships (404 if there is none)."""
    if not await run_in_threadpool(store.delete_project, project_id):
        raise NotFound(f"no project with id {project_id!r}")
    editions.after_write()
    return Response(status_code=204)
