"""`graphsvc fit` keeps every community's default list; `graphsvc recommend` with no options reads it (no snapshot,
no recommender), prints what it would have computed, and never reads a list of older data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.answers import kept_answer, kept_count
from graphsvc.store.sqlite import SQLiteStore
from tests.cli.console import graphsvc


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}", "COLUMNS": "200"}
    graphsvc("demo", "--communities", "26", env=environment, check=True)
    return environment


def no_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, reading the district's graph fails: only a kept list can answer."""

    def refuse(self: SQLiteStore) -> object:
        raise AssertionError("the snapshot was read")

    monkeypatch.setattr(SQLiteStore, "snapshot", refuse)
    monkeypatch.setattr(SQLiteStore, "snapshot_with_version", refuse)


@pytest.mark.parametrize("output", [("--json",), ()])
def test_a_kept_list_prints_what_recommend_computes(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, output: tuple[str, ...]
) -> None:
    computed = graphsvc("recommend", "com-00003", *output, env=env, check=True).out  # fits and keeps the model
    fitted = json.loads(graphsvc("fit", "--json", env=env, check=True).out)
    assert fitted["reused"] is True and fitted["lists_kept"] == 26
    no_snapshot(monkeypatch)
    kept = graphsvc("recommend", "com-00003", *output, env=env, check=True).out
    assert kept == computed
    if output:
        answer = json.loads(kept)
        assert 0 < len(answer["recommendations"]) <= 10 and all(r["gain"] > 0 for r in answer["recommendations"])
    else:
        assert "com-00003" in kept and "(org-" in kept  # names beside ids, read from the store


def test_other_questions_and_older_data_are_computed(env: dict[str, str], tmp_path: Path) -> None:
    graphsvc("fit", env=env, check=True)
    store = SQLiteStore(env["GRAPHSVC_STORE"].removeprefix("sqlite://"))
    assert kept_count(store) == 26 and kept_answer(store, "com-00001") is not None
    asked = json.loads(graphsvc("recommend", "com-00001", "-k", "3", "--json", env=env, check=True).out)
    assert len(asked["recommendations"]) == 3  # com-00001 lacks much: more than 3 partners close something
    (tmp_path / "needs.csv").write_text("community,category,weight\ncom-00001,legal_aid,3.0\n", encoding="utf-8")
    graphsvc("load", str(tmp_path / "needs.csv"), env=env, check=True)  # a write: the data version moves
    assert kept_count(store) is None and kept_answer(store, "com-00001") is None
    again = json.loads(graphsvc("recommend", "com-00001", "--json", env=env, check=True).out)
    assert again["community"] == "com-00001" and 3 <= len(again["recommendations"]) <= 10
    assert json.loads(graphsvc("fit", "--json", env=env, check=True).out)["lists_kept"] == 26
    assert kept_answer(store, "com-00001") == again
    store.close()


def test_fit_without_lists_keeps_none(env: dict[str, str]) -> None:
    out = json.loads(graphsvc("fit", "--no-lists", "--json", env=env, check=True).out)
    assert out["lists_kept"] == 0
    store = SQLiteStore(env["GRAPHSVC_STORE"].removeprefix("sqlite://"))
    assert kept_count(store) is None
    store.close()
