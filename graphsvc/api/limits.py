"""A request body limit enforced while the body streams in, not only from ``Content-Length``."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.api.problems import PROBLEM_JSON, TYPE_BASE


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body passes the limit; the problem handlers answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit} bytes")


class BodySizeLimit:
    """Pure ASGI middleware answering 413 (problem+json) for bodies over ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused before reading; otherwise
    the bytes are counted as they arrive and the request fails as soon as the
    count passes the limit, so a chunked or lying client cannot send more.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    await self._refuse(scope, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Raised where no exception handler sits (e.g. in other middleware): answer here.
            if started:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": TYPE_BASE + "too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"the request body is over the limit of {self.max_bytes} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
