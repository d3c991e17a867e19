"""HTTP details no route should have to think of: ``HEAD`` answered as ``GET`` without a body, and redirects that
never name a host the client sent.

FastAPI routes answer only the methods they declare, so a ``HEAD`` on a ``GET`` route was 405; HTTP expects it
to answer as the ``GET`` would, headers (``Content-Length`` and ``ETag`` included) without the body
(:class:`HeadAsGet`). Starlette's redirect of a path with (or without) a trailing slash builds an absolute URL from
the request's ``Host`` header, so any client could make the app point ``Location`` at any host;
:class:`RelativeRedirects` makes every ``Location`` the app sends relative (RFC 9110 allows it), which points
where the client already is. The app redirects nowhere else.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a ``HEAD`` request is handled as a ``GET``; the answer's headers go out, its body does not."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def relative(location: str) -> str:
    """``location`` without its scheme and host: the path, query and fragment.

    >>> relative("http://evil.example/communities?limit=5"), relative("/communities"), relative("http://h")
    ('/communities?limit=5', '/communities', '/')
    """
    parts = urlsplit(location)
    if not parts.scheme and not parts.netloc:
        return location
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


class RelativeRedirects:
    """ASGI middleware: the ``Location`` of every redirect the app sends is relative to the host asked."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_relative_location(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = MutableHeaders(scope=message)
                if "location" in headers:
                    headers["location"] = relative(headers["location"])
            await send(message)

        await self.app(scope, receive, with_relative_location)
