"""The fair: matches under budgets, the first-come baseline, and a reason for every project left over."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from graphsvc.analysis.core.rank_modes import LIKELIHOOD
from graphsvc.analysis.fair.match import FairSponsor, fair, first_come, proposed_projects, sponsors_present
from graphsvc.analysis.linkmodel.model_selection import fit_model, prior_model
from graphsvc.analysis.recommender.scoring import Scorer
from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity, Link, Need, Offer, Project
from graphsvc.sample import sample_graph

MODEL = prior_model(True)


def district(projects: list[dict[str, Any]], **extra: Any) -> nx.Graph:
    """Two communities of one street, an enterprise that funds, an organization offering elderly care."""
    ds = Dataset(
        entities=[
            Entity(id="c1", kind="community", name="一社区", street="拱北"),
            Entity(id="c2", kind="community", name="二社区", street="拱北"),
            Entity(id="e1", kind="enterprise", name="企业", street="拱北"),
            Entity(id="o1", kind="organization", subtype="social_organization", name="组织", street="拱北", capacity=1),
            *extra.get("entities", []),
        ],
        links=extra.get("links", []),
        needs=[
            Need(community="c1", category="elderly_care", weight=4),
            Need(community="c2", category="youth", weight=1),
            Need(community="c2", category="health", weight=2),
        ],
        offers=[Offer(partner="e1", category="funding", capacity=5), *extra.get("offers", [])],
        projects=[Project.model_validate(p) for p in projects],
    )
    return build_graph(ds)


def project(id_: str, community: str, covers: str, budget: float, day: int, **more: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "community": community,
        "title": id_,
        "covers": covers,
        "budget": budget,
        "proposed_on": f"2025-01-{day:02d}",
        **more,
    }


def test_the_fair_takes_the_project_worth_more_first_come_the_one_proposed_first() -> None:
    G = district([project("small", "c2", "youth:1", 1000, 1), project("large", "c1", "elderly_care:4", 1000, 2)])
    sponsors = [FairSponsor(partner="e1", budget=1000)]
    chosen = fair(G, model=MODEL, sponsors=sponsors)
    baseline = first_come(G, model=MODEL, sponsors=sponsors)
    assert [m.project for m in chosen.matches] == ["large"]
    assert [m.project for m in baseline.matches] == ["small"]
    assert chosen.need_covered > baseline.need_covered
    (left,) = chosen.unmatched
    assert (left.project, left.reason, left.rivals) == ("small", "budgets_taken", ["large"])
    assert "large" in left.text_en and "large" in left.text_zh


def test_a_match_is_worth_its_probability_times_the_need_it_closes() -> None:
    G = district([project("p", "c1", "elderly_care:3", 500, 1)])
    (m,) = fair(G, model=MODEL, sponsors=[FairSponsor(partner="e1", budget=1000)]).matches
    assert m.need_closed == 3.0
    scores = Scorer(G, MODEL)  # the recommender's own probability of the pair
    p = float(MODEL.probability(scores.score_pairs([("c1", "e1")], rank=LIKELIHOOD.name))[0])
    assert m.probability == pytest.approx(p, abs=1e-4)
    assert m.expected == pytest.approx(p * 3.0, abs=1e-3)
    assert [r.code for r in m.reasons] == ["covers", "likely", "funds", "street", "budget"]


@pytest.mark.parametrize(
    ("projects", "sponsors", "reason"),
    [
        (
            [project("p", "c1", "elderly_care:2", 500, 1)],
            [FairSponsor(partner="o1", budget=900, capacity=0)],
            "no_room",
        ),
        ([project("p", "c1", "elderly_care:2", 5000, 1)], [FairSponsor(partner="e1", budget=1000)], "too_costly"),
        (
            [project("p", "c2", "health:1", 500, 1)],
            [FairSponsor(partner="o1", budget=9000)],  # offers elderly care only, and no funding
            "no_sponsor_offers",
        ),
        (
            [
                project("p", "c1", "elderly_care:2", 500, 1),
                project("run", "c1", "elderly_care:4", 10, 1, status="running", sponsors="e1:10"),
            ],
            [FairSponsor(partner="e1", budget=9000)],
            "need_met",
        ),
    ],
)
def test_every_project_left_has_its_reason(
    projects: list[dict[str, Any]], sponsors: list[FairSponsor], reason: str
) -> None:
    offers = [Offer(partner="o1", category="elderly_care", capacity=3)]
    G = district(projects, offers=offers)
    result = fair(G, model=MODEL, sponsors=sponsors)
    (left,) = result.unmatched
    assert left.reason == reason
    assert left.text_zh and left.text_en


def test_a_project_whose_need_another_match_covers_is_left() -> None:
    likely = prior_model(True, base_rate=0.9)  # p * 4 is more than the 1 left uncovered
    links = [Link(source="o1", target="c1", kind="service")]
    offers = [Offer(partner="o1", category="elderly_care", capacity=3)]
    projects = [project("a", "c1", "elderly_care:4", 500, 1), project("b", "c1", "elderly_care:4", 400, 2)]
    result = fair(
        district(projects, links=links, offers=offers), model=likely, sponsors=[FairSponsor(partner="e1", budget=9000)]
    )
    (m,) = result.matches
    (left,) = result.unmatched
    assert left.reason == "covered_by_other" and {m.project, left.project} == {"a", "b"}
    assert result.need_covered == pytest.approx(1.0)


def test_a_sponsor_already_in_the_community_needs_no_room() -> None:
    links = [Link(source="o1", target="c1", kind="service")]
    offers = [Offer(partner="o1", category="elderly_care", capacity=1)]
    G = district([project("p", "c1", "elderly_care:3", 500, 1)], links=links, offers=offers)
    (m,) = fair(G, model=MODEL, sponsors=[FairSponsor(partner="o1", budget=600, capacity=0)]).matches
    assert m.sponsor == "o1" and "partner" in [r.code for r in m.reasons]


def test_proposed_projects_and_sponsors_present_by_street() -> None:
    G = district(
        [
            project("b", "c1", "elderly_care:1", 100, 2),
            project("a", "c2", "youth:1", 100, 2),
            project("done", "c1", "elderly_care:1", 100, 1, status="closed", sponsors="e1:100"),
        ],
        entities=[
            Entity(id="far", kind="enterprise", name="远方企业", street="吉大"),
            Entity(id="m", kind="media", name="媒体"),
        ],
    )
    assert [p["id"] for p in proposed_projects(G)] == ["a", "b"]
    assert [(s.partner, s.budget) for s in sponsors_present(G, street="拱北")] == [
        ("e1", 20000.0),
        ("m", 5000.0),
        ("o1", 8000.0),
    ]


@pytest.fixture(scope="module")
def sample() -> tuple[nx.Graph, Any]:
    G = sample_graph()
    return G, fit_model(G, seed=0)


def test_on_the_sample_the_fair_beats_first_come_within_every_budget(sample: tuple[nx.Graph, Any]) -> None:
    G, model = sample
    chosen = fair(G, model=model)
    baseline = first_come(G, model=model)
    assert chosen.solver == "milp" and baseline.solver == "first_come"
    assert chosen.projects == baseline.projects == len(proposed_projects(G)) > 0
    assert chosen.need_covered > baseline.need_covered
    budgets = {s.partner: s.budget for s in sponsors_present(G)}
    for use in chosen.sponsors:
        assert use.spent <= budgets[use.partner] + 1e-6
    assert len({m.project for m in chosen.matches}) == len(chosen.matches)
    assert len(chosen.matches) + len(chosen.unmatched) == chosen.projects
    assert all(u.reason and u.text_zh and u.text_en for u in chosen.unmatched)


def test_the_greedy_fallback_is_feasible_and_no_better_than_the_programme(sample: tuple[nx.Graph, Any]) -> None:
    G, model = sample
    exact = fair(G, model=model, street="拱北")
    greedy = fair(G, model=model, street="拱北", solver="greedy")
    assert greedy.solver == "greedy"
    assert greedy.need_covered <= exact.need_covered + 1e-6
    assert {m.street for m in exact.matches} <= {"拱北"}
