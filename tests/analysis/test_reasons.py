"""Reasons for people: sentences from raw signal values, small and lowering terms folded, sums kept."""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis import Recommender, recommend
from graphsvc.analysis.core.rank_modes import BUILT_IN, RankMode, rank_mode
from graphsvc.analysis.linkmodel.model_selection import LinkModel
from graphsvc.analysis.linkmodel.signals import SIGNALS, transform
from graphsvc.analysis.recommender.reasons import FOLD_SHARE, OTHER, PairContext, reasons
from graphsvc.research import sample_graph

INDEX_WORDS = re.compile(r"adamic|resource allocation|\bL3\b|preferential|资源分配指数", re.IGNORECASE)
"""Names of link-prediction indices: kept in codes, never in sentences."""

CTX = PairContext(
    street="拱北",
    headroom=2,
    partner_degree=4,
    role_zh="高校社团",
    role_en="a student society",
    cats=("health",),
    closed=(2.0,),
    lost=(0.0,),
    uncovered=(3.0,),
    served=1,
)


def model(**weights: float) -> LinkModel:
    w = np.array([weights.get(s, 0.0) for s in SIGNALS])
    return LinkModel("test", w, np.zeros(len(SIGNALS)), calibration=(1.0, -2.0))


def row(**values: float) -> np.ndarray:
    return np.array([values.get(s, 0.0) for s in SIGNALS])


def likelihood(m: LinkModel, raw: np.ndarray) -> list:
    score = round(float(m.score(transform(raw[None, :]))[0]), 6)
    why = reasons("likelihood", m, raw, CTX, typed=True, score=score, gain=0.0, probability=0.0)
    assert sum(r.contribution for r in why) == pytest.approx(score, abs=1e-5)
    return why


def test_a_structural_count_is_said_as_a_count() -> None:
    raw = row(common_neighbors=2.0, adamic_adar=2 / np.log(4), resource_allocation=0.5, same_street=1.0)
    why = likelihood(model(common_neighbors=1.0, adamic_adar=1.0, resource_allocation=1.0), raw)
    texts = {r.code: (r.text_zh, r.text_en) for r in why}
    assert texts["common_neighbors"] == ("与本社区有2个共同伙伴", "shares 2 partners with this community")
    assert texts["adamic_adar"][1] == "shares 2 partners that few others work with (about 4 links each)"
    assert texts["resource_allocation"][1] == "the shared partners have few other links (about 4 each)"
    assert not any(INDEX_WORDS.search(zh + en) for zh, en in texts.values())


def test_terms_that_lower_the_score_are_folded_into_one_named_line() -> None:
    # shared partners raise the score; a partner of another street (same_street 0 below a mean of 0.5) lowers it
    m = LinkModel("test", model(common_neighbors=2.0, same_street=1.0).weights, row(same_street=0.5))
    why = likelihood(m, row(common_neighbors=1.0))
    assert [r.code for r in why] == ["common_neighbors", f"{OTHER}:same_street"]
    assert why[-1].contribution == pytest.approx(-0.5)
    assert why[-1].text_en == "other signals: same street" and why[-1].text_zh == "其余信号：同街道"


def test_small_terms_are_folded_and_large_ones_listed() -> None:
    big, small = 1.0, FOLD_SHARE / 2  # the street's term is under FOLD_SHARE of the largest
    m = model(gap_fit=big, l3=small / np.log1p(1.0))
    why = likelihood(m, row(gap_fit=1.0, l3=1.0))
    assert [r.code for r in why] == ["gap_fit", f"{OTHER}:l3"]
    assert why[1].contribution == pytest.approx(small)
    assert why[1].text_en == "other structural signals: partners of partners"
    listed = likelihood(model(gap_fit=big, l3=3 * FOLD_SHARE / np.log1p(1.0)), row(gap_fit=1.0, l3=1.0))
    assert [r.code for r in listed] == ["gap_fit", "l3"]
    assert listed[1].text_en == "closely linked to partners of this community's partners"


def test_the_folded_line_names_three_signals_and_counts_the_rest() -> None:
    m = LinkModel("test", model(**dict.fromkeys(SIGNALS, 1.0)).weights, np.full(len(SIGNALS), 0.5))
    why = likelihood(m, row(gap_fit=5.0))  # every other signal below its mean: five named groups and more
    assert why[0].code == "gap_fit"
    folded = why[-1]
    assert folded.code.startswith(f"{OTHER}:") and len(folded.code.split(":")[1].split(",")) == len(SIGNALS) - 1
    assert folded.text_en.startswith("other signals: ") and folded.text_en.endswith(" more")
    assert "共同伙伴的繁忙程度" in folded.text_zh and folded.text_zh.count("共同伙伴的繁忙程度") == 1


@pytest.mark.parametrize("rank", sorted(BUILT_IN))
def test_sample_reasons_add_up_say_no_zero_and_name_no_index(rank: RankMode) -> None:
    G = sample_graph()
    rec = Recommender.fit(G, seed=0)
    folded = 0
    for community in ["com-00001", "com-00040", "com-00090", "com-00120"]:
        for r in rec.recommend(community, k=10, rank=rank).recommendations:
            assert sum(x.contribution for x in r.reasons) == pytest.approx(r.score, abs=1e-5)
            codes = [x.code for x in r.reasons]
            assert len(codes) == len(set(codes)) and sum(c.startswith(OTHER) for c in codes) <= 1
            folded += any(c.startswith(f"{OTHER}:") for c in codes)
            for x in r.reasons:
                assert not re.search(r"(?<![\d.])0\.00(?!\d)", x.text_zh + x.text_en), x
                assert not INDEX_WORDS.search(x.text_zh + x.text_en), x
    spec = rank_mode(rank)
    if spec.with_probability or not spec.by_need:  # need alone (gap) has no signal terms to fold
        assert folded > 0


def test_a_graph_of_any_nodes_speaks_of_neighbours_not_partners() -> None:
    recs = recommend(nx.karate_club_graph(), 0, k=3)
    texts = [x.text_zh + x.text_en for r in recs.recommendations for x in r.reasons]
    assert texts and all("partner" not in t and "伙伴" not in t and "合作" not in t for t in texts), texts
    assert any("neighbour" in t for t in texts)
