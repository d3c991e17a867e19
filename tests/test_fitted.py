"""The fitted recommender kept in the store: reused while the data is the same, fitted again after any write."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import graphsvc.fitted
from graphsvc.analysis import LinkModel
from graphsvc.analysis.linkmodel.model_selection import fit_model
from graphsvc.api.app import create_app
from graphsvc.cli import app as cli_app
from graphsvc.fitted import artifact_name, decode_model, encode_model, load_model, stored_model
from graphsvc.model import Dataset, Entity
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore, SQLiteStore
from tests.api.conftest import AUTH, api_settings


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the fits (each call of fit_model through graphsvc.fitted)."""
    calls: list[int] = []

    def counted(G, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return fit_model(G, **kwargs)

    monkeypatch.setattr(graphsvc.fitted, "fit_model", counted)
    return calls


@pytest.fixture
def district_store(tmp_path: Path) -> Iterator[GraphStore]:
    with SQLiteStore(tmp_path / "graph.db") as graph_store:
        graph_store.upsert(generate_district(communities=30, seed=1))
        yield graph_store


def test_model_survives_its_document(district_store: GraphStore) -> None:
    model = fit_model(district_store.snapshot(), seed=0)
    back = decode_model(encode_model(model))
    assert back is not None
    for field in dataclasses.fields(LinkModel):
        mine, theirs = getattr(model, field.name), getattr(back, field.name)
        if isinstance(mine, np.ndarray):
            assert theirs.dtype == mine.dtype and np.array_equal(theirs, mine)
        else:
            assert theirs == mine


def test_document_of_another_layout_is_not_read() -> None:
    doc = json.loads(encode_model(LinkModel("prior", np.ones(2), np.zeros(2))))
    doc["fields"]["added_later"] = 1.0
    assert decode_model(json.dumps(doc).encode()) is None
    assert decode_model(b"not json") is None


def test_artifacts_in_both_stores(store: GraphStore) -> None:
    assert store.get_artifact("x") is None
    version = store.data_version()
    store.put_artifact("x", version, b"\x00\xffbytes")
    store.put_artifact("x", version, b"second")
    assert store.get_artifact("x") == (version, b"second")
    assert store.data_version() == version  # keeping an artifact is not a write of the data


def test_stored_model_is_reused_until_a_load_or_a_delete(district_store: GraphStore, fits: list[int]) -> None:
    first, reused = stored_model(district_store)
    assert (len(fits), reused) == (1, False)
    again, reused = stored_model(district_store)
    assert (len(fits), reused) == (1, True)
    assert again.name == first.name and np.array_equal(again.weights, first.weights)

    district_store.upsert(Dataset(entities=[Entity(id="new-c", kind="community", name="新社区")]))  # a load
    assert load_model(district_store) is None
    stored_model(district_store)
    assert len(fits) == 2

    district_store.delete_entity("new-c")
    assert load_model(district_store) is None
    stored_model(district_store)
    stored_model(district_store)
    assert len(fits) == 3


def test_each_seed_keeps_its_own_model(district_store: GraphStore, fits: list[int]) -> None:
    stored_model(district_store, seed=0)
    stored_model(district_store, seed=1)
    stored_model(district_store, seed=0)
    assert len(fits) == 2
    assert district_store.get_artifact(artifact_name(1)) is not None


def test_api_reuses_the_kept_model_and_an_import_or_delete_invalidates_it(
    district_store: GraphStore, fits: list[int]
) -> None:
    stored_model(district_store)
    assert len(fits) == 1
    with TestClient(create_app(api_settings(), store=district_store)) as client:
        assert client.get("/communities/com-00001/recommendations?k=3").status_code == 200
        assert len(fits) == 1  # the API started on the kept model

        csv = "id,kind,name,street\nc-new,community,新社区,拱北\n".encode()
        posted = client.post("/imports", files=[("files", ("entities.csv", csv, "text/csv"))], headers=AUTH)
        assert posted.status_code == 201, posted.text
        _wait_for_model_of_current_data(client, district_store)
        assert len(fits) == 2  # the import made the kept model stale: the new snapshot fitted (and kept) another

        assert client.delete("/entities/c-new", headers=AUTH).status_code == 204
        _wait_for_model_of_current_data(client, district_store)
        assert len(fits) == 3


def _wait_for_model_of_current_data(client: TestClient, store: GraphStore) -> None:
    """Ask until the API has a snapshot of the current data (it may rebuild in the background)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert client.get("/communities/com-00001/recommendations?k=3").status_code == 200
        kept = store.get_artifact(artifact_name(0))
        if kept is not None and kept[0] == store.data_version():
            return
        time.sleep(0.2)
    raise AssertionError("the API never fitted a model of the current data")


def test_fit_command_then_recommend_reuses_it(district_store: GraphStore, fits: list[int]) -> None:
    assert isinstance(district_store, SQLiteStore)
    env = {"GRAPHSVC_STORE": f"sqlite://{district_store.path}"}
    runner = CliRunner()
    first = runner.invoke(cli_app, ["fit", "--json"], env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["reused"] is False
    second = json.loads(runner.invoke(cli_app, ["fit", "--json"], env=env).stdout)
    assert second["reused"] is True
    recs = runner.invoke(cli_app, ["recommend", "com-00001", "-k", "3", "--json"], env=env)
    assert recs.exit_code == 0, recs.output
    assert len(json.loads(recs.stdout)["recommendations"]) == 3
    assert len(fits) == 1
    forced = json.loads(runner.invoke(cli_app, ["fit", "--force", "--json"], env=env).stdout)
    assert forced["reused"] is False and len(fits) == 2
