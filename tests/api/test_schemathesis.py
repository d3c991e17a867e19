"""Property-based run of the app's own OpenAPI schema (schemathesis, in-process over ASGI).

Every operation gets bounded generated requests, valid and invalid; each response
must not be a server error and must conform to the schema (status, content type,
body, headers; 405s list the right ``Allow``). Writes are sent with a valid key so their handlers run too.

schemathesis reads the schema when the module is collected, so the app and its
store are built here, in a temporary directory removed after the module's tests.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from graphsvc.api.app import create_app
from graphsvc.sample import generate_district
from graphsvc.store import SQLiteStore
from tests.api.conftest import AUTH, api_settings

_workdir = tempfile.TemporaryDirectory(prefix="graphsvc-schemathesis-")
_store = SQLiteStore(Path(_workdir.name) / "graph.db")
_store.upsert(generate_district(communities=13, seed=3))
app = create_app(api_settings(max_upload_bytes=200_000), store=_store)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _store.close()
    _workdir.cleanup()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # An upload can be schema-valid (a list of files) and still be rejected for its content with a 422
    # problem report; that is the endpoint's job, so "valid data accepted" is not checked there. The same holds
    # for an outcome (an id the store does not hold, a status not in the vocabulary), for projects written as a
    # JSON document and for a fair's sponsors (ids the store must hold).
    content_checked = ("/imports", "/outcomes", "/projects", "/fairs")
    excluded = [positive_data_acceptance] if case.operation.path in content_checked else []
    if (case.method, case.operation.path) == ("POST", "/projects"):
        # The key is sent with every request so that writes run: a projects document whose only flaw is a "missing"
        # key (or an unknown query parameter) is written, as it should be.
        excluded.append(negative_data_rejection)
    response = case.call(headers=AUTH)
    if response.status_code == 413:
        # A generated body over max_upload_bytes is refused for its size before its content is read: a
        # documented 413 problem, whatever the content was (so "invalid data rejected" holds by another code).
        assert response.json()["type"].endswith("/too-large")
        excluded.append(negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)
    assert response.status_code < 500


locked = create_app(api_settings(max_upload_bytes=200_000, read_requires_key=True), store=_store)
locked_schema = schemathesis.openapi.from_asgi("/openapi.json", locked)


@locked_schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_key_refusals_are_documented(case: schemathesis.Case) -> None:
    # Reads require a key here and every request sends a wrong one: each answer, 401 included, must be in the schema.
    response = case.call_and_validate(headers={"X-API-Key": "wrong"}, excluded_checks=[positive_data_acceptance])
    if case.operation.path not in ("/healthz", "/readyz", "/pages/login"):  # the login form is where a key is given
        assert response.status_code in (401, 405)  # 405: schemathesis also tries methods the path does not serve
