"""The options of a recommendation list, checked once: its length, its filters and its rank mode.

:func:`graphsvc.analysis.recommender.recommend.recommend` spells the options out as keywords and documents them; the
other verbs (:class:`~graphsvc.analysis.recommender.recommend.Recommender`'s methods, ``recommend_all``,
``explain_partner``) take the same keywords as ``**options`` (typed by :class:`RecommendationKeywords`),
and every one of them builds one :class:`RecommendationOptions` from them before any work. Frozen and
hashable, it is also what keys the API's cache of answers.

>>> options = RecommendationOptions(k=3, kinds=["school", "enterprise", "school"])
>>> options  # doctest: +NORMALIZE_WHITESPACE
RecommendationOptions(k=3, kinds=('enterprise', 'school'), street=None, min_score=None, rank='gain', others=False,
                      include_declined=False)
>>> same = RecommendationOptions(k=3, kinds=("school", "enterprise"))
>>> options == same, hash(options) == hash(same)
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, RankMode, check_rank
from graphsvc.vocabulary import EntityKind

DEFAULT_K = 10
"""How many partners a list has unless asked otherwise (``recommend``, ``--top``, the API's ``k``, kept lists)."""


class RecommendationKeywords(TypedDict, total=False):
    """The keywords of :class:`RecommendationOptions`, for verbs that take them as ``**options``."""

    k: int
    kinds: Iterable[str] | None
    street: str | None
    min_score: float | None
    rank: RankMode
    others: bool
    include_declined: bool


@dataclass(frozen=True, slots=True, init=False)
class RecommendationOptions:
    """What one recommendation list is asked for (the keywords of
    :func:`~graphsvc.analysis.recommender.recommend.recommend`).

    ``kinds`` is kept as a sorted tuple of kind codes, so that two requests asking the same thing are equal;
    an unknown kind or rank mode raises ``ValueError`` here.

    Examples
    --------
    >>> RecommendationOptions(kinds=["school", "media", "school"]).kinds
    ('media', 'school')
    >>> RecommendationOptions(rank="best")
    Traceback (most recent call last):
    ...
    ValueError: rank must be one of gain, likelihood, gap, got 'best'
    """

    k: int
    kinds: tuple[str, ...] | None
    street: str | None
    min_score: float | None
    rank: RankMode
    others: bool
    include_declined: bool
    """List partners that declined the community too (a recorded outcome; left out otherwise)."""

    def __init__(
        self,
        k: int = DEFAULT_K,
        kinds: Iterable[str] | None = None,
        street: str | None = None,
        min_score: float | None = None,
        rank: RankMode = DEFAULT_RANK,
        others: bool = False,
        include_declined: bool = False,
    ) -> None:
        object.__setattr__(self, "k", k)
        object.__setattr__(
            self, "kinds", None if kinds is None else tuple(sorted({EntityKind(x).value for x in kinds}))
        )
        object.__setattr__(self, "street", street)
        object.__setattr__(self, "min_score", min_score)
        object.__setattr__(self, "rank", check_rank(rank))
        object.__setattr__(self, "others", bool(others))
        object.__setattr__(self, "include_declined", bool(include_declined))
