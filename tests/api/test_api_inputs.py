"""The API's side of bad input: key before body, documented statuses, /readyz and keys, no paths, offline docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from graphsvc.api.app import create_app
from graphsvc.errors import StoreUnavailable
from graphsvc.model import Dataset
from graphsvc.store import GraphStore, SQLiteStore
from tests.api.conftest import AUTH, ClientFactory, api_settings

PROBLEM = "application/problem+json"


class ReceiveCounter:
    """ASGI wrapper counting the body bytes the app pulled from the client."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.received = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counting() -> Message:
            message = await receive()
            self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counting, send)


@pytest.mark.parametrize(
    ("keys", "headers", "status"), [("k1", {"X-API-Key": "wrong"}, 401), ("k1", {}, 401), ("", AUTH, 403)]
)
def test_the_key_is_checked_before_the_body_is_read(
    tiny_store: GraphStore, keys: str, headers: dict[str, str], status: int
) -> None:
    app = ReceiveCounter(create_app(api_settings(api_keys=keys, max_upload_bytes=50_000_000), store=tiny_store))
    body = b"id,kind,name\n" + b"c9,community,x\n" * 600_000  # 9 MB of multipart that must not be parsed
    with TestClient(app) as client:  # type: ignore[arg-type]
        before = client.get("/stats").json()
        response = client.post("/imports", files=[("files", ("entities.csv", body, "text/csv"))], headers=headers)
        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM
        assert app.received == 0
        assert client.get("/stats").json() == before


def test_a_good_key_still_reads_the_body(client: TestClient) -> None:
    entities = "id,kind,name\nc3,community,新社区\n".encode()
    response = client.post("/imports", files=[("files", ("entities.csv", entities, "text/csv"))], headers=AUTH)
    assert response.status_code == 201
    assert client.post("/imports", headers=AUTH).status_code == 422  # no files: the same problem as before


def documented(schema: dict[str, Any], path: str, method: str) -> set[str]:
    return set(schema["paths"][path][method]["responses"])


def test_openapi_documents_the_key_statuses_the_server_answers(make_client: ClientFactory) -> None:
    client = make_client(read_requires_key=True)
    schema = client.get("/openapi.json").json()
    descriptions = schema["paths"]["/imports"]["post"]["responses"]
    assert "not valid" in descriptions["401"]["description"]
    assert "no API key is configured" in descriptions["403"]["description"]
    for url, path in [("/communities", "/communities"), ("/entities/e1", "/entities/{entity_id}"), ("/plan", "/plan")]:
        assert client.get(url, headers={"X-API-Key": "wrong"}).status_code == 401
        assert "401" in documented(schema, path, "get"), path
    assert client.delete("/entities/e1", headers={"X-API-Key": "wrong"}).status_code == 401
    assert "401" in documented(schema, "/entities/{entity_id}", "delete")
    open_schema = make_client().get("/openapi.json").json()
    assert "401" not in documented(open_schema, "/communities", "get")  # reads are open: no 401 promised

    refusing = make_client(api_keys="", read_requires_key=True)
    assert refusing.get("/communities", headers=AUTH).status_code == 403
    assert "403" in documented(refusing.get("/openapi.json").json(), "/communities", "get")


def test_readyz_follows_the_read_key_rule(make_client: ClientFactory) -> None:
    locked = make_client(read_requires_key=True)
    anonymous = locked.get("/readyz")
    assert anonymous.status_code == 200  # probes need no key
    assert anonymous.json()["edition"] is None
    assert locked.get("/readyz", headers={"X-API-Key": "wrong"}).json()["edition"] is None
    assert locked.get("/readyz", headers=AUTH).json()["edition"]["nodes"] == 5
    assert make_client().get("/readyz").json()["edition"]["nodes"] == 5  # reads open: figures for all


class UnopenableStore(SQLiteStore):
    """A SQLite store whose file cannot be opened any more, failing as ``SQLiteStore`` says so."""

    broken = False

    def _connection(self) -> Any:
        if self.broken:
            raise StoreUnavailable(f"cannot open SQLite store {self.path}: unable to open database file ({self.uri})")
        return super()._connection()


def test_problem_details_never_show_paths(tmp_path: Path, tiny: Dataset) -> None:
    store = UnopenableStore(tmp_path / "secret-dir" / "graph.db")
    store.upsert(tiny)
    try:
        with TestClient(create_app(api_settings(), store=store)) as client:
            store.broken = True
            for response in (client.get("/readyz"), client.get("/stats"), client.delete("/entities/e1", headers=AUTH)):
                assert response.status_code == 503
                detail = response.json()["detail"]
                assert "secret-dir" not in detail and str(tmp_path) not in detail
                assert detail.startswith("cannot open SQLite store <path>")
                assert response.headers["retry-after"]
    finally:
        store.broken = False
        store.close()


@pytest.mark.parametrize(("page", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_docs_pages_use_assets_served_by_the_app(client: TestClient, page: str, asset: str) -> None:
    html = client.get(page).text
    assert "cdn." not in html and "https://" not in html.replace("https://graphsvc.example", "")
    src = f"/static-offline-docs/{asset}"
    assert src in html
    script = client.get(src)
    assert script.status_code == 200
    assert len(script.content) > 100_000
