"""A deadline on receiving each request, so that clients sending a byte at a time cannot hold connections.

uvicorn bounds only the idle time between requests on a kept-alive connection (``timeout_keep_alive``): a
client that sends its request line and headers one byte a second keeps its connection, and one task of the
server, for as long as it likes (40 such connections held 30 s and more before this guard). The guard is an
HTTP protocol for uvicorn (h11, which graphsvc's dependencies install; ``graphsvc serve`` always selects it)
that adds two deadlines, in the manner of Apache's ``mod_reqtimeout``:

- **headers**: the request line and headers must be complete within ``seconds`` of the request's first byte
  (or of the connection, for the first request);
- **body**: the body must be complete within ``seconds`` of the end of the headers, plus one second for every
  ``min_bytes_per_second`` bytes received, so a large upload on a slow but honest link goes on, and a trickle
  does not.

A request past its deadline is answered ``408`` (``application/problem+json``, ``Connection: close``) if no
answer has begun, and its connection is closed. Nothing here runs while the app computes an answer.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from graphsvc.api.problems import PROBLEM_JSON, TYPE_BASE

log = logging.getLogger(__name__)

_AWAITING_HEADERS = "headers"
_AWAITING_BODY = "body"


@dataclass(frozen=True)
class ClientTimeouts:
    """How long a client may take to send one request (settings ``GRAPHSVC_CLIENT_*``)."""

    seconds: float = 10.0
    min_bytes_per_second: int = 1024


@functools.cache
def timeouts_from_environment() -> ClientTimeouts:
    """The deadlines ``GRAPHSVC_CLIENT_*`` set, read once per process: what the protocol uses when uvicorn is run
    by hand (``uvicorn --factory graphsvc.api.app:create_app --http graphsvc.api.slow_clients:GuardedH11Protocol``).
    """
    from graphsvc.settings import Settings

    settings = Settings()
    return ClientTimeouts(settings.client_timeout_seconds, settings.client_min_bytes_per_second)


def timeout_answer(detail: str) -> bytes:
    """The raw ``408`` response written to a client past its deadline, connection closing."""
    body = json.dumps(
        {"type": TYPE_BASE + "request-timeout", "title": "Request Timeout", "status": 408, "detail": detail}
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        f"content-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the headers and on the body of each request."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        timeouts: ClientTimeouts | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.timeouts = timeouts or timeouts_from_environment()
        self._awaiting: str | None = None
        self._since = 0.0
        self._body_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting is None and self.conn.their_state is h11.IDLE:
            self._await_headers()  # the first byte of the next request on a kept-alive connection
        elif self._awaiting == _AWAITING_BODY:
            self._body_bytes += len(data)
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._awaiting == _AWAITING_HEADERS:
                self._await_body()
        elif state is not h11.IDLE:  # the whole request is in (DONE, MUST_CLOSE), or the connection is over
            self._stop()

    def _await_headers(self) -> None:
        self._arm(_AWAITING_HEADERS)

    def _await_body(self) -> None:
        self._arm(_AWAITING_BODY)
        self._body_bytes = 0

    def _arm(self, awaiting: str) -> None:
        self._stop()
        self._awaiting = awaiting
        self._since = self.loop.time()
        self._deadline = self.loop.call_later(self.timeouts.seconds, self._check)

    def _stop(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._awaiting = None

    def _check(self) -> None:
        self._deadline = None
        if self._awaiting == _AWAITING_BODY and self.flow.read_paused:
            # The server stopped reading (the app has not taken what came): the client is not the slow one.
            self._since = self.loop.time() - self._body_bytes / self.timeouts.min_bytes_per_second
            self._deadline = self.loop.call_later(self.timeouts.seconds, self._check)
            return
        if self._awaiting == _AWAITING_BODY:
            allowed = self.timeouts.seconds + self._body_bytes / self.timeouts.min_bytes_per_second
            left = self._since + allowed - self.loop.time()
            if left > 0:
                self._deadline = self.loop.call_later(left, self._check)
                return
        self._time_out()

    def _time_out(self) -> None:
        awaiting = self._awaiting
        self._awaiting = None
        if self.transport.is_closing():
            return
        if awaiting == _AWAITING_HEADERS:
            detail = f"the request's headers did not arrive within {self.timeouts.seconds:g} s"
        else:
            detail = (
                f"the request's body arrived slower than {self.timeouts.min_bytes_per_second} bytes a second "
                f"(after {self.timeouts.seconds:g} s)"
            )
        log.warning("%s: closed the connection of %s", detail, self.client)
        answered = False
        if awaiting == _AWAITING_BODY:  # the request's cycle has begun (while awaiting headers, it is the last one's)
            answered = self.cycle.response_started
            # The app, if it awaits the body, is told the client left; whatever it sends now goes nowhere.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if not answered:
            self.transport.write(timeout_answer(detail))
        self.transport.close()


def guarded_protocol(timeouts: ClientTimeouts) -> Any:
    """What ``uvicorn.Config(http=...)`` takes: the guarded protocol with ``timeouts`` (picklable, so it reaches
    every worker process)."""
    return functools.partial(GuardedH11Protocol, timeouts=timeouts)
