"""Every error the API returns, as ``application/problem+json`` (RFC 9457), from one place.

Routes never catch errors: graphsvc's own errors, request validation errors and
HTTP exceptions all reach the handlers registered here, which turn them into one
:class:`ProblemDetails` document. Anything else becomes a 500 problem that names
no internals (the traceback goes to the log, not the client).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from graphsvc.errors import (
    ConfigError,
    Conflict,
    EditionStale,
    GraphsvcError,
    InputTooLarge,
    NotFound,
    ServiceStarting,
    StoreUnavailable,
    ValidationFailed,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://graphsvc.example/problems/"
"""Problem ``type`` URIs are stable identifiers under this prefix (not fetched by clients)."""

HTML_ANSWER = "x-graphsvc-html"
"""Marks an OpenAPI response that is a page for a person, not a problem document (kept as documented)."""


class ProblemItem(BaseModel):
    """One problem with the request or an uploaded file: where it is and what is wrong."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = Field(default=None, description="uploaded file, or 'query'/'path'/'body' for parameters")
    line: int | None = Field(default=None, description="line (CSV), row (XLSX) or record number (JSON)")
    field: str | None = Field(default=None, description="column or parameter name")
    reason: str
    sheet: str | None = Field(default=None, description="sheet of a workbook, or table of a JSON document")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": TYPE_BASE + "not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "no entity with id 'com-99999'",
                    "instance": "/communities/com-99999",
                }
            ]
        },
    )

    type: str = Field(description="URI identifying the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="the request path")
    problems: list[ProblemItem] | None = Field(default=None, description="every problem found (validation errors)")


# (status, slug, title) for graphsvc's errors; the first match wins, so subclasses come first.
ERROR_STATUS: list[tuple[type[GraphsvcError], int, str, str]] = [
    (InputTooLarge, 413, "too-large", "Input too large"),
    (ValidationFailed, 422, "validation-failed", "Input has problems; nothing was written"),
    (NotFound, 404, "not-found", "Not found"),
    (Conflict, 409, "conflict", "Conflict"),
    (StoreUnavailable, 503, "store-unavailable", "Store unavailable"),
    (EditionStale, 503, "stale", "Newer data being prepared"),
    (ServiceStarting, 503, "starting", "Service starting"),
    (ConfigError, 500, "config-error", "Server misconfigured"),
    (GraphsvcError, 500, "internal", "Internal error"),
]

HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "API key required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-request", "Invalid request"),
    503: ("store-unavailable", "Store unavailable"),
}


_PATH = re.compile(
    r"\b(?:sqlite|file):/*[^\s'\"<>,;]*"  # a store or file URI: its path is the server's
    r"|(?<![\w:/.@-])(?:/[^\s/'\"()<>,;:]+){2,}/?"  # a POSIX path of two or more parts
    r"|\b[A-Za-z]:\\[^\s'\"<>,;]+"  # a Windows path
)


def without_paths(text: str) -> str:
    """``text`` with every filesystem path replaced by ``<path>``: problem details never show the server's files.

    >>> without_paths("SQLite store /srv/data/graph.db: database is locked")
    'SQLite store <path>: database is locked'
    >>> without_paths("cannot reach the store sqlite:///srv/data/graph.db (stopped)")
    'cannot reach the store <path> (stopped)'
    >>> without_paths("Neo4j at bolt://neo4j@127.0.0.1:7687 is unreachable")
    'Neo4j at bolt://neo4j@127.0.0.1:7687 is unreachable'
    >>> without_paths(r"cannot open C:\\data\\graph.db")
    'cannot open <path>'
    """
    return _PATH.sub("<path>", text)


def problem_response(
    request: Request,
    status: int,
    *,
    slug: str,
    title: str,
    detail: str | None = None,
    problems: list[ProblemItem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response for ``request``."""
    body = ProblemDetails(
        type=TYPE_BASE + slug,
        title=title,
        status=status,
        detail=None if detail is None else without_paths(detail),
        instance=request.url.path,
        problems=problems,
    )
    content = {k: v for k, v in body.model_dump().items() if v is not None}  # problems keep their null fields
    return JSONResponse(content, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _graphsvc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GraphsvcError)
    status, slug, title = next((s, sl, t) for kind, s, sl, t in ERROR_STATUS if isinstance(exc, kind))
    if isinstance(exc, ServiceStarting):
        log.info("%s: %s", request.url.path, exc)  # expected while the process starts, not an error
        detail = str(exc)
    elif status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        detail = "the server is misconfigured; see its log" if status == 500 else str(exc)
    else:
        detail = str(exc)
    items = None
    if isinstance(exc, ValidationFailed):
        items = [ProblemItem(**p.as_dict()) for p in exc.problems]
        detail = f"{len(items)} problem{'s' if len(items) != 1 else ''} found; nothing was written"
        if exc.hint:
            detail = f"{detail}. {exc.hint}"
    headers = {"Retry-After": "1" if isinstance(exc, EditionStale) else "5"} if status == 503 else None
    return problem_response(request, status, slug=slug, title=title, detail=detail, problems=items, headers=headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc else None
        field = ".".join(loc[1:]) or None
        items.append(ProblemItem(file=where, field=field, reason=str(error.get("msg", "invalid"))))
    detail = "; ".join(f"{i.field or i.file}: {i.reason}" for i in items[:3]) or "invalid request"
    slug, title = HTTP_SLUGS[422]
    return problem_response(request, 422, slug=slug, title=title, detail=detail, problems=items)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE and isinstance(getattr(route, "methods", None), set):
            methods |= route.methods
    return sorted(methods)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(request, exc.status_code, slug=slug, title=title, detail=detail, headers=headers or None)


def _client_left(request: Request, exc: Exception) -> JSONResponse:
    """A client gone while its body was read (or cut off as too slow, :mod:`graphsvc.api.slow_clients`): one line
    in the log, no traceback; the answer goes nowhere."""
    log.info("%s %s: the client left before its request was read", request.method, request.url.path)
    slug, title = HTTP_SLUGS[400]
    return problem_response(request, 400, slug=slug, title=title, detail="the client left before its request was read")


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, 500, slug="internal", title="Internal error", detail="an unexpected error occurred; see the log"
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(GraphsvcError, _graphsvc_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ClientDisconnect, _client_left)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each a problem+json document."""
    descriptions = {
        400: "The request body could not be parsed (e.g. malformed multipart)",
        401: "No API key was sent, or the key sent is not valid",
        403: "Refused although the key may be valid: no API key is configured on the server, so writes are disabled",
        404: "Unknown id",
        409: "Conflicts with what is stored (e.g. nothing loaded yet)",
        413: "The request body is over the configured limit",
        422: "Invalid parameters or input (every problem listed)",
        503: "The store cannot be reached, or the service is starting (its first edition of the data is being "
        "built, or newer data is: `stale`); retry after `Retry-After` seconds",
    }
    return {s: {"model": ProblemDetails, "description": descriptions.get(s, "Problem")} for s in statuses}


def use_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an OpenAPI document so every 4xx/5xx response is documented as problem+json."""
    ref = {"$ref": "#/components/schemas/ProblemDetails"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            for status, response in responses.items():
                if response.get(HTML_ANSWER):
                    continue  # a page's own answer (the login form refusing a key), not a problem document
                if status.startswith(("4", "5")) or status == "default":
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
            responses.setdefault(
                "500",
                {"description": "Unexpected error (no internals shown)", "content": {PROBLEM_JSON: {"schema": ref}}},
            )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
