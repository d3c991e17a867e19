"""Partner recommendations as tables: one row per recommended partner, or one per reason."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypedDict, Unpack

import networkx as nx
import pandas as pd

from graphsvc.analysis.core.common import check_graph
from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, RankMode
from graphsvc.analysis.core.results import CommunityRecommendations, PartnerExplanation
from graphsvc.analysis.linkmodel.signals import SIGNALS
from graphsvc.analysis.recommender.explain import explain
from graphsvc.analysis.recommender.recommend import Recommender
from graphsvc.errors import NotFound
from graphsvc.graph import communities as community_ids
from graphsvc.research.graphs import node_attribute

__all__ = ["explain_recommendation", "reasons_frame", "recommendations_frame"]


class ListKeywords(TypedDict, total=False):
    """The keywords of a frame's list and recommender, for the frames that take them as ``**options``.

    They mean what they mean for :func:`recommendations_frame`, which spells them out.
    """

    k: int
    kinds: Iterable[str] | None
    partner_street: str | None
    min_score: float | None
    seed: int | None
    recommender: Recommender | None
    rank: RankMode


class FrameKeywords(ListKeywords, total=False):
    """:class:`ListKeywords`, which communities, and whether the partners that close no gap follow (see
    :func:`recommendations_frame`)."""

    community: Hashable | None
    street: str | None
    others: bool


def _list_options(options: ListKeywords, k: int) -> RecommendationOptions:
    """The list's options among a frame's keywords (``k`` unless given)."""
    return RecommendationOptions(
        k=options.get("k", k),
        kinds=options.get("kinds"),
        street=options.get("partner_street"),
        min_score=options.get("min_score"),
        rank=options.get("rank", DEFAULT_RANK),
    )


def _recommender(G: nx.Graph, options: ListKeywords, k: int) -> Recommender:
    """The recommender given among a frame's keywords, else one fitted on ``G``."""
    rec = options.get("recommender")
    return rec if rec is not None else Recommender.fit(G, seed=options.get("seed", 0), k=k)


def _recommendations(
    G: nx.Graph, community: Hashable | None, street: str | None, chosen: RecommendationOptions, fitting: ListKeywords
) -> list[CommunityRecommendations]:
    return _answers(G, community, street, chosen, fitting)[1]


def _answers(
    G: nx.Graph, community: Hashable | None, street: str | None, chosen: RecommendationOptions, fitting: ListKeywords
) -> tuple[Recommender, list[CommunityRecommendations]]:
    """The recommender and its lists for one community, one street's or every community."""
    check_graph(G)
    members: list[str] | None = None
    if community is None and street is not None:
        members = [c for c in community_ids(G) if G.nodes[c].get("street") == street]
        if not members:
            raise NotFound(f"no street named {street!r}")
    rec = _recommender(G, fitting, chosen.k)
    if community is not None:
        return rec, [rec.answer(community, chosen)]
    return rec, list(rec.answer_all(chosen, communities=members).values())


def recommendations_frame(
    G: nx.Graph,
    *,
    community: Hashable | None = None,
    street: str | None = None,
    k: int = 5,
    kinds: Iterable[str] | None = None,
    partner_street: str | None = None,
    min_score: float | None = None,
    seed: int | None = 0,
    recommender: Recommender | None = None,
    rank: RankMode = DEFAULT_RANK,
    others: bool = False,
) -> pd.DataFrame:
    """One row per recommended partner: rank, score and the reasons joined into one zh and one en sentence.

    The recommendations are :func:`graphsvc.analysis.recommender.recommend`'s (what ``graphsvc recommend`` prints),
    for one ``community``, every community of ``street``, or every community.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot graph.
    community : node, optional
        One community.
    street : str, optional
        Every community of this street (ignored when ``community`` is given).
    k : int
        Partners per community.
    kinds, min_score, rank
        The list's options, as for :func:`graphsvc.analysis.recommender.recommend` (partners of these kinds only,
        scoring
        at least ``min_score``; ranked by expected need closed unless ``rank`` says otherwise).
    partner_street : str, optional
        Only partners working in this street (``street=`` of :func:`graphsvc.analysis.recommender.recommend`).
    seed : int, optional
        Seed of the weighting's inner split (when no ``recommender`` is given).
    recommender : Recommender, optional
        A recommender fitted before on ``G``; reuse one across calls to fit once.
    others : bool
        Also the likely partners that close no gap (``others`` of the list), after the list, with
        ``other`` true; ``rank`` goes on counting, as ``graphsvc recommend --explain`` counts.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"elderly_care": 3.0})
    >>> G.add_node("o1", kind="organization", subtype="social_organization", street="S", capacity=3,
    ...            offers={"elderly_care": 4.0})
    >>> df = recommendations_frame(G, community="c1", k=3)
    >>> df[["community", "rank", "partner", "top_reason", "gain"]].values.tolist()
    [['c1', 1, 'o1', 'gap:elderly_care', 3.0]]
    >>> df.loc[0, "reasons_en"].split("; ")[0]
    "offers elderly care: would cover 3 of this community's 3 uncovered"
    """
    chosen = RecommendationOptions(
        k=k, kinds=kinds, street=partner_street, min_score=min_score, rank=rank, others=others
    )
    results = _recommendations(G, community, street, chosen, {"seed": seed, "recommender": recommender})
    rows = []
    for result in results:
        for place, r in enumerate([*result.recommendations, *result.others], start=1):
            rows.append(
                {
                    "community": result.community,
                    "community_name": node_attribute(G, result.community, "name"),
                    "rank": place,
                    "partner": r.partner,
                    "partner_name": node_attribute(G, r.partner, "name"),
                    "kind": r.kind,
                    "score": r.score,
                    "gain": r.gain,
                    "probability": r.probability,
                    "long_shot": r.long_shot,
                    "other": place > len(result.recommendations),
                    "rank_mode": result.rank,
                    "top_reason": r.reasons[0].code if r.reasons else None,
                    "reasons_zh": "；".join(x.text_zh for x in r.reasons),
                    "reasons_en": "; ".join(x.text_en for x in r.reasons),
                }
            )
    columns = [
        "community",
        "community_name",
        "rank",
        "partner",
        "partner_name",
        "kind",
        "score",
        "gain",
        "probability",
        "long_shot",
        "other",
        "rank_mode",
        "top_reason",
        "reasons_zh",
        "reasons_en",
    ]
    return pd.DataFrame(rows, columns=columns)


def reasons_frame(G: nx.Graph, **options: Unpack[FrameKeywords]) -> pd.DataFrame:
    """The long form of :func:`recommendations_frame`: one row per reason, with its contribution to the score.

    Takes the same keywords. The reasons are the terms of the score (the gap a partner closes first, then the
    signals that make it plausible; one line, coded ``other:`` and the indices it holds, folds the signals that
    lower the score and those too small to list), so a recommendation's contributions add up to its score.
    ``reason`` is the term's code: ``gap:<category>``, a signal's index (``common_neighbors``, ``l3``, ...)
    whose raw value is in ``signal_value`` (what the sentence is written from), ``shared_offer``, ``no_gap``
    or ``other:...``. With ``others=True`` the reasons of the likely partners that close no gap follow, with
    ``other`` true, their ``rank`` counting on as in :func:`recommendations_frame`.

    Examples
    --------
    >>> G = nx.Graph([("o1", "c2")])
    >>> G.add_nodes_from(["c1", "c2"], kind="community", needs={"health": 2.0})
    >>> G.add_node("o1", kind="organization", capacity=2, offers={"health": 4.0})
    >>> df = reasons_frame(G, community="c1")
    >>> df.columns.tolist()
    ['community', 'rank', 'partner', 'reason', 'contribution', 'signal_value', 'text_zh', 'text_en', 'other']
    >>> df[["partner", "reason"]].iloc[0].tolist()
    ['o1', 'gap:health']
    """
    base = _list_options(options, k=5)
    chosen = RecommendationOptions(
        k=base.k, kinds=base.kinds, street=base.street, min_score=base.min_score, rank=base.rank,
        others=options.get("others", False),
    )  # fmt: skip
    rec, results = _answers(G, options.get("community"), options.get("street"), chosen, options)
    listed = [
        (result, place, r)
        for result in results
        for place, r in enumerate([*result.recommendations, *result.others], start=1)
    ]
    raw = rec.scorer.engine.pair_features([(result.community, r.partner) for result, _, r in listed])
    column = {code: i for i, code in enumerate(SIGNALS)}
    rows = [
        {
            "community": result.community,
            "rank": place,
            "partner": r.partner,
            "reason": x.code,
            "contribution": x.contribution,
            "signal_value": float(values[column[x.code]]) if x.code in column else float("nan"),
            "text_zh": x.text_zh,
            "text_en": x.text_en,
            "other": place > len(result.recommendations),
        }
        for (result, place, r), values in zip(listed, raw, strict=True)
        for x in r.reasons
    ]
    columns = ["community", "rank", "partner", "reason", "contribution", "signal_value", "text_zh", "text_en", "other"]
    return pd.DataFrame(rows, columns=columns)


def explain_recommendation(
    G: nx.Graph, community: Hashable, partner: Hashable, **options: Unpack[ListKeywords]
) -> PartnerExplanation:
    """ "Why not this partner?": its rank for ``community``, its score's terms and what keeps it off the list.

    Takes the list's keywords of :func:`recommendations_frame` (``k`` is 10 unless given, as for the API and
    ``graphsvc recommend``); ``explanation.reasons`` are the terms, ``explanation.kept_out`` the causes
    (already linked, at capacity, offers nothing lacking, filtered out, gap filled above, ranked below).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", needs={"elderly_care": 3.0})
    >>> G.add_node("e1", kind="enterprise", offers={"funding": 4.0})
    >>> G.add_node("o1", kind="organization", offers={"elderly_care": 1.0})
    >>> why = explain_recommendation(G, "c1", "e1", k=1)   # the list: o1; e1 closes nothing
    >>> why.rank, [out.code for out in why.kept_out]
    (2, ['offers_nothing_lacking'])
    """
    chosen = _list_options(options, k=10)
    return explain(_recommender(G, options, chosen.k), community, partner, chosen)
