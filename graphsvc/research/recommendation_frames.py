"""Partner recommendations as tables: one row per recommended partner, or one per reason."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx
import pandas as pd

from graphsvc.analysis.common import check_graph
from graphsvc.analysis.recommend import Recommender, recommend
from graphsvc.analysis.results import CommunityRecommendations, PartnerExplanation, RankMode
from graphsvc.errors import NotFound
from graphsvc.graph import communities as community_ids
from graphsvc.research.graphs import node_attribute

__all__ = ["explain_recommendation", "reasons_frame", "recommendations_frame"]


def _recommendations(
    G: nx.Graph,
    community: Hashable | None,
    street: str | None,
    k: int,
    kinds: Iterable[str] | None,
    partner_street: str | None,
    min_score: float | None,
    seed: int | None,
    recommender: Recommender | None,
    rank: RankMode,
) -> list[CommunityRecommendations]:
    options: dict[str, Any] = {"k": k, "kinds": kinds, "street": partner_street, "min_score": min_score, "rank": rank}
    if community is not None:
        if recommender is not None:
            return [recommender.recommend(community, **options)]
        return [recommend(G, community, seed=seed, **options)]
    check_graph(G)
    members: list[str] | None = None
    if street is not None:
        members = [c for c in community_ids(G) if G.nodes[c].get("street") == street]
        if not members:
            raise NotFound(f"no street named {street!r}")
    rec = recommender if recommender is not None else Recommender.fit(G, seed=seed, k=k)
    return list(rec.recommend_all(communities=members, **options).values())


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
    rank: RankMode = "gain",
) -> pd.DataFrame:
    """One row per recommended partner: rank, score and the reasons joined into one zh and one en sentence.

    The recommendations are :func:`graphsvc.analysis.recommend`'s (what ``graphsvc recommend`` prints),
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
    kinds : iterable of str, optional
        Only partners of these kinds.
    partner_street : str, optional
        Only partners working in this street (``street=`` of :func:`graphsvc.analysis.recommend`).
    min_score : float, optional
        Only candidates scoring at least this.
    seed : int, optional
        Seed of the weighting's inner split (when no ``recommender`` is given).
    recommender : Recommender, optional
        A recommender fitted before on ``G``; reuse one across calls to fit once.
    rank : {"gain", "likelihood", "gap"}
        The rank mode (:func:`graphsvc.analysis.recommend.recommend`): expected need closed (default),
        link likelihood, or need closed alone.

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
    results = _recommendations(G, community, street, k, kinds, partner_street, min_score, seed, recommender, rank)
    rows = []
    for result in results:
        for place, r in enumerate(result.recommendations, start=1):
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
        "rank_mode",
        "top_reason",
        "reasons_zh",
        "reasons_en",
    ]
    return pd.DataFrame(rows, columns=columns)


def reasons_frame(
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
    rank: RankMode = "gain",
) -> pd.DataFrame:
    """The long form of :func:`recommendations_frame`: one row per reason, with its contribution to the score.

    Takes the same arguments. The reasons are the terms of the score (the gap a partner closes first,
    then the signals that make it plausible; one ``other`` term holds the signals that lower it), so a
    recommendation's contributions add up to its score.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", street="S", needs={"elderly_care": 3.0})
    >>> G.add_node("o1", kind="organization", subtype="social_organization", street="S", capacity=3,
    ...            offers={"elderly_care": 4.0})
    >>> df = reasons_frame(G, community="c1")
    >>> df.columns.tolist()
    ['community', 'rank', 'partner', 'reason', 'contribution', 'text_zh', 'text_en']
    >>> df["reason"].iloc[0]
    'gap:elderly_care'
    """
    results = _recommendations(G, community, street, k, kinds, partner_street, min_score, seed, recommender, rank)
    rows = [
        {
            "community": result.community,
            "rank": place,
            "partner": r.partner,
            "reason": x.code,
            "contribution": x.contribution,
            "text_zh": x.text_zh,
            "text_en": x.text_en,
        }
        for result in results
        for place, r in enumerate(result.recommendations, start=1)
        for x in r.reasons
    ]
    return pd.DataFrame(rows, columns=["community", "rank", "partner", "reason", "contribution", "text_zh", "text_en"])


def explain_recommendation(
    G: nx.Graph,
    community: Hashable,
    partner: Hashable,
    *,
    k: int = 10,
    kinds: Iterable[str] | None = None,
    partner_street: str | None = None,
    min_score: float | None = None,
    seed: int | None = 0,
    recommender: Recommender | None = None,
    rank: RankMode = "gain",
) -> PartnerExplanation:
    """ "Why not this partner?": its rank for ``community``, its score's terms and what keeps it off the list.

    Takes the options of :func:`recommendations_frame` (the list's); ``explanation.reasons`` are the terms,
    ``explanation.kept_out`` the causes (already linked, at capacity, offers nothing lacking, filtered out,
    gap filled above, ranked below).

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
    rec = recommender if recommender is not None else Recommender.fit(G, seed=seed, k=k)
    return rec.explain(community, partner, k=k, kinds=kinds, street=partner_street, min_score=min_score, rank=rank)
