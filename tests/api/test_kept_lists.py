"""The API's warm-up reads the default lists `graphsvc fit` kept for the edition's data instead of computing them,
serves the same lists, and never reads lists kept for other data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.api.recommendations import RecommendationService, default_key
from graphsvc.store import SQLiteStore
from tests.cli.console import graphsvc


def refuse(*args: object, **kwargs: object) -> object:
    raise AssertionError("a default list was computed")


def test_the_warm_up_reads_the_kept_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    graphsvc("demo", "--communities", "26", env=env, check=True)
    graphsvc("fit", env=env, check=True)
    with SQLiteStore(tmp_path / "g.db") as store:
        version, G = store.snapshot_with_version()
        computed = RecommendationService.fit(G)  # no store: nothing kept to read
        reading = RecommendationService.fit(G, store=store, version=version)
        assert computed is not None and reading is not None
        monkeypatch.setattr(reading.recommender, "answer", refuse)
        reading.warm_up()
    assert reading.warm and reading.answers_cached == 26
    for community in reading.community_ids:
        kept = reading.cached(default_key(community))
        assert kept is not None
        assert json.loads(kept) == json.loads(computed.answer(default_key(community)))


def test_lists_kept_for_other_data_are_not_read(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    graphsvc("demo", "--communities", "26", env=env, check=True)
    graphsvc("fit", env=env, check=True)
    (tmp_path / "needs.csv").write_text("community,category,weight\ncom-00001,legal_aid,3.0\n", encoding="utf-8")
    graphsvc("load", str(tmp_path / "needs.csv"), env=env, check=True)  # the data moves on; the kept lists do not
    with SQLiteStore(tmp_path / "g.db") as store:
        version, G = store.snapshot_with_version()
        service = RecommendationService.fit(G, store=store, version=version)
        assert service is not None
        calls: list[str] = []
        answer_all = service.recommender.answer_all

        def counted(options: object, *, communities: list[str], workers: int) -> object:
            calls.extend(communities)
            return answer_all(options, communities=communities, workers=workers)  # type: ignore[arg-type]

        service.recommender.answer_all = counted  # type: ignore[method-assign]
        service.warm_up()
        alone = RecommendationService.fit(G)  # the same model (seed 0): each list computed on its own
        assert alone is not None
    assert service.warm and sorted(calls) == sorted(service.community_ids)  # every list computed afresh
    fresh = json.loads(service.cached(default_key("com-00001")) or b"{}")
    assert fresh["community"] == "com-00001" and 3 <= len(fresh["recommendations"]) <= 10
    for community in service.community_ids:  # computed together, as each community's own question computes it
        assert service.cached(default_key(community)) == alone._compute(default_key(community))
