"""Uploads of the documented files (CSV, XLSX, JSON): all rows written, or none."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from graphsvc.api.deps import SettingsDep, SnapshotHolderDep, StoreDep, WriteKeyDep
from graphsvc.api.problems import problem_responses
from graphsvc.api.schemas import ImportReport
from graphsvc.loaders import load_uploads

router = APIRouter(prefix="/imports", tags=["imports"])


def upload_name(upload: UploadFile, index: int) -> str:
    """The file name the client gave, without any directories (``upload-N`` if none)."""
    name = PureWindowsPath(PurePosixPath(upload.filename or "").name).name.strip()
    return name or f"upload-{index}"


@router.post(
    "",
    status_code=201,
    summary="Load files into the store (API key required)",
    responses={
        200: {"description": "Dry run: validated, nothing written", "model": ImportReport},
        **problem_responses(400, 401, 403, 413, 422, 503),
    },
)
async def create_import(
    _: WriteKeyDep,
    store: StoreDep,
    settings: SettingsDep,
    snapshots: SnapshotHolderDep,
    response: Response,
    files: Annotated[
        list[UploadFile],
        File(
            min_length=1,
            description="entities.csv, links.csv, needs.csv, offers.csv; or one .xlsx workbook; or one .json",
        ),
    ],
    dry_run: Annotated[bool, Query(description="validate only; write nothing")] = False,
) -> ImportReport:
    """Validate every uploaded file against the file set and the store, then write all rows in one step.

    Any problem (bad row, unknown id, bad encoding) answers 422 with every problem
    listed by file, line and field, and nothing is written.
    """
    uploads = [(upload_name(f, i), await f.read()) for i, f in enumerate(files, start=1)]
    report = await run_in_threadpool(load_uploads, store, uploads, settings=settings, dry_run=dry_run)
    if dry_run:
        response.status_code = 200
    else:
        await run_in_threadpool(snapshots.after_write)
    return ImportReport.model_validate(report.as_dict())
