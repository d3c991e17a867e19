"""Recorded outcomes in the analyses: declines leave a partner out of a community's lists, and say so."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.analysis.core.outcomes import declined_pairs, without_declines
from graphsvc.analysis.core.rank_modes import RANK_MODES
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.analysis.recommender.recommend import Recommender, explain_partner, recommend
from graphsvc.graph import add_outcomes
from graphsvc.model import Outcome
from graphsvc.vocabulary import OUTCOMES


def district() -> nx.Graph:
    """Two communities lacking legal aid and health; two partners offering each."""
    G = nx.Graph()
    for c in ("c1", "c2"):
        G.add_node(c, kind="community", street="S", needs={"legal_aid": 2.0, "health": 1.0})
    G.add_node("law", kind="organization", subtype="social_organization", street="S", offers={"legal_aid": 4.0})
    G.add_node("clinic", kind="organization", subtype="social_organization", street="S", offers={"health": 2.0})
    G.add_node("law2", kind="organization", subtype="social_organization", street="T", offers={"legal_aid": 1.0})
    return G


def record(G: nx.Graph, *outcomes: Outcome) -> nx.Graph:
    add_outcomes(G, (o.plain() for o in outcomes))
    return G


def listed(G: nx.Graph, community: str) -> list[str]:
    recs = recommend(G, community, k=5, model=prior_model(True))
    return [str(r.partner) for r in recs.recommendations]


def test_a_decline_removes_the_partner_from_that_communitys_list_only() -> None:
    G = district()
    assert "law" in listed(G, "c1") and "law" in listed(G, "c2")
    record(G, Outcome(community="c1", partner="law", status="declined", reason="no_capacity", at="2026-03-05"))
    assert "law" not in listed(G, "c1")
    assert "law" in listed(G, "c2")  # it declined c1, not c2
    assert "clinic" in listed(G, "c1")
    recs = recommend(G, "c1", k=5, model=prior_model(True))
    assert recs.declined == ["law"]
    assert recommend(G, "c2", k=5, model=prior_model(True)).declined == []


def test_every_mode_and_every_path_leaves_it_out() -> None:
    G = record(district(), Outcome(community="c1", partner="law", status="declined", reason="too_far", at="2026-03-05"))
    rec = Recommender(G, prior_model(True))
    for rank in RANK_MODES:
        one = rec.recommend("c1", k=5, rank=rank, others=True)
        assert "law" not in [r.partner for r in [*one.recommendations, *one.others]]
    every = rec.recommend_all(k=5)
    assert "law" not in [r.partner for r in every["c1"].recommendations]
    assert "law" in [r.partner for r in every["c2"].recommendations]


def test_explain_says_when_and_why_it_declined() -> None:
    G = record(
        district(), Outcome(community="c1", partner="law", status="declined", reason="no_capacity", at="2026-03-05")
    )
    why = explain_partner(G, "c1", "law", k=5, model=prior_model(True))
    assert not why.listed and why.rank is None
    assert [k.code for k in why.kept_out] == ["declined"]
    assert why.kept_out[0].text_en == "declined on 2026-03-05: no capacity"
    assert why.kept_out[0].text_zh == "已于2026-03-05婉拒：无力承接"


def test_asked_for_declined_partners_the_list_shows_them_again() -> None:
    G = record(district(), Outcome(community="c1", partner="law", status="declined", reason="other", at="2026-03-05"))
    H = without_declines(G)
    assert "law" in listed(H, "c1")
    assert G.graph[OUTCOMES] and declined_pairs(G)  # the graph asked about is not changed


@pytest.mark.parametrize(
    ("later", "left_out"),
    [("accepted", False), ("formed", False), ("contacted", False), ("declined", True)],
)
def test_the_last_word_counts(later: str, left_out: bool) -> None:
    first = Outcome(community="c1", partner="law", status="declined", reason="no_capacity", at="2026-03-05")
    reason = "too_far" if later == "declined" else None
    then = Outcome(community="c1", partner="law", status=later, reason=reason, at="2026-06-01")
    G = record(district(), first, then)
    assert ("law" not in listed(G, "c1")) is left_out


@pytest.mark.parametrize("method", ["exact", "scalable"])
def test_the_district_plan_links_no_partner_to_a_community_it_declined(method: str) -> None:
    from graphsvc.analysis.plan.district import district_plan

    G = district()
    planned = {(str(x.community), str(x.partner)) for x in district_plan(G, method=method).links}  # type: ignore[arg-type]
    assert ("c1", "law") in planned
    record(G, Outcome(community="c1", partner="law", status="declined", reason="no_capacity", at="2026-03-05"))
    replanned = {(str(x.community), str(x.partner)) for x in district_plan(G, method=method).links}  # type: ignore[arg-type]
    assert ("c1", "law") not in replanned
    assert ("c2", "law") in replanned


def test_include_declined_is_an_option_of_the_list() -> None:
    G = record(district(), Outcome(community="c1", partner="law", status="declined", reason="other", at="2026-03-05"))
    rec = Recommender(G, prior_model(True))
    again = rec.recommend("c1", k=5, include_declined=True)
    assert "law" in [r.partner for r in again.recommendations] and again.declined == []
    assert "law" in [r.partner for r in rec.recommend_all(k=5, include_declined=True)["c1"].recommendations]
    assert "law" not in [r.partner for r in rec.recommend("c1", k=5).recommendations]
    assert rec.explain("c1", "law", k=5, include_declined=True).listed
    assert "law" in listed_with(G)


def listed_with(G: nx.Graph) -> list[str]:
    recs = recommend(G, "c1", k=5, model=prior_model(True), include_declined=True)
    return [str(r.partner) for r in recs.recommendations]


def test_the_pooled_path_of_a_large_district_leaves_it_out_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above POOL_ABOVE partners each community is scored against its candidates only (here forced at 0)."""
    import graphsvc.analysis.recommender.scoring as scoring

    monkeypatch.setattr(scoring, "POOL_ABOVE", 0)
    G = record(district(), Outcome(community="c1", partner="law", status="declined", reason="too_far", at="2026-03-05"))
    rec = Recommender(G, prior_model(True))
    assert rec.scorer.pools is not None
    every = rec.recommend_all(k=5, workers=1)
    assert "law" not in [r.partner for r in every["c1"].recommendations]
    assert "law" in [r.partner for r in every["c2"].recommendations]
    assert "law" not in [r.partner for r in rec.recommend("c1", k=5).recommendations]
