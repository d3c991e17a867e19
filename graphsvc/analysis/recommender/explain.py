"""Why (not) this partner? One partner's place for one community, its score's terms, and what keeps it out.

What keeps a partner off a community's list, checked in this order: it is already linked; it declined the
community (its last recorded outcome, :mod:`graphsvc.analysis.core.outcomes`); it is at capacity;
it offers nothing the community lacks (``gain`` and ``gap`` modes rank it after every partner that closes
something); the list's filters leave it out (kind, street, minimum score); the gaps it would fill are filled
by the partners listed above it (the list is chosen as a set); or it simply ranks below the last listed one.
Its *rank* is its place in the community's whole list, in the one order the list is made in (the set-wise greedy
order of ``gain`` and ``gap`` modes, then the partners closing nothing by likelihood; the score order of
``likelihood``): the place the list shows it at, whatever ``k``.

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.model_selection import prior_model
>>> from graphsvc.analysis.recommender.recommend import Recommender
>>> G = nx.Graph()
>>> G.add_node("c", kind="community", needs={"health": 2.0})
>>> G.add_node("a", kind="organization", offers={"health": 2.0})
>>> G.add_node("b", kind="organization", offers={"health": 2.0})
>>> why = explain(Recommender(G, prior_model(True)), "c", "b", RecommendationOptions(k=1))
>>> why.rank, [out.code for out in why.kept_out]   # second alone; a fills the same gap first
(2, ['gap_filled_above'])
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np

from graphsvc.analysis.core.common import is_community, serves_only
from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.core.outcomes import decline_texts, declined_pairs
from graphsvc.analysis.core.rank_modes import rank_mode
from graphsvc.analysis.core.results import KeptOut, KeptOutCode, PartnerExplanation
from graphsvc.analysis.recommender.gain import GainState, Pick
from graphsvc.errors import EntityNotFound, NotFound

if TYPE_CHECKING:  # a Recommender is passed in: explain is one of its collaborators, imported by it
    from graphsvc.analysis.recommender.recommend import Recommender


def explain(
    rec: Recommender, community: Hashable, partner: Hashable, options: RecommendationOptions
) -> PartnerExplanation:
    """ "Why not ``partner``?": its place for ``community``, its score's terms, and what keeps it off the list.

    Parameters
    ----------
    rec : Recommender
        The fitted recommender.
    community, partner : node
        The community, and any candidate node (a partner on a snapshot).
    options : RecommendationOptions
        The list's options.

    Returns
    -------
    PartnerExplanation

    Raises
    ------
    graphsvc.errors.EntityNotFound
        If ``community`` is not a community or ``partner`` is no node.
    graphsvc.errors.NotFound
        If ``partner`` is a node but not a candidate (for a community: another community, or itself).
    """
    if options.include_declined and rec._declined:
        rec = rec.including_declined()
    k, rank = options.k, options.rank
    rec.scorer.check_query(community)
    _check_candidate(rec, community, partner)
    j = int(rec.scorer.col_of[rec.scorer.engine.index[partner]])
    row = rec.scorer.row(community)
    scores, raw = row[0], row[1:]
    cut, whole, places = rec.whole_list(community, options)
    sequence = whole.picks
    place = places.get(j)
    closing = len(whole.closing)  # a likelihood list is all "closing": its picks are in that part
    listed = place is not None and place < min(k, closing)
    other = place is not None and place >= closing
    valid = np.isfinite(scores)
    state = GainState(rec.scorer.tables, rec.scorer.engine.index[community]) if rec.scorer.tables is not None else None
    alone = rec.chooser.take(state, j, 0.0, float(rec.model.probability(scores[j : j + 1])[0]))
    mode = rank_mode(rank)
    if not mode.by_need or state is None:
        alone.score = float(scores[j])
    else:
        alone.score = mode.weigh(alone.gain, alone.probability)
    kept = _kept_out(rec, community, partner, j, alone, listed, cut, options.min_score)
    if kept and kept[-1].code in ("below_top_k", "offers_nothing_lacking") and other and alone.gain > 0:
        kept[-1] = KeptOut.model_construct(
            code="gap_filled_above",
            text_zh="它能补的缺口已由排在前面的伙伴补上",
            text_en="the gaps it would fill are filled by the partners listed above",
        )
    head = whole.closing[:k]
    last = round(head[-1].score, 6) if len(head) >= k and k > 0 else None
    if place is not None:
        shown = rec.recommendation(community, sequence[place], raw, rank)
    elif valid[j]:
        shown = rec.recommendation(community, alone, raw, rank)
    else:
        shown = None
    attrs = rec.G.nodes[partner]
    return PartnerExplanation.model_construct(
        community=community,
        partner=partner,
        name=attrs.get("name"),
        name_en=attrs.get("name_en"),
        kind=attrs.get("kind"),
        rank_mode=rank,
        rank=None if place is None else place + 1,
        candidates=int(cut.sum()),
        listed=listed,
        other=other,
        long_shot=False if shown is None else shown.long_shot,
        score=None if shown is None else shown.score,
        gain=round(alone.gain, 6) if shown is None else shown.gain,
        probability=round(alone.probability, 6) if shown is None else shown.probability,
        reasons=[] if shown is None else shown.reasons,
        kept_out=kept,
        last_listed_score=last,
    )


def _check_candidate(rec: Recommender, community: Hashable, partner: Hashable) -> None:
    """Raise unless ``partner`` is a candidate for ``community``, saying what it is instead.

    >>> import networkx as nx
    >>> from graphsvc.analysis.linkmodel.model_selection import prior_model
    >>> from graphsvc.analysis.recommender.recommend import Recommender
    >>> G = nx.Graph()
    >>> G.add_nodes_from(["c", "d"], kind="community")
    >>> G.add_node("p", kind="organization")
    >>> _check_candidate(Recommender(G, prior_model(True)), "c", "d")
    Traceback (most recent call last):
    ...
    graphsvc.errors.NotFound: 'd' is a community, not a partner: only partners are recommended to a community
    """
    if partner not in rec.scorer.engine.index:
        raise EntityNotFound(str(partner))
    if partner == community:
        raise NotFound(f"{partner!r} is the community asked about: it is not a partner of its own")
    if not rec.task.is_candidate(rec.G, partner):
        if is_community(rec.G, partner):
            raise NotFound(f"{partner!r} is a community, not a partner: only partners are recommended to a community")
        raise NotFound(f"{partner!r} is not a candidate for {community!r} (kind {rec.G.nodes[partner].get('kind')!r})")


def _kept_out(
    rec: Recommender,
    community: Hashable,
    partner: Hashable,
    j: int,
    alone: Pick,
    listed: bool,
    keep: np.ndarray,
    min_score: float | None,
) -> list[KeptOut]:
    out: list[KeptOut] = []
    if listed:
        return out

    def add(code: KeptOutCode, zh: str, en: str) -> None:
        out.append(KeptOut.model_construct(code=code, text_zh=zh, text_en=en))

    if rec.G.has_edge(community, partner):
        add("already_linked", "已与本社区合作", "already works with this community")
        return out
    refusal = declined_pairs(rec.G).get((community, partner)) if rec.scorer.typed else None
    if refusal is not None:
        add("declined", *decline_texts(refusal))
    areas = serves_only(rec.G, partner)
    outside = areas is not None and str(community) not in areas
    if areas is not None and outside:
        named = [str(rec.G.nodes[a].get("name") or a) if a in rec.G else a for a in sorted(areas)]
        shown = "、".join(named[:3]) + ("…" if len(named) > 3 else "")
        add(
            "outside_service_area",
            f"只在{shown}提供服务",
            f"serves {', '.join(named[:3])}{' and more' if len(named) > 3 else ''} only",
        )
    if rec.scorer.blocked[j]:
        add("at_capacity", "服务已满，无法承接新社区", "at capacity: cannot take on another community")
    if rec.scorer.tables is not None and alone.gain <= 0 and not rec.G.has_edge(community, partner):
        add("offers_nothing_lacking", "不提供本社区缺少的资源", "offers nothing this community lacks")
    only_filtered = not rec.G.has_edge(community, partner) and not rec.scorer.blocked[j] and not outside and not refusal
    if not keep[j] and only_filtered:
        add("filtered_out", "被筛选条件排除", "left out by the filters (kind, street)")
    elif min_score is not None and round(alone.score, 6) < min_score and not out:
        add("filtered_out", "低于最低分", f"scores below the minimum score {min_score}")
    if not out and not listed:
        add("below_top_k", "排名在前 k 名之外", "ranked below the last listed partner")
    return out
