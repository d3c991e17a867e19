"""Write endpoints: API keys, uploads with their validation report, body limits, deletes."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from starlette.types import Message, Receive, Scope, Send

from graphsvc.api.limits import BodySizeLimit
from graphsvc.store import GraphStore
from tests.api.conftest import AUTH, ClientFactory, settle

PROBLEM = "application/problem+json"

ENTITIES_CSV = "id,kind,name,street\nc3,社区,拱北第3社区,拱北\nm1,media,珠海电视台,\n".encode()
NEEDS_CSV = b"community,category,weight\nc3,legal_aid,2\n"


def upload(*files: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "application/octet-stream")) for name, data in files]


# -- keys ---------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"X-API-Key": ""}, {"X-API-Key": "wrong"}, {"X-API-Key": "K-7F3C2A"}])
def test_writes_without_a_valid_key_get_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.delete("/entities/e1", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "ApiKey"
    posted = client.post("/imports", files=upload(("entities.csv", ENTITIES_CSV)), headers=headers)
    assert posted.status_code == 401
    assert client.get("/entities/e1").status_code == 200
    assert client.get("/stats").json()["entities"]["community"] == 2


def test_without_configured_keys_writes_are_refused(make_client: ClientFactory) -> None:
    client = make_client(api_keys="")
    response = client.delete("/entities/e1", headers=AUTH)
    assert response.status_code == 403
    assert "GRAPHSVC_API_KEYS" in response.json()["detail"]
    assert client.get("/entities/e1").status_code == 200


def test_any_configured_key_works(make_client: ClientFactory) -> None:
    client = make_client(api_keys="first,second")
    assert client.delete("/entities/e1", headers={"X-API-Key": "second"}).status_code == 204


# -- delete -------------------------------------------------------------------
def test_delete_entity_and_snapshot_follows(client: TestClient) -> None:
    assert client.get("/readyz").json()["edition"]["nodes"] == 5
    response = client.delete("/entities/e1", headers=AUTH)
    assert response.status_code == 204
    assert client.get("/entities/e1").status_code == 404
    counts = client.get("/stats").json()
    assert counts["entities"]["enterprise"] == 0
    assert counts["links"] == 1
    version = settle(client)
    edition = client.get("/readyz").json()["edition"]
    assert (edition["version"], edition["nodes"], edition["stale"]) == (version, 4, False)


def test_delete_unknown_entity_is_404(client: TestClient) -> None:
    response = client.delete("/entities/nope", headers=AUTH)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


# -- imports ------------------------------------------------------------------
def test_import_csv_files(client: TestClient) -> None:
    response = client.post(
        "/imports", files=upload(("entities.csv", ENTITIES_CSV), ("needs.csv", NEEDS_CSV)), headers=AUTH
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["files"] == ["entities.csv", "needs.csv"]
    assert report["rows"] == {"entities": 2, "links": 0, "needs": 1, "offers": 0}
    assert report["before"]["entities"]["community"] == 2
    assert report["after"]["entities"]["community"] == 3
    assert client.get("/communities/c3").json()["needs"] == {"legal_aid": 2.0}
    settle(client)
    assert client.get("/readyz").json()["edition"]["nodes"] == 7


def test_import_dry_run_writes_nothing(client: TestClient) -> None:
    response = client.post(
        "/imports", params={"dry_run": "true"}, files=upload(("entities.csv", ENTITIES_CSV)), headers=AUTH
    )
    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert client.get("/entities/c3").status_code == 404


def test_import_json_and_xlsx(client: TestClient) -> None:
    doc = {"entities": [{"id": "c4", "kind": "community", "name": "吉大第1社区", "street": "吉大"}]}
    response = client.post("/imports", files=upload(("district.json", json.dumps(doc).encode())), headers=AUTH)
    assert response.status_code == 201, response.text
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "offers"
    sheet.append(["partner", "category", "capacity"])
    sheet.append(["e1", "venue", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post("/imports", files=upload(("offers.xlsx", buffer.getvalue())), headers=AUTH)
    assert response.status_code == 201, response.text
    assert client.get("/stats").json()["offers"] == 3


def test_import_with_a_bad_row_lists_file_line_field_and_writes_nothing(client: TestClient) -> None:
    before = client.get("/stats").json()
    bad_needs = b"community,category,weight\nc1,legal_aid,2\nc2,elderly_care,lots\n"
    response = client.post(
        "/imports", files=upload(("entities.csv", ENTITIES_CSV), ("needs.csv", bad_needs)), headers=AUTH
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["title"] == "Input has problems; nothing was written"
    assert [(p["file"], p["line"], p["field"]) for p in body["problems"]] == [("needs.csv", 3, "weight")]
    assert client.get("/stats").json() == before
    assert client.get("/entities/c3").status_code == 404


def test_every_problem_is_listed(client: TestClient) -> None:
    needs = b"community,category,weight\nnobody,legal_aid,2\nc1,elderly_care,-1\n"
    response = client.post("/imports", files=upload(("needs.csv", needs), ("notes.txt", b"hi")), headers=AUTH)
    assert response.status_code == 422
    files = sorted((p["file"], p["line"]) for p in response.json()["problems"])
    assert ("notes.txt", None) in files
    assert ("needs.csv", 3) in files
    assert len(files) == 3


@pytest.mark.parametrize(
    "data",
    [
        "id,kind,name\nc9,community,社区\n".encode("utf-16"),
        b"id,kind,name\nc9,community,\xff\xfe\xfa\xfb\x81\n",
    ],
    ids=["utf16", "not-text"],
)
def test_bad_encoding_is_a_422_naming_the_file(client: TestClient, data: bytes) -> None:
    response = client.post("/imports", files=upload(("entities.csv", data)), headers=AUTH)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems[0]["file"] == "entities.csv"
    assert "UTF" in problems[0]["reason"]


def test_gbk_csv_is_accepted(client: TestClient) -> None:
    data = "id,kind,name\nc9,社区,香湾第1社区\n".encode("gbk")
    response = client.post("/imports", files=upload(("entities.csv", data)), headers=AUTH)
    assert response.status_code == 201
    assert client.get("/entities/c9").json()["name"] == "香湾第1社区"


def test_upload_file_names_lose_their_directories(client: TestClient) -> None:
    response = client.post("/imports", files=upload(("../../tmp/entities.csv", ENTITIES_CSV)), headers=AUTH)
    assert response.status_code == 201
    assert response.json()["files"] == ["entities.csv"]


def test_import_without_files_is_422(client: TestClient) -> None:
    response = client.post("/imports", headers=AUTH, data={"other": "x"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


# -- body limit -----------------------------------------------------------------
def test_oversize_body_by_content_length_is_413(make_client: ClientFactory, tiny_store: GraphStore) -> None:
    client = make_client(max_upload_bytes=2000)
    big = ENTITIES_CSV + b"".join(f"x{i},media,媒体{i}\n".encode() for i in range(200))
    response = client.post("/imports", files=upload(("entities.csv", big)), headers=AUTH)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 413
    assert tiny_store.counts().entities["media"] == 0


def test_oversize_body_is_counted_while_streaming(make_client: ClientFactory, tiny_store: GraphStore) -> None:
    client = make_client(max_upload_bytes=2000)
    boundary = "graphsvc-test"

    def body() -> Iterator[bytes]:  # chunked: no Content-Length for the server to trust
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="entities.csv"\r\n'
            "Content-Type: text/csv\r\n\r\nid,kind,name\n"
        ).encode()
        for i in range(100):
            yield f"m{i},media,{'媒体' * 20}\n".encode()
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/imports", content=body(), headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert tiny_store.counts().entities["media"] == 0


def test_upload_file_over_the_limit_is_413(make_client: ClientFactory) -> None:
    # A single file under the body limit but over max_upload_bytes after being read: the loader's limit.
    client = make_client(max_upload_bytes=600)
    data = b"id,kind,name\n" + b"".join(f"m{i},media,M\n".encode() for i in range(40))
    assert len(data) < 600
    response = client.post("/imports", files=upload(("entities.csv", data * 2)), headers=AUTH)
    assert response.status_code == 413


def test_body_limit_stops_reading_once_over() -> None:
    """At the ASGI level: the app is not given more than the limit, and the client gets a 413 problem."""
    chunks = [b"x" * 100] * 50
    received: list[int] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            received.append(len(message["body"]))
            if not message.get("more_body"):
                break

    async def receive() -> Message:
        index = len(received)
        return {"type": "http.request", "body": chunks[index], "more_body": index < len(chunks) - 1}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/imports", "headers": []}
    asyncio.run(BodySizeLimit(app, max_bytes=250)(scope, receive, send))
    assert sum(received) <= 250
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["status"] == 413
