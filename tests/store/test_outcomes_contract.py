"""The storage contract for outcomes (what became of a suggestion): every store passes these same tests."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from graphsvc.errors import ValidationFailed
from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Outcome
from graphsvc.store import GraphStore
from graphsvc.vocabulary import OUTCOMES, DeclineReason, OutcomeStatus


def outcomes() -> list[Outcome]:
    return [
        Outcome(community="c1", partner="s1", status="contacted", at="2026-02-01", by="拱北星辰"),
        Outcome(community="c1", partner="s1", status="declined", reason="too_far", at="2026-02-10", by="拱北星辰"),
        Outcome(community="c2", partner="e1", status="accepted", at="2026-03-01", rank="gain", probability=0.42),
    ]


def test_outcomes_read_back_with_who_and_when(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    store.upsert(Dataset(outcomes=outcomes()))
    assert store.list_outcomes() == outcomes()
    declined = store.list_outcomes(community="c1", partner="s1")[-1]
    assert (declined.status, declined.reason, declined.by) == (
        OutcomeStatus.DECLINED,
        DeclineReason.TOO_FAR,
        "拱北星辰",
    )
    assert declined.at == dt.date(2026, 2, 10)
    assert [o.partner for o in store.list_outcomes(partner="e1")] == ["e1"]
    assert store.list_outcomes(community="c2")[0].probability == 0.42
    assert store.counts().outcomes == 3
    assert store.counts().links == 3  # an outcome is no partnership


def test_outcomes_are_keyed_by_pair_status_and_date(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny.model_copy(update={"outcomes": outcomes()}))
    version = store.data_version()
    again = Outcome(community="c1", partner="s1", status="declined", reason="no_capacity", at="2026-02-10", by="王")
    store.upsert(Dataset(outcomes=[again]))
    assert store.counts().outcomes == 3
    assert store.list_outcomes(community="c1")[-1].reason is DeclineReason.NO_CAPACITY
    assert store.data_version() > version  # recording an outcome changes what lists say: a write of the data


def test_snapshot_carries_the_outcomes(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    assert OUTCOMES not in store.snapshot().graph
    store.upsert(Dataset(outcomes=outcomes()))
    version, G = store.snapshot_with_version()
    assert version == store.data_version()
    assert [(r["partner"], r["status"], r["at"]) for r in G.graph[OUTCOMES]] == [
        ("s1", "contacted", "2026-02-01"),
        ("s1", "declined", "2026-02-10"),
        ("e1", "accepted", "2026-03-01"),
    ]
    assert nx.utils.graphs_equal(G, build_graph(store.dataset()))
    assert G.graph == build_graph(store.dataset()).graph


def test_outcomes_naming_unknown_entities_change_nothing(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny)
    version = store.data_version()
    with pytest.raises(ValidationFailed) as info:
        store.upsert(Dataset(outcomes=[Outcome(community="c1", partner="ghost", status="proposed", at="2026-01-01")]))
    assert [(p.file, p.field) for p in info.value.problems] == [("outcomes", "partner")]
    assert store.list_outcomes() == []
    assert store.data_version() == version


def test_outcomes_go_with_their_entities(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny.model_copy(update={"outcomes": outcomes()}))
    store.delete_entity("s1")
    assert [o.partner for o in store.list_outcomes()] == ["e1"]
    store.clear()
    assert store.list_outcomes() == []


def test_replace_keeps_only_the_loads_outcomes(store: GraphStore, tiny: Dataset) -> None:
    store.upsert(tiny.model_copy(update={"outcomes": outcomes()}))
    kept = [Outcome(community="c2", partner="e1", status="formed", at="2026-04-01")]
    store.upsert(tiny.model_copy(update={"outcomes": kept}), replace=True)
    assert store.list_outcomes() == kept
