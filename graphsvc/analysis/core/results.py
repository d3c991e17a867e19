"""What recommendations return: pydantic models, ready to be API responses.

Results keep the caller's node ids (karate node ``30`` stays ``30``); only the API and the CLI turn
them into strings. Every score comes with its *reasons*: the terms it is made of, each with its
contribution and a sentence in Chinese and English; the listed contributions add up to the score.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from graphsvc.analysis.core.rank_modes import DEFAULT_RANK

LONG_SHOT = 0.05
"""A partner whose partnership is less likely than this (one chance in twenty) to form is marked a *long shot*:
it would close the gap, but call the likelier partners first. A convention for planners, not a fitted value."""

NodeId = Annotated[Any, PlainSerializer(lambda n: n if isinstance(n, str | int) else str(n), when_used="json")]
"""A node id as the caller's graph has it (JSON: strings and integers as they are, anything else as a string)."""


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(Result):
    """One term of a score: its code, its contribution to the score, and a sentence in zh and en."""

    code: str
    contribution: float
    text_zh: str
    text_en: str


class Recommendation(Result):
    """One recommended partner.

    ``score`` is what the list is ranked by (see ``rank`` of the list); ``gain`` the need the link would close
    in the district (after the partners listed above it are applied), ``probability`` the calibrated
    probability that the partnership forms.
    """

    partner: NodeId
    name: str | None = None
    name_en: str | None = None
    kind: str | None
    score: float
    gain: float = 0.0
    probability: float = 0.0
    long_shot: bool = Field(False, description=f"probability below {LONG_SHOT:.0%}: unlikely to form")
    reasons: list[Reason]


class CommunityRecommendations(Result):
    """The top-k partners for one community (what ``graphsvc recommend --json`` prints).

    ``expected_gain`` is the list's expected need closed (each link's gain times its probability);
    ``coverage`` the community's covered share of its need today and ``coverage_if_linked`` if every
    listed partner joined. In ``gain`` and ``gap`` modes the list holds only partners that close some gap;
    ``closing`` counts every candidate that could (so a list shorter than ``k`` says why), and ``others``
    holds likely partners that close nothing, only when asked for (``others=True``).
    """

    community: NodeId
    name: str | None = None
    rank: str = Field(DEFAULT_RANK, description="the rank mode the list is ranked by")
    recommendations: list[Recommendation]
    others: list[Recommendation] = Field(default_factory=list)
    closing: int | None = Field(None, description="candidates that close some gap (None in likelihood mode)")
    expected_gain: float = 0.0
    coverage: float = 1.0
    coverage_if_linked: float = 1.0
    needs_recorded: bool = Field(
        True,
        description="whether the community's residents' needs are recorded (false: no needs table row names it, "
        "and coverage 1.0 means nothing; load a needs table, or derive one with `graphsvc needs derive`)",
    )
    declined: list[NodeId] = Field(
        default_factory=list,
        description="partners left out because they declined this community (their last recorded outcome); "
        "`--include-declined` / `include_declined=true` lists them again",
    )


KeptOutCode = Literal[
    "already_linked",
    "declined",
    "outside_service_area",
    "at_capacity",
    "offers_nothing_lacking",
    "filtered_out",
    "gap_filled_above",
    "below_top_k",
]


class KeptOut(Result):
    """Why a partner is not on a community's list."""

    code: KeptOutCode
    text_zh: str
    text_en: str


class PartnerExplanation(Result):
    """ "Why not X?": where one partner stands for one community, and what keeps it off the list."""

    community: NodeId
    partner: NodeId
    name: str | None = None
    name_en: str | None = None
    kind: str | None
    rank_mode: str
    rank: int | None = Field(
        description="place in the community's whole list, in the order the list is made (None if not a candidate)"
    )
    candidates: int
    listed: bool = Field(description="whether it is on the top-k list")
    other: bool = Field(False, description="whether its place is among the partners that close no gap")
    long_shot: bool = False
    score: float | None
    gain: float
    probability: float
    reasons: list[Reason]
    kept_out: list[KeptOut]
    last_listed_score: float | None = Field(description="the score of the k-th partner on the list")


R = TypeVar("R", bound=Result)

_new = object.__new__
_set = object.__setattr__


def built(cls: type[R], fields: dict[str, Any]) -> R:
    """``cls.model_construct(**fields)`` for ``fields`` naming every field of ``cls`` in its order: the same
    object (fields, fields set, no extra, no private), in a fraction of the time (no defaults to look up, no
    aliases to try) -- what lists of thousands of results are made of. Like ``model_construct``, nothing is
    validated: for values the caller computed.

    It sets the four attributes pydantic 2 keeps on a model, so pydantic is held below 3 (``pyproject.toml``) and
    ``tests/analysis/test_results.py`` checks that it makes what ``model_construct`` makes, for every result
    model. Measured against pydantic's public ways (a :class:`Recommendation`, one core, pydantic 2.13):
    ``model_construct`` ~6x its time, ``model_copy(update=...)`` of a blank ~4x; a city's lists are ~40 models
    per community.

    >>> r = built(Reason, {"code": "l3", "contribution": 0.5, "text_zh": "z", "text_en": "e"})
    >>> r == Reason.model_construct(code="l3", contribution=0.5, text_zh="z", text_en="e"), sorted(r.model_fields_set)
    (True, ['code', 'contribution', 'text_en', 'text_zh'])
    """
    m = _new(cls)
    _set(m, "__dict__", fields)
    _set(m, "__pydantic_fields_set__", set(fields))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


def node_key(node: Hashable) -> tuple[str, Hashable]:
    """A sort key for node ids of mixed types (by type name, then id)."""
    return (str(type(node)), node)
