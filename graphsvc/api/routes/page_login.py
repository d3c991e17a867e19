"""Opening the pages in a browser when reads need a key (``GRAPHSVC_READ_REQUIRES_KEY``).

A browser cannot send the ``X-API-Key`` header, so a person gives a key once — on ``/pages/login`` (a form), or
as ``?key=`` on a page's address — and gets a cookie for the pages: ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's link or form sends it), its path the pages' own, ``Secure`` over https, gone
when the browser closes, and holding a keyed digest of the key, never the key. A page asked for with ``?key=`` is
redirected to its address without it, so the key is in no link the pages draw and no address bar after the
first. The cookie only reads: writes still need the header.

Included by ``create_app`` only when reads need a key.
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, Security
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graphsvc.api.deps import (
    PAGES_COOKIE,
    SettingsDep,
    api_key_scheme,
    key_matches,
    page_token,
    require_read_key,
)
from graphsvc.api.problems import HTML_ANSWER
from graphsvc.settings import Settings

router = APIRouter(prefix="/pages", tags=["pages"])

HTML_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

FORM = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>graphsvc: 输入密钥 / enter a key</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 4em auto">
<h1>graphsvc</h1>
<p>查看页面需要 API 密钥。 / Reading the pages needs an API key.</p>
{message}
<form method="post" action="{action}">
<input type="hidden" name="next" value="{next}">
<label>密钥 / key <input type="password" name="key" autocomplete="current-password" autofocus required></label>
<button type="submit">打开 / open</button>
</form>
</body></html>
"""


class PageRedirect(Exception):
    """Answer a page's request with a redirect to ``location`` (setting the cookie ``token`` when there is one)."""

    def __init__(self, location: str, token: str | None = None) -> None:
        super().__init__(location)
        self.location = location
        self.token = token


def pages_base(request: Request) -> str:
    """The pages' root-relative path (``/pages``, behind a proxy's ``root_path`` too)."""
    return request.url_for("overview_html").path.rsplit("/", 1)[0]


def with_cookie(response: Response, request: Request, token: str) -> Response:
    response.set_cookie(
        PAGES_COOKIE,
        token,
        path=pages_base(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def valid_key(key: str, settings: Settings) -> str | None:
    """The pages' token of ``key`` if it is one of the configured keys."""
    if not settings.api_keys or not key_matches(key, settings.api_keys):
        return None
    return next(page_token(k) for k in settings.api_keys if key_matches(key, [k]))


def key_in_query(
    request: Request,
    settings: SettingsDep,
    key: Annotated[
        str | None,
        Query(description="an API key, given once: the page answers with a cookie and its address without the key"),
    ] = None,
) -> None:
    """A page's dependency: ``?key=`` valid → redirect to the address without it, with the cookie; else 401."""
    if key is None:
        return
    token = valid_key(key, settings)
    if token is None:
        raise HTTPException(401, "the API key is not valid", {"WWW-Authenticate": "ApiKey"})
    rest = [(name, value) for name, value in request.query_params.multi_items() if name != "key"]
    location = request.url.path + (f"?{urlencode(rest)}" if rest else "")
    raise PageRedirect(location, token)


def require_page_key(
    settings: SettingsDep, request: Request, sent: Annotated[str | None, Security(api_key_scheme)]
) -> None:
    """The read key rule for the pages: a browser that sent no key is sent to the form (303), others get the
    401 problem, which says where a browser gives its key."""
    try:
        require_read_key(settings, request, sent)
    except HTTPException as refused:
        if refused.status_code != 401:
            raise
        if not sent and "text/html" in request.headers.get("accept", ""):
            raise PageRedirect(pages_base(request) + "/login?" + urlencode({"next": request.url.path})) from None
        detail = f"{refused.detail}; in a browser, give it once on the pages' login form"
        raise HTTPException(401, detail, refused.headers) from None


def redirect(request: Request, exc: Exception) -> Response:
    """The handler of :class:`PageRedirect`."""
    assert isinstance(exc, PageRedirect)
    response = RedirectResponse(exc.location, status_code=303, headers=HTML_HEADERS)
    return response if exc.token is None else with_cookie(response, request, exc.token)


def safe_next(request: Request, wanted: str | None) -> str:
    """Where to go after the login: a page's path, never another site (``//host``) or anything else."""
    base = pages_base(request)
    if wanted and wanted.startswith(base + "/") and "//" not in wanted and "\\" not in wanted:
        return wanted
    return base + "/overview"


def form(request: Request, wanted: str | None, message: str = "") -> str:
    return FORM.format(
        action=html.escape(pages_base(request) + "/login"),
        next=html.escape(safe_next(request, wanted)),
        message=message,
    )


@router.get("/login", summary="Give an API key once to open the pages (HTML form)", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str | None, Query(description="the page to open")] = None) -> Response:
    """A form asking for a key; sent, it opens the page ``next`` with the pages' cookie."""
    return HTMLResponse(form(request, next), headers=HTML_HEADERS)


@router.post(
    "/login",
    summary="Open the pages with an API key (sets the pages' cookie)",
    response_class=HTMLResponse,
    status_code=303,
    responses={
        401: {
            "description": "The key is not valid (the form again)",
            "content": {"text/html": {"schema": {"type": "string"}}},
            HTML_ANSWER: True,
        }
    },
)
def login(
    request: Request,
    settings: SettingsDep,
    key: Annotated[str, Form(description="one of GRAPHSVC_API_KEYS")],
    next: Annotated[str | None, Form(description="the page to open")] = None,
) -> Response:
    """A valid key: 303 to ``next`` with the cookie. Otherwise 401 and the form again."""
    token = valid_key(key, settings)
    if token is None:
        message = '<p role="alert">密钥无效。 / The key is not valid.</p>'
        return HTMLResponse(form(request, next, message), status_code=401, headers=HTML_HEADERS)
    response = RedirectResponse(safe_next(request, next), status_code=303, headers=HTML_HEADERS)
    return with_cookie(response, request, token)
