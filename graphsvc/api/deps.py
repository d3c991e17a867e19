"""Dependencies the routes share, as ``Annotated`` aliases used in their signatures."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from pydantic import SecretStr

from graphsvc.api.edition import Edition, EditionHolder
from graphsvc.api.versioning import ARRIVED_KEY, mark_version
from graphsvc.errors import StoreUnavailable
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore

API_KEY_HEADER = "X-API-Key"


@dataclass
class ApiState:
    """What one app instance works with; built by ``create_app``, kept on ``app.state.graphsvc``."""

    settings: Settings
    store: GraphStore
    editions: EditionHolder
    owns_store: bool


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.graphsvc
    return state


StateDep = Annotated[ApiState, Depends(get_state)]


def get_store(state: StateDep) -> GraphStore:
    """The store; 503 at once while it is known to be unreachable (see :attr:`EditionHolder.store_down`)."""
    down = state.editions.store_down
    if down is not None:
        raise StoreUnavailable(down)
    return state.store


def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_edition(state: StateDep, request: Request) -> Edition:
    """The edition to answer from: never older than the store's data version when the request arrived.

    While the first edition is being built (the service is starting), waits for it up to
    ``startup_wait_seconds``, then 503 ``ServiceStarting``. When the store holds newer data than the edition in
    service (a write by anyone), waits up to ``stale_wait_ms`` for the new edition, then 503 ``EditionStale``
    (:meth:`EditionHolder.fresh`). The answer is marked with the edition's data version (``ETag``); a matching
    ``If-None-Match`` is a 304.
    """
    editions = state.editions
    edition = editions.loaded
    if edition is None:
        edition = await editions.first(state.settings.startup_wait_seconds)
    arrived = request.scope.get("state", {}).get(ARRIVED_KEY) or time.monotonic()
    edition = await editions.fresh(edition, arrived=arrived, wait=state.settings.stale_wait_ms / 1000)
    mark_version(request, edition.version)
    return edition


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EditionDep = Annotated[Edition, Depends(get_edition)]

api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    scheme_name="ApiKey",
    description="One of the keys in GRAPHSVC_API_KEYS. Writes need one; reads only if GRAPHSVC_READ_REQUIRES_KEY.",
)


def key_matches(sent: str, keys: list[SecretStr]) -> bool:
    """Whether ``sent`` is one of ``keys``, compared in constant time against every key."""
    sent_bytes = sent.encode("utf-8", "surrogateescape")
    found = False
    for key in keys:
        found |= hmac.compare_digest(sent_bytes, key.get_secret_value().encode("utf-8", "surrogateescape"))
    return found


def _check_key(sent: str | None, keys: list[SecretStr], *, what: str) -> None:
    if not keys:
        raise HTTPException(403, f"{what} are disabled: no API key is configured (set GRAPHSVC_API_KEYS)")
    if not sent:
        raise HTTPException(
            401, f"{what} need an API key in the {API_KEY_HEADER} header", {"WWW-Authenticate": "ApiKey"}
        )
    if not key_matches(sent, keys):
        raise HTTPException(401, "the API key is not valid", {"WWW-Authenticate": "ApiKey"})


def require_write_key(settings: SettingsDep, sent: Annotated[str | None, Security(api_key_scheme)]) -> None:
    """Writes need a configured key; with none configured they are refused (403), never open."""
    _check_key(sent, settings.api_keys, what="writes")


PAGES_COOKIE = "graphsvc_pages"
"""The cookie that lets a browser open the pages when reads need a key (set by ``/pages/login``)."""


def page_token(key: SecretStr) -> str:
    """What the pages' cookie holds for ``key``: a keyed digest, so the key itself is never kept by the browser."""
    return hmac.new(key.get_secret_value().encode("utf-8", "surrogateescape"), b"graphsvc pages", "sha256").hexdigest()


def token_matches(sent: str, keys: list[SecretStr]) -> bool:
    """Whether ``sent`` is the pages' token of one of ``keys``, compared in constant time against every one."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), page_token(key).encode())
    return found


def require_read_key(
    settings: SettingsDep, request: Request, sent: Annotated[str | None, Security(api_key_scheme)]
) -> None:
    """Reads need a key only when ``read_requires_key`` is set (the app adds this dependency only then).

    A browser shows the pages with the cookie ``/pages/login`` sets instead of the header (sent to the pages
    only: its path is theirs, and it is ``SameSite=Strict``).
    """
    cookie = request.cookies.get(PAGES_COOKIE)
    if not sent and cookie and settings.api_keys and token_matches(cookie, settings.api_keys):
        return
    _check_key(sent, settings.api_keys, what="reads")


WriteKeyDep = Annotated[None, Depends(require_write_key)]


def get_edition_holder(state: StateDep) -> EditionHolder:
    return state.editions


EditionHolderDep = Annotated[EditionHolder, Depends(get_edition_holder)]
