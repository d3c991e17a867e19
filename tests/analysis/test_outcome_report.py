"""``evaluate``'s outcomes block: acceptance by rank mode, street and partner kind; calibration against outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, LIKELIHOOD
from graphsvc.analysis.evaluation.outcome_report import outcome_report
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.graph import add_outcomes, build_graph
from graphsvc.model import Dataset, Outcome
from graphsvc.store import SQLiteStore
from tests.cli.console import graphsvc


def hand_checked() -> nx.Graph:
    """Two streets; four decided suggestions with the probability each list showed, one only contacted."""
    G = nx.Graph()
    G.add_node("c1", kind="community", street="S", needs={"health": 2.0})
    G.add_node("c2", kind="community", street="T", needs={"health": 2.0})
    G.add_node("o", kind="organization", offers={"health": 1.0})
    G.add_node("e", kind="enterprise", offers={"health": 1.0})
    rows = [
        Outcome(community="c1", partner="o", status="accepted", at="2026-01-01", rank=DEFAULT_RANK, probability=0.85),
        Outcome(
            community="c1",
            partner="e",
            status="declined",
            reason="too_far",
            at="2026-01-02",
            rank=DEFAULT_RANK,
            probability=0.35,
        ),
        Outcome(community="c2", partner="o", status="formed", at="2026-01-03", rank=LIKELIHOOD.name, probability=0.3),
        Outcome(community="c2", partner="e", status="proposed", at="2026-01-03", probability=0.32),
        Outcome(community="c2", partner="e", status="declined", reason="no_capacity", at="2026-02-01"),
    ]
    add_outcomes(G, (o.plain() for o in rows))
    return G


def test_acceptance_and_calibration_by_hand() -> None:
    report = outcome_report(hand_checked(), prior_model(True))
    assert report is not None
    assert (report.decided, report.shown_recorded) == (4, 4)  # c2-e's probability was recorded when proposed
    groups = report.acceptance
    assert groups["overall"]["all"].rate == 0.5
    assert {name: (a.decided, a.accepted) for name, a in groups["by_rank_mode"].items()} == {
        DEFAULT_RANK: (2, 1),
        LIKELIHOOD.name: (1, 1),
    }
    assert {name: a.rate for name, a in groups["by_street"].items()} == {"S": 0.5, "T": 0.5}
    assert {name: a.rate for name, a in groups["by_partner_kind"].items()} == {"enterprise": 0.0, "organization": 1.0}
    # shown 0.85, 0.35, 0.3, 0.32 for 1, 0, 1, 0
    assert report.brier == pytest.approx((0.15**2 + 0.35**2 + 0.7**2 + 0.32**2) / 4, abs=1e-6)
    assert [(b.low, b.count, b.shown, b.observed) for b in report.reliability] == [
        (0.3, 3, pytest.approx(0.323333, abs=1e-6), pytest.approx(1 / 3, abs=1e-6)),
        (0.8, 1, 0.85, 1.0),
    ]
    assert report.ece == pytest.approx(3 / 4 * abs(0.323333 - 1 / 3) + 1 / 4 * 0.15, abs=1e-5)


def test_no_decided_outcome_no_block() -> None:
    G = hand_checked()
    G.graph["outcomes"] = [r for r in G.graph["outcomes"] if r["status"] == "proposed"]
    assert outcome_report(G, prior_model(True)) is None


def test_evaluate_json_has_the_block_only_where_outcomes_exist(tmp_path: Path, sample_district: Dataset) -> None:
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.upsert(sample_district)
    env = {"GRAPHSVC_STORE": f"sqlite://{db}", "TTY_COMPATIBLE": "0"}
    plain = json.loads(graphsvc("evaluate", "--json", env=env, check=True).out)
    assert "outcomes" not in plain
    G = build_graph(sample_district)
    community = next(n for n in sorted(G) if G.nodes[n]["kind"] == "community")
    partners = [n for n in sorted(G) if G.nodes[n]["kind"] != "community" and not G.has_edge(community, n)][:3]
    for partner, status in zip(partners, ("accepted", "declined", "formed"), strict=True):
        args = ["--reason", "too_far"] if status == "declined" else []
        graphsvc("outcome", community, partner, status, "--rank", DEFAULT_RANK, *args, env=env, check=True)
    block = json.loads(graphsvc("evaluate", "--json", env=env, check=True).out)["outcomes"]
    assert set(block) >= {"acceptance", "brier", "ece", "reliability"}
    assert set(block["acceptance"]) >= {"by_rank_mode", "by_street", "by_partner_kind"}
    assert block["acceptance"]["by_rank_mode"][DEFAULT_RANK] == {"decided": 3, "accepted": 2, "rate": 0.666667}
    assert sum(b["count"] for b in block["reliability"]) == 3 == block["decided"]
    assert 0 <= block["ece"] <= 1 and 0 <= block["brier"] <= 1


def test_research_frames_lay_the_report_out() -> None:
    from graphsvc import research

    G = hand_checked()
    report = outcome_report(G, prior_model(True))
    assert report is not None
    table = research.outcomes_frame(G)
    assert len(table) == 5 and table["status_zh"].tolist()[-1] == "已婉拒"
    groups = research.acceptance_frame(report)
    assert groups.set_index(["by", "group"]).loc[("by_partner_kind", "organization"), "rate"] == 1.0
    bins = research.reliability_frame(report)
    assert bins["count"].sum() == 4 and bins.attrs == {"brier": report.brier, "ece": report.ece}
