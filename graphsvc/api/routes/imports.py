"""Uploads of the documented files (CSV, XLSX, JSON): all rows written, or none."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from graphsvc.api.deps import EditionHolderDep, SettingsDep, StoreDep, WriteKeyDep
from graphsvc.api.problems import problem_responses
from graphsvc.api.schemas import ImportReport
from graphsvc.errors import InputTooLarge, ValidationFailed
from graphsvc.loaders import load_uploads
from graphsvc.loaders.tables import is_file_problem

router = APIRouter(prefix="/imports", tags=["imports"])

FILES_FIELD = "files"
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILES_FIELD],
                "properties": {
                    FILES_FIELD: {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "format": "binary"},
                        "description": (
                            "entities.csv, links.csv, needs.csv, offers.csv; or one .xlsx workbook; or one .json"
                        ),
                    }
                },
            }
        }
    },
}
"""The request body as OpenAPI documents it. The route reads it itself, after the key is checked."""


def upload_name(upload: UploadFile, index: int) -> str:
    """The file name the client gave, without any directories (``upload-N`` if none)."""
    name = PureWindowsPath(PurePosixPath(upload.filename or "").name).name.strip()
    return name or f"upload-{index}"


async def read_uploads(request: Request) -> list[tuple[str, bytes]]:
    """The uploaded files as ``(name, content)``; 422 if the body has none, 400 if it is not readable multipart."""
    form = await request.form()
    try:
        files = [value for key, value in form.multi_items() if key == FILES_FIELD and isinstance(value, UploadFile)]
        if not files:
            missing = {"type": "missing", "loc": ("body", FILES_FIELD), "msg": "Field required", "input": None}
            raise RequestValidationError([missing])
        return [(upload_name(f, i), await f.read()) for i, f in enumerate(files, start=1)]
    finally:
        await form.close()


@router.post(
    "",
    status_code=201,
    summary="Load files into the store (API key required)",
    responses={
        200: {"description": "Dry run: validated, nothing written", "model": ImportReport},
        **problem_responses(400, 401, 403, 413, 422, 503),
    },
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def create_import(
    _: WriteKeyDep,
    store: StoreDep,
    settings: SettingsDep,
    editions: EditionHolderDep,
    request: Request,
    response: Response,
    dry_run: Annotated[bool, Query(description="validate only; write nothing")] = False,
    keep_going: Annotated[
        bool,
        Query(
            description="write every consistent row and skip each row with a problem (an unknown id, an over-long "
            "value...), listing every skipped row in the report; a problem of a whole file still refuses the import"
        ),
    ] = False,
) -> ImportReport:
    """Validate every uploaded file against the file set and the store, then write all rows in one step.

    The API key is checked before the body is read, so a refused request costs no parsing.
    Any problem (bad row, unknown id, bad encoding) answers 422 with every problem
    listed by file, line and field, and nothing is written; with ``keep_going=true`` the consistent rows are
    written and the others listed under ``skipped``, with counts per reason.
    """
    uploads = await read_uploads(request)
    try:
        report = await run_in_threadpool(
            load_uploads, store, uploads, settings=settings, dry_run=dry_run, keep_going=keep_going
        )
    except ValidationFailed as error:
        rows_only = not any(is_file_problem(p) for p in error.problems)
        if not keep_going and rows_only and not isinstance(error, InputTooLarge):
            error.hint = "Send keep_going=true to write the consistent rows and skip these (each one is reported)."
        raise
    if dry_run:
        response.status_code = 200
    else:
        editions.after_write()  # the edition follows in the background; no request waits for it
    return ImportReport.model_validate(report.as_dict())
