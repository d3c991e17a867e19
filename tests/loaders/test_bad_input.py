"""Every kind of bad input file, one table: each is a problem with file, line and field, and nothing is written.

Each case is a few small files written here. It is loaded twice into a store
holding the tiny district, on both stores: through :func:`load_paths` (to read
the problem's place) and through the CLI in-process (exit code 2, no traceback).
Then the same files are uploaded to the API (422, or 413 for a size limit).
The store must hold exactly what it held before, after each.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from typer.testing import CliRunner

from graphsvc.api.app import create_app
from graphsvc.cli import app
from graphsvc.cli.app import report_error
from graphsvc.errors import GraphsvcError, InputTooLarge, ValidationFailed
from graphsvc.loaders import load_paths
from graphsvc.model import Dataset
from graphsvc.settings import Settings
from graphsvc.store import GraphStore
from tests.api.conftest import AUTH, api_settings

ENTITY_HEAD = "id,kind,name,capacity\n"
NEEDS_HEAD = "community,category,weight\n"


def workbook(rows: list[list[Any]], *, sheet: str = "entities", far_row: int | None = None) -> bytes:
    """An .xlsx with one sheet; ``far_row`` puts a value that far down, leaving blank rows between."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if far_row is not None:
        ws.cell(row=far_row, column=1, value="")
        ws.cell(row=far_row, column=2, value=" ")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes], *, extra: dict[str, bytes] | None = None) -> bytes:
    """The same zip with each part passed through ``change`` (and ``extra`` parts added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


GOOD_BOOK = [["id", "kind", "name"], ["c9", "community", "新社区"]]


def with_dtd(name: str, content: bytes) -> bytes:
    if name != "xl/worksheets/sheet1.xml":
        return content
    return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + content


def padded(size: int) -> Callable[[str, bytes], bytes]:
    """A sheet padded with ``size`` blanks: valid XML that compresses about 1000 times."""

    def change(name: str, content: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return content
        head, rest = content.split(b"<sheetData>", 1)
        return head + b"<sheetData>" + b" " * size + rest

    return change


def without_dimension(name: str, content: bytes) -> bytes:
    """The sheet without its ``<dimension>``, so only counting the rows read can find how many there are."""
    return re.sub(rb"<dimension [^>]*/>", b"", content) if name == "xl/worksheets/sheet1.xml" else content


def broken_xml(name: str, content: bytes) -> bytes:
    return content[: len(content) // 2] if name == "xl/worksheets/sheet1.xml" else content


@dataclass
class Case:
    files: dict[str, bytes]
    place: tuple[str, int | None, str | None]
    reason: str
    env: dict[str, str] = field(default_factory=dict)
    too_large: bool = False


def csv(text: str) -> bytes:
    return text.encode("utf-8")


CASES: dict[str, Case] = {
    # Numbers: finite, bounded, integers where integers are meant.
    "weight Infinity": Case(
        {"needs.csv": csv(NEEDS_HEAD + "c1,legal_aid,Infinity\n")}, ("needs.csv", 2, "weight"), "finite"
    ),
    "weight NaN": Case({"needs.csv": csv(NEEDS_HEAD + "c1,legal_aid,nan\n")}, ("needs.csv", 2, "weight"), "finite"),
    "weight 1e999": Case({"needs.csv": csv(NEEDS_HEAD + "c1,legal_aid,1e999\n")}, ("needs.csv", 2, "weight"), "finite"),
    "link weight 1e308": Case(
        {"links.csv": csv("source,target,kind,weight\ne1,c2,funding,1e308\n")},
        ("links.csv", 2, "weight"),
        "less than or equal to 1000000",
    ),
    "offer capacity 1e308": Case(
        {"offers.csv": csv("partner,category,capacity\ne1,legal_aid,1e308\n")},
        ("offers.csv", 2, "capacity"),
        "less than or equal to 1000000",
    ),
    "capacity of 30 digits": Case(
        {"entities.csv": csv(ENTITY_HEAD + "e9,enterprise,大企业,100000000000000000000000000000\n")},
        ("entities.csv", 2, "capacity"),
        "less than or equal to 1000000",
    ),
    "capacity not whole": Case(
        {"entities.csv": csv(ENTITY_HEAD + "e9,enterprise,企业,2.5\n")}, ("entities.csv", 2, "capacity"), "integer"
    ),
    "JSON Infinity": Case(
        {"d.json": b'{"needs": [{"community": "c1", "category": "legal_aid", "weight": Infinity}]}'},
        ("d.json", 1, "weight"),
        "finite",
    ),
    "JSON 1e999 capacity": Case(
        {"d.json": b'{"offers": [{"partner": "e1", "category": "legal_aid", "capacity": 1e999}]}'},
        ("d.json", 1, "capacity"),
        "finite",
    ),
    # Text and ids.
    "NUL in a JSON name": Case(
        {"d.json": b'{"entities": [{"id": "c9", "kind": "community", "name": "a\\u0000b"}]}'},
        ("d.json", 1, "name"),
        "control characters",
    ),
    "escape in a CSV name": Case(
        {"entities.csv": csv(ENTITY_HEAD + "c9,community,red\x1b[31m,\n")}, ("entities.csv", 2, "name"), "U+001B"
    ),
    "control character in an id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "c\x079,community,x,\n")}, ("entities.csv", 2, "id"), "U+0007"
    ),
    "slash in an id": Case({"entities.csv": csv(ENTITY_HEAD + "a/b,community,x,\n")}, ("entities.csv", 2, "id"), "'/'"),
    "control character in an extra column": Case(
        {"entities.csv": csv("id,kind,name,note\nc9,community,x,bell\x07\n")},
        ("entities.csv", 2, "attributes.note"),
        "U+0007",
    ),
    # Readers.
    "JSON nested 200k deep": Case({"d.json": b"[" * 200_000}, ("d.json", None, None), "nested too deeply"),
    "JSON duplicate key": Case(
        {"d.json": b'{"needs": [],\n "offers": [],\n "needs": [{"community": "c1", "category": "x", "weight": 1}]}'},
        ("d.json", 3, "needs"),
        "appears twice",
    ),
    "JSON nested value": Case(
        {"d.json": b'{"entities": [{"id": "c9", "kind": "community", "name": ["a"]}]}'},
        ("d.json", 1, "name"),
        "text or a number",
    ),
    "CSV unterminated quote": Case(
        {"entities.csv": csv(ENTITY_HEAD + 'c8,community,"Unclosed,\nc9,community,x,\nc10,community,y,\n')},
        ("entities.csv", 2, None),
        "never closed",
    ),
    "CSV stray quote": Case(
        {"entities.csv": csv(ENTITY_HEAD + 'c8,community,"a"b,\n')}, ("entities.csv", 2, None), "must be doubled"
    ),
    "Latin-1 that decodes as GB18030": Case(
        {"entities.csv": (ENTITY_HEAD + "c9,community,Müller,\n").encode("latin-1")},
        ("entities.csv", 2, None),
        "not UTF-8 and not GBK/GB18030",
    ),
    "XLSX that is not a zip": Case({"d.xlsx": csv(ENTITY_HEAD)}, ("d.xlsx", None, None), "not a zip"),
    "XLSX with a DTD": Case({"d.xlsx": rezip(workbook(GOOD_BOOK), with_dtd)}, ("d.xlsx", None, None), "DTD"),
    "XLSX zip bomb": Case(
        {"d.xlsx": rezip(workbook(GOOD_BOOK), padded(3_000_000))}, ("d.xlsx", None, None), "zip bomb"
    ),
    "XLSX expanding past 4x the size limit": Case(
        {"d.xlsx": rezip(workbook(GOOD_BOOK), padded(4_100_000))}, ("d.xlsx", None, None), "over the limit of 4000000"
    ),
    "XLSX broken XML": Case(
        {"d.xlsx": rezip(workbook(GOOD_BOOK), broken_xml)}, ("d.xlsx", None, None), "not a readable .xlsx"
    ),
    "XLSX declaring too many rows": Case(
        {"d.xlsx": workbook(GOOD_BOOK, far_row=60)},
        ("d.xlsx", None, None),
        "declares 60 rows",
        env={"GRAPHSVC_MAX_ROWS": "10"},
        too_large=True,
    ),
    "XLSX blank rows count": Case(
        {"d.xlsx": rezip(workbook(GOOD_BOOK, far_row=60), without_dimension)},
        ("d.xlsx", 12, None),
        "blank rows count too",
        env={"GRAPHSVC_MAX_ROWS": "10"},
        too_large=True,
    ),
    # A later load that changes a kind.
    "community with needs becomes a partner": Case(
        {"entities.csv": csv(ENTITY_HEAD + "c1,enterprise,拱北第1社区,\n")}, ("entities.csv", 2, "kind"), "elderly_care"
    ),
    "partner with offers becomes a community": Case(
        {"entities.csv": csv(ENTITY_HEAD + "e1,community,爱心企业一,\n")}, ("entities.csv", 2, "kind"), "funding"
    ),
}


def cli_exit_code(args: list[str], env: dict[str, str]) -> int | str | None:
    """Run the CLI in-process as ``graphsvc.cli.main`` does: graphsvc's errors become their exit codes."""
    result = CliRunner().invoke(app, args, env=env)
    if isinstance(result.exception, GraphsvcError):
        with pytest.raises(SystemExit) as exit_info:
            report_error(result.exception)
        return exit_info.value.code
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code


def contents(store: GraphStore) -> dict[str, Any]:
    return {
        "counts": store.counts().model_dump(),
        "entities": [e.model_dump() for e in store.list_entities()],
        "links": store.list_links(),
        "needs": store.list_needs(),
        "offers": store.list_offers(),
    }


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_a_problem_and_writes_nothing(
    name: str, store: GraphStore, tiny: Dataset, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store.upsert(tiny)
    check_refused(CASES[name], store, tmp_path, request)


def check_refused(case: Case, store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """``case``'s files are refused by a load, the CLI (exit 2) and ``POST /imports``, and ``store`` is unchanged."""
    before = contents(store)
    folder = tmp_path / "in"
    folder.mkdir()
    for file, data in case.files.items():
        (folder / file).write_bytes(data)

    overrides = {k.removeprefix("GRAPHSVC_").lower(): v for k, v in case.env.items()}
    settings = Settings(store=store.uri, **{"max_rows": 100_000, "max_upload_bytes": 1_000_000, **overrides})
    with pytest.raises(ValidationFailed) as info:
        load_paths(store, [folder], settings=settings)
    assert isinstance(info.value, InputTooLarge) == case.too_large
    problem = info.value.problems[0]
    assert (Path(problem.file).name, problem.line, problem.field) == case.place, problem
    assert case.reason in problem.reason, problem
    assert contents(store) == before

    env = {"GRAPHSVC_MAX_UPLOAD_BYTES": "1000000", **case.env}
    if store.uri.startswith("bolt:"):
        env["GRAPHSVC_NEO4J_PASSWORD"] = request.getfixturevalue("neo4j_server").password
    assert cli_exit_code(["load", str(folder), "--store", store.uri], env) == 2
    assert contents(store) == before

    app = create_app(api_settings(**{"max_rows": 100_000, "max_upload_bytes": 1_000_000, **overrides}), store=store)
    with TestClient(app) as client:
        files = [("files", (name, data, "application/octet-stream")) for name, data in case.files.items()]
        response = client.post("/imports", files=files, headers=AUTH)
    assert response.status_code == (413 if case.too_large else 422), response.text
    first = response.json()["problems"][0]
    assert (first["file"], first["line"], first["field"]) == case.place
    assert contents(store) == before


def test_rows_past_a_small_dimension_are_read(sqlite_store: GraphStore, tmp_path: Path) -> None:
    def small_dimension(name: str, content: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1"', content) if "sheet1" in name else content

    path = tmp_path / "d.xlsx"
    path.write_bytes(rezip(workbook(GOOD_BOOK), small_dimension))
    assert load_paths(sqlite_store, [path]).after.entities["community"] == 1
