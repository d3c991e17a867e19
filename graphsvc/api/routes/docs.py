"""ReDoc from the package's own assets, asking nothing of any other host.

Swagger UI (``/docs``) and the assets under ``/static-offline-docs`` come from
fastapi-offline (see :func:`graphsvc.api.app.create_app`). ReDoc's bundle also
tries to show Redocly's logo from a CDN; the page's Content-Security-Policy lets
it load images only from this server, so the browser never makes that request.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from starlette.responses import HTMLResponse

router = APIRouter()

STATIC = "/static-offline-docs"
"""Where fastapi-offline mounts Swagger UI's and ReDoc's files."""

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
)


@router.get("/redoc", include_in_schema=False)
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{STATIC}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{STATIC}/favicon.png",
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = CSP
    return page
