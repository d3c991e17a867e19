"""The HTTP API: ``create_app(settings)`` builds one app over one store.

Nothing is created at import time. The app opens the configured store (or uses
the one it is given), serves reads from the store and from an in-memory
analysis edition (:mod:`graphsvc.api.edition`), and answers every error as
``application/problem+json`` (:mod:`graphsvc.api.problems`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline

from graphsvc.api.deps import API_KEY_HEADER, ApiState, require_read_key
from graphsvc.api.edition import EditionHolder
from graphsvc.api.http_details import HeadAsGet, RelativeRedirects
from graphsvc.api.limits import BodySizeLimit
from graphsvc.api.memory import limit_arenas
from graphsvc.api.problems import install_problem_handlers, problem_responses, use_problem_media_type
from graphsvc.api.recommendations import fit_edition_of, warm_edition
from graphsvc.api.routes import (
    areas,
    communities,
    docs,
    entities,
    fair,
    gaps,
    health,
    imports,
    outcomes,
    page_login,
    pages,
    plan,
    projects,
    stats,
    streets,
    timeline,
)
from graphsvc.api.versioning import NotModified, VersionHeaders, not_modified
from graphsvc.settings import Settings
from graphsvc.store import GraphStore, open_store

DESCRIPTION = """
Graph analysis of resource linkage in community governance: which community lacks what,
and which partners (social organizations, caring enterprises, universities and student
societies, media) could fill it.

The demo district (`graphsvc serve --demo`) is **synthetic**: every id, name and figure
is invented, shaped by the published figures of one district's "1 + 10 + N" hub platform.

* Reads are open unless `GRAPHSVC_READ_REQUIRES_KEY` is set; writes need a key from
  `GRAPHSVC_API_KEYS` in the `X-API-Key` header and are refused when no key is configured.
* Lists are `{"data": [...], "count": n}` with `limit` and `offset`.
* Errors are `application/problem+json` (RFC 9457); upload problems list file, line and field.
"""

TAGS = [
    {"name": "communities", "description": "Communities, their needs, gaps and partner recommendations"},
    {"name": "entities", "description": "Every entity: communities and partners"},
    {"name": "streets", "description": "Streets (镇街) and their gaps"},
    {"name": "areas", "description": "The area hierarchy (street, district, city, province) and figures by area"},
    {"name": "plan", "description": "A district-wide linkage plan"},
    {"name": "stats", "description": "Counts"},
    {"name": "imports", "description": "Loading the documented files"},
    {"name": "outcomes", "description": "What became of suggested partnerships (recorded with an API key)"},
    {"name": "health", "description": "Liveness and readiness"},
    {"name": "pages", "description": "Interactive pages for planners (HTML, offline)"},
    {"name": "projects", "description": "Community projects (公益项目): read; add, replace or delete with the API key"},
    {
        "name": "fair",
        "description": "The project subscription fair (公益项目认购会): which sponsor takes which project",
    },
]


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """Build the API over ``store`` (else the store ``settings`` names; else the embedded default).

    A store passed in stays the caller's to close; a store the app opens is closed at shutdown. Called with
    no argument it reads every setting from ``GRAPHSVC_*``, so it is the app factory of every worker process:
    ``uvicorn --factory graphsvc.api.app:create_app --workers N`` (what ``graphsvc serve --workers N`` runs).
    """
    settings = settings or Settings()
    owns_store = store is None
    graph_store = store if store is not None else open_store(settings=settings)
    state = ApiState(
        settings=settings,
        store=graph_store,
        editions=EditionHolder(
            graph_store, fit=fit_edition_of(graph_store), warm=warm_edition, freshness_ms=settings.freshness_ms
        ),
        owns_store=owns_store,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The watcher builds the first edition in the background: the server answers at once (/healthz; /readyz
        # 503 until the edition is in service; reads wait for it up to startup_wait_seconds). A store that is
        # down at start is tried again every freshness_ms, and reads answer 503 until it is back.
        limit_arenas()  # this process's allocator: freed editions' memory is reused, not scattered (api/memory.py)
        state.editions.start_watching()
        yield
        state.editions.stop_watching(timeout=5)
        if state.owns_store:
            state.store.close()

    # /docs and /redoc with Swagger UI and ReDoc served from the fastapi-offline package, not a CDN.
    app = FastAPIOffline(
        redoc_url=None,
        title="graphsvc",
        version="0.1.0",
        summary="Partner recommendations and gaps for community governance",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.graphsvc = state
    install_problem_handlers(app)

    read_deps = [Depends(require_read_key)] if settings.read_requires_key else []
    read_responses = problem_responses(401, 403) if settings.read_requires_key else {}
    app.include_router(health.router)
    for router in (
        communities.router,
        entities.router,
        streets.router,
        areas.router,
        gaps.router,
        plan.router,
        stats.router,
        outcomes.reads,
        projects.router,
        projects.community_router,
        fair.router,
        timeline.router,
    ):
        app.include_router(router, dependencies=read_deps, responses=read_responses)
    if settings.read_requires_key:  # a browser gives its key once (/pages/login, or ?key=) and keeps a cookie
        page_deps = [Depends(page_login.key_in_query), Depends(page_login.require_page_key)]
        app.include_router(pages.router, dependencies=page_deps, responses=read_responses)
        app.include_router(page_login.router)
        app.add_exception_handler(page_login.PageRedirect, page_login.redirect)
    else:
        app.include_router(pages.router)
    app.include_router(imports.router)
    app.include_router(outcomes.writes)
    app.include_router(docs.router)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=[API_KEY_HEADER, "Content-Type"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(VersionHeaders)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(HeadAsGet)  # outermost: every layer below sees the GET it answers
    app.add_exception_handler(NotModified, not_modified)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = use_problem_media_type(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
