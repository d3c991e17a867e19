"""The plain reference of recommendations: pair by pair with NetworkX, coverage on copies of the graph.

It computes the same answer as :meth:`graphsvc.analysis.recommender.recommend.Recommender.recommend` (the
``scipy.sparse`` fast path) the slow, obvious way: signals with ``nx.adamic_adar_index`` and friends,
gains with :func:`graphsvc.analysis.core.coverage.link_gain_terms` on a copy of the graph to which each chosen
link is added. Tests and ``bench/recommend_speed.py`` hold the fast path to it; use the
:class:`~graphsvc.analysis.recommender.recommend.Recommender` in production.

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.model_selection import prior_model
>>> G = nx.Graph([(0, 1), (1, 2), (2, 3)])
>>> [r.partner for r in recommend_reference(G, 0, prior_model(False), k=1).recommendations]
[2]
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Unpack

import networkx as nx
import numpy as np

from graphsvc.analysis.core.common import check_graph, community_degree, headroom, is_community, may_serve, role_of
from graphsvc.analysis.core.coverage import (
    ROLE_SLOTS,
    community_needs,
    coverage_shares,
    covered_amounts,
    is_role_category,
    link_gain_terms,
    partner_offers,
    residents_needs,
)
from graphsvc.analysis.core.options import RecommendationKeywords, RecommendationOptions
from graphsvc.analysis.core.rank_modes import rank_mode
from graphsvc.analysis.core.results import LONG_SHOT, CommunityRecommendations, Recommendation, node_key
from graphsvc.analysis.linkmodel.linkpred import task_for
from graphsvc.analysis.linkmodel.model_selection import DECIMALS, LinkModel
from graphsvc.analysis.linkmodel.signals import reference_features, transform
from graphsvc.analysis.recommender.choosing import GAIN_EPSILON
from graphsvc.analysis.recommender.gain import LACKING
from graphsvc.analysis.recommender.reasons import PairContext, reasons
from graphsvc.analysis.recommender.scoring import GAIN_DECIMALS
from graphsvc.errors import EntityNotFound


def _lacking(H: nx.Graph, community: Hashable) -> dict[str, float]:
    need = community_needs(H, community)
    covered = covered_amounts(need, coverage_shares(H, [community]).get(community, {}))
    return {k: need[k] - covered[k] for k in need}


def _terms(H: nx.Graph, community: Hashable, partner: Hashable) -> dict[str, tuple[float, float]]:
    """Per category (closed, lost) of the link on ``H``; nothing for a partner offering nothing lacking."""
    lacking = _lacking(H, community)
    offers = partner_offers(H, partner)
    if not any(lacking.get(k, 0.0) > LACKING for k in offers):
        return {}
    return link_gain_terms(H, community, partner)


def _filled(terms: dict[str, tuple[float, float]]) -> set[str]:
    """The five-society roles a link with these terms fills."""
    return {c for c, (done, _) in terms.items() if is_role_category(c) and done > GAIN_EPSILON}


def recommend_reference(
    G: nx.Graph, community: Hashable, model: LinkModel, **options: Unpack[RecommendationKeywords]
) -> CommunityRecommendations:
    """The same answer as :meth:`~graphsvc.analysis.recommender.recommend.Recommender.recommend`, computed plainly.

    Parameters are those of :func:`graphsvc.analysis.recommender.recommend.recommend`, with a fitted ``model``.

    Returns
    -------
    CommunityRecommendations
    """
    chosen = RecommendationOptions(**options)
    k, kinds, street, min_score, rank = chosen.k, chosen.kinds, chosen.street, chosen.min_score, chosen.rank
    check_graph(G)
    task = task_for(G)
    if community not in G or not task.is_query(G, community):
        raise EntityNotFound(str(community))
    typed = task.kind == "community-partner"
    wanted = None if kinds is None else set(kinds)
    cands = []
    for p in sorted(task.candidates, key=node_key):
        if p == community or G.has_edge(community, p):
            continue
        data = G.nodes[p]
        if typed and (headroom(G, p) == 0 or not may_serve(G, p, community)):
            continue
        if wanted is not None and data.get("kind") not in wanted:
            continue
        if street is not None and data.get("street") != street:
            continue
        cands.append(p)
    raw = reference_features(G, [(community, p) for p in cands], domain=typed)
    scores = np.round(model.score(transform(raw)), DECIMALS) if cands else np.zeros(0)
    probs = model.probability(scores)
    H = G.copy()
    need = residents_needs(G, community) if typed else {}
    cats = sorted({c for n in G if is_community(G, n) for c in community_needs(G, n)}) if typed else []
    before = sum(min(w, w - u) for w, u in ((need[c], _lacking(G, community)[c]) for c in need))
    remaining = list(range(len(cands)))
    mode = rank_mode(rank)
    if not mode.by_need or not typed:
        remaining.sort(key=lambda i: (-round(float(scores[i]), DECIMALS), i))
    picks: list[tuple[int, float, float, dict[str, tuple[float, float]], dict[str, float]]] = []
    fillers: int | None = None
    while remaining and len(picks) < k:
        if not mode.by_need or not typed:  # the best by score; its gain is computed once it is chosen
            i = remaining[0]
            value, terms = float(scores[i]), _terms(H, community, cands[i]) if typed else {}
        else:
            # the partners that still close some gap, each with its key (the best first) and its terms
            closing = []
            for pos, i in enumerate(remaining):
                terms = _terms(H, community, cands[i])
                gain = float(sum(c - lost for c, lost in terms.values()))
                if gain > GAIN_EPSILON:
                    value = float(mode.weigh(gain, float(probs[i])))
                    key = (-round(value, GAIN_DECIMALS), -round(float(scores[i]), DECIMALS), pos)
                    closing.append((key, i, value, terms))
            fillers = len(closing) if fillers is None else fillers
            if not closing:
                break
            closing.sort(key=lambda item: item[0])
            _, i, value, terms = closing[0]
            roles = set().union(*(_filled(item[3]) for item in closing))
            if 0 < ROLE_SLOTS - len(picks) <= len(roles):  # one place for each missing role it can still fill
                _, i, value, terms = next(item for item in closing if roles & _filled(item[3]))
        if min_score is not None and round(value, 6) < min_score:
            break
        lacking = _lacking(H, community) if typed else {}
        picks.append((i, float(value), float(sum(c - lost for c, lost in terms.values())), terms, lacking))
        remaining.remove(i)
        H.add_edge(community, cands[i])
    out = []
    for i, value, gain, terms, lacking in picks:
        p = cands[i]
        served = community_degree(G, p) if typed else 0
        room = headroom(G, p) if typed else None
        role = role_of(G, p) if typed else None
        ctx = PairContext(
            street=G.nodes[community].get("street"),
            headroom=room,
            partner_degree=G.degree(p),
            role_zh=role.zh if role else "",
            role_en=role.en if role else "",
            cats=tuple(cats),
            closed=tuple(terms.get(c, (0.0, 0.0))[0] for c in cats),
            lost=tuple(terms.get(c, (0.0, 0.0))[1] for c in cats),
            uncovered=tuple(max(0.0, lacking.get(c, 0.0)) for c in cats),
            served=served,
        )
        score = round(value, 6)
        out.append(
            Recommendation.model_construct(
                partner=p,
                name=G.nodes[p].get("name"),
                name_en=G.nodes[p].get("name_en"),
                kind=G.nodes[p].get("kind"),
                score=score,
                gain=round(gain, 6),
                probability=round(float(probs[i]), 6),
                long_shot=float(probs[i]) < LONG_SHOT,
                reasons=reasons(
                    rank, model, raw[i], ctx, typed=typed, score=score, gain=gain, probability=float(probs[i])
                ),
            )
        )
    total = sum(need.values())
    after = sum(min(w, w - u) for w, u in ((need[c], _lacking(H, community)[c]) for c in need)) if typed else 0.0
    return CommunityRecommendations.model_construct(
        community=community,
        name=G.nodes[community].get("name"),
        rank=rank,
        recommendations=out,
        others=[],
        closing=None if not mode.by_need or not typed else (fillers or 0),
        expected_gain=round(sum(r.gain * r.probability for r in out), 6),
        coverage=round(before / total, 6) if total > 0 else 1.0,
        coverage_if_linked=round(after / total, 6) if total > 0 else 1.0,
        needs_recorded=bool(need) or not typed,
    )
