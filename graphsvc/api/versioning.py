"""Answers carry the data version they were computed from: ``ETag``, ``X-Graphsvc-Version`` and 304s.

Every answer computed from the analysis edition names the edition's data
version in two headers (``ETag: "v12"`` and ``X-Graphsvc-Version: 12``); a
``GET`` whose ``If-None-Match`` names the version in service answers ``304 Not
Modified`` without computing anything. Answers read straight from the store
(entity and community records, lists, counts) always show the latest committed
data and carry no version.
"""

from __future__ import annotations

import time

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

VERSION_HEADER = "X-Graphsvc-Version"
STATE_KEY = "graphsvc_version"
ARRIVED_KEY = "graphsvc_arrived"
"""When the request arrived (``time.monotonic()``), noted by :class:`VersionHeaders` in the request's state."""


def etag_of(version: int) -> str:
    """The entity tag of answers computed at ``version``.

    >>> etag_of(12)
    '"v12"'
    """
    return f'"v{version}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak tags and ``*`` included).

    >>> etag_matches('W/"v3", "v4"', '"v4"'), etag_matches('"v3"', '"v4"'), etag_matches(None, '"v4"')
    (True, False, False)
    """
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


class NotModified(Exception):
    """The client already has the answer at this version: becomes a 304 with no body."""

    def __init__(self, version: int) -> None:
        super().__init__(f"not modified since version {version}")
        self.version = version


def mark_version(request: Request, version: int) -> None:
    """Note the version an answer is computed from; 304 if the client's ``If-None-Match`` already names it."""
    request.state.graphsvc_version = version
    if request.method in ("GET", "HEAD") and etag_matches(request.headers.get("if-none-match"), etag_of(version)):
        raise NotModified(version)


def not_modified(request: Request, exc: Exception) -> Response:
    """The exception handler of :class:`NotModified`."""
    assert isinstance(exc, NotModified)
    return Response(status_code=304, headers={"ETag": etag_of(exc.version), VERSION_HEADER: str(exc.version)})


class VersionHeaders:
    """ASGI middleware: adds ``ETag`` and ``X-Graphsvc-Version`` to answers that noted a version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # the dict request.state writes to, shared with the route
        state[ARRIVED_KEY] = time.monotonic()  # the store's version read for this request is read after this

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start" and STATE_KEY in state:
                version = state[STATE_KEY]
                headers = MutableHeaders(scope=message)
                headers.setdefault("ETag", etag_of(version))
                headers[VERSION_HEADER] = str(version)
            await send(message)

        await self.app(scope, receive, send_with_version)
