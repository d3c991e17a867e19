"""Candidate pools (large districts): which partners are scored for a community, and that the list chosen
among them is the list the every-partner path chooses among the same partners."""

from __future__ import annotations

import pickle

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.core.forked import PARALLEL_ABOVE, default_workers
from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.core.results import CommunityRecommendations
from graphsvc.analysis.evaluation.evaluate import gap_metrics
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.analysis.recommender.candidates import REACH_DEGREE, CandidatePools
from graphsvc.analysis.recommender.recommend import Recommender
from graphsvc.graph import communities

RANKS = ("gain", "likelihood", "gap")


def pooled(G: nx.Graph, size: int) -> Recommender:
    """A recommender on ``G`` that takes the large-district path, with ``size`` partners per role in each pool."""
    rec = Recommender(G, prior_model(True))
    assert rec.scorer.pools is None  # the sample district is small: every partner is scored unless told otherwise
    rec.scorer.pools = CandidatePools(rec.scorer.engine, rec.model, rec.scorer.cols, rec.scorer.blocked, size=size)
    return rec


def listed(recs: CommunityRecommendations) -> list[tuple[str, float, float]]:
    return [(r.partner, r.score, r.gain) for r in recs.recommendations]


@pytest.mark.parametrize("rank", RANKS)
def test_pools_as_large_as_the_district_give_the_every_partner_lists(
    sample_district_graph: nx.Graph, rank: str
) -> None:
    G = sample_district_graph
    every = Recommender(G, prior_model(True))
    rec = pooled(G, size=len(G))
    options = RecommendationOptions(k=10, rank=rank)
    for community in communities(G):
        mine, theirs = rec.answer(community, options), every.answer(community, options)
        assert mine.model_dump() == theirs.model_dump(), community


@pytest.mark.parametrize("rank", RANKS)
def test_small_pools_choose_as_the_every_partner_path_does_among_the_same_partners(
    sample_district_graph: nx.Graph, rank: str
) -> None:
    G = sample_district_graph
    every = Recommender(G, prior_model(True))
    rec = pooled(G, size=2)
    options = RecommendationOptions(k=10, rank=rank)
    sizes = []
    for community in communities(G)[:40]:
        js = rec.scorer.pools.candidates(rec.scorer.engine.index[community])  # type: ignore[union-attr]
        sizes.append(len(js))
        keep = np.zeros(len(every.scorer.cols), dtype=bool)
        keep[js] = True
        among = every._answer(community, every.scorer.row(community), keep, options)
        assert listed(rec.answer(community, options)) == listed(among), community
    assert max(sizes) < len(rec.scorer.cols)  # the pools did leave partners out


def test_candidates_are_the_partners_near_in_the_street_and_never_at_capacity(sample_district_graph: nx.Graph) -> None:
    G = sample_district_graph
    rec = pooled(G, size=2)
    eng = rec.scorer.engine
    open_partners = {
        eng.nodes[c]
        for c, blocked in zip(rec.scorer.cols.tolist(), rec.scorer.blocked.tolist(), strict=True)
        if not blocked
    }
    assert len(open_partners) < len(rec.scorer.cols)  # some partners are at capacity in the sample
    assert max(d for _, d in G.degree()) <= REACH_DEGREE  # every path is followed on this graph
    for community in communities(G)[:25]:
        chosen = {eng.nodes[rec.scorer.cols[j]] for j in rec.scorer.pools.candidates(eng.index[community])}  # type: ignore[union-attr]
        street = G.nodes[community].get("street")
        near = set(nx.single_source_shortest_path_length(G, community, cutoff=3)) - set(G[community]) - {community}
        assert chosen <= open_partners | set(G[community])
        assert {p for p in near if p in open_partners} <= chosen
        assert {p for p in open_partners if G.nodes[p].get("street") == street} <= chosen


def test_gap_metrics_on_candidates_equal_those_on_every_partner(sample_district_graph: nx.Graph) -> None:
    G = sample_district_graph
    every = Recommender(G, prior_model(True))
    rec = pooled(G, size=len(G))
    for rank in RANKS:
        assert gap_metrics(rec, k=5, rank=rank) == gap_metrics(every, k=5, rank=rank)  # type: ignore[arg-type]


def test_gap_metrics_on_a_sample_rank_that_many_communities(sample_district_graph: nx.Graph) -> None:
    rec = Recommender(sample_district_graph, prior_model(True))
    _, _, every = gap_metrics(rec, k=5)
    closed, fit, ranked = gap_metrics(rec, k=5, sample=20, seed=3)
    assert every > 20 and ranked == 20 and 0 < closed <= 1 and 0 < fit <= 1
    assert gap_metrics(rec, k=5, sample=20, seed=3) == (closed, fit, ranked)  # the same sample for the same seed


@pytest.mark.parametrize("street", [None, "拱北"])
def test_candidates_and_scores_of_many_communities_at_once_are_each_ones(
    sample_district_graph: nx.Graph, street: str | None
) -> None:
    G = sample_district_graph
    rec = pooled(G, size=2)
    eng = rec.scorer.engine
    queries = np.array([eng.index[c] for c in communities(G)[:50]], dtype=np.int64)
    sid = None if street is None else eng.street_ids[street]
    js, starts = rec.scorer.pools.candidates_of(queries, street=sid)  # type: ignore[union-attr]
    scores, raw = rec.scorer.score_rows(queries, js, starts)
    for i, query in enumerate(queries.tolist()):
        a, b = starts[i], starts[i + 1]
        one_js, row = rec.scorer.score_row(query, street=street)
        np.testing.assert_array_equal(js[a:b], one_js)  # type: ignore[arg-type]
        np.testing.assert_array_equal(scores[a:b], row[0])  # bit for bit: the lists must not depend on the path
        np.testing.assert_array_equal(raw[:, a:b], row[1:])


@pytest.mark.parametrize("rank", RANKS)
def test_lists_for_every_community_at_once_equal_each_communitys_list(
    sample_district_graph: nx.Graph, rank: str
) -> None:
    G = sample_district_graph
    rec = pooled(G, size=3)
    one = pooled(G, size=3)
    for options in (
        RecommendationOptions(k=10, rank=rank),
        RecommendationOptions(k=4, rank=rank, street="拱北", kinds=["enterprise", "organization"]),
    ):
        every = rec.answer_all(options)
        assert len(every) == len(communities(G))
        for community, recs in every.items():
            assert recs == one.answer(community, options), community
            assert recs.model_dump() == one.answer(community, options).model_dump()


@pytest.mark.parametrize("workers", [2, 3])
def test_lists_computed_in_forked_workers_are_the_same(sample_district_graph: nx.Graph, workers: int) -> None:
    rec = pooled(sample_district_graph, size=3)
    options = RecommendationOptions(k=10)
    alone = rec.answer_all(options, workers=1)
    seen: list[tuple[int, int]] = []
    shared = rec.answer_all(options, workers=workers, progress=lambda done, total: seen.append((done, total)))
    assert list(shared) == list(alone)  # the communities in the same order
    assert shared == alone
    assert seen[-1] == (len(alone), len(alone))


def test_a_worker_that_fails_leaves_its_share_to_the_caller(
    sample_district_graph: nx.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = pooled(sample_district_graph, size=3)
    options = RecommendationOptions(k=5)
    alone = rec.answer_all(options, workers=1)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the worker fails")

    monkeypatch.setattr(pickle, "dump", broken)  # only the forked child pickles here
    assert rec.answer_all(options, workers=2) == alone


def test_large_districts_share_the_lists_among_two_processes_at_most() -> None:
    assert default_workers(PARALLEL_ABOVE) == 1
    assert default_workers(PARALLEL_ABOVE + 1) in (1, 2)


@pytest.mark.parametrize("rank", RANKS)
def test_lists_chosen_in_lockstep_are_each_communitys_own_list(sample_district_graph: nx.Graph, rank: str) -> None:
    """``recommend_all`` on a large district chooses the greedy lists of a batch together (``Chooser.sequences``);
    each must be, to the last bit, what ``recommend(community)`` chooses for it alone."""
    G = sample_district_graph
    fitted = Recommender.fit(G, seed=0)
    rec, one = (Recommender(G, fitted.model) for _ in range(2))
    for r in (rec, one):
        r.scorer.pools = CandidatePools(r.scorer.engine, r.model, r.scorer.cols, r.scorer.blocked, size=8)
    rec.BATCH = 16  # several batches, of communities with short and long lists side by side
    for options in (
        {"k": 10, "rank": rank, "others": True},
        {"k": 3, "rank": rank},
        {"k": 10, "rank": rank, "others": True, "min_score": 0.02},
    ):
        every = rec.recommend_all(workers=1, **options)  # type: ignore[arg-type]
        assert list(every) == communities(G)
        for community, recs in every.items():
            alone = one.recommend(community, **options)  # type: ignore[arg-type]
            assert recs.model_dump_json() == alone.model_dump_json(), (community, options)
        assert sum(len(r.recommendations) for r in every.values()) > len(every)  # lists of more than one partner
