"""The plan's answers: the planned links with their reasons, the coverage before and after, the totals beside
the naive plan, and the divergences from the lists."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.analysis.core.results import Reason


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedLink(Result):
    """A new link of the plan and the need it was expected to close on its own, with its reasons.

    ``reasons`` are the reasons a recommendation ranked by need closed alone gives (``gap`` mode,
    :func:`graphsvc.analysis.recommender.reasons.gap_reasons`): a term per category the link closes, then what the
    partner's other communities lose as its offer is split; they add up to ``gain``. ``name`` is the partner's.
    """

    community: str
    partner: str
    kind: str | None
    gain: float
    community_name: str | None = None
    name: str | None = None
    reasons: list[Reason] = Field(default_factory=list)


class CoverageChange(Result):
    """One community's covered need before, after the plan, and after the naive choices."""

    community: str
    name: str | None = None
    need: float
    before: float
    after: float
    naive: float


class PlanTotals(Result):
    """District totals of the plan and of the naive alternative: the residents' need covered (the figures the
    gaps give), and, under the ``hub`` policy, the five-society roles communities lack before and after (the
    plan closes those too: see :mod:`graphsvc.analysis.core.coverage`)."""

    need: float
    before: float
    after: float
    naive: float
    links: int
    naive_links: int
    naive_overloaded: list[str]
    roles_missing_before: int = 0
    roles_missing_after: int = 0


DivergenceCode = Literal["planned_elsewhere", "weighs_likelihood", "not_weighed", "no_room"]
"""Why a community's planned partner is not its list's #1 (see :func:`plan_divergences`)."""


class PlanPlace(Result):
    """A community the plan gives a partner to, and the need that link closes (its ``gain`` in the plan)."""

    community: str
    community_name: str | None = None
    gain: float


class PlanDivergence(Result):
    """Why the plan gives a community another partner than its list's #1 (``top``), in the plan's terms.

    ``gain_here`` is the need ``top`` would close here alone (what the plan weighs, the list's ``gain`` of its
    #1), ``probability`` how likely the list deems the partnership; ``planned`` is the community's planned
    partner that ``top`` would displace (its weakest, if several) and ``gain_planned`` the need it closes
    (0 if the plan gives the community none). ``planned_for`` are the communities the plan gives ``top`` to
    instead (least gain first), ``gain_there`` the least of those gains: what ``top`` closes where it is sent.
    """

    community: str
    community_name: str | None = None
    code: DivergenceCode
    top: str
    top_name: str | None = None
    gain_here: float
    probability: float
    planned: str | None = None
    planned_name: str | None = None
    gain_planned: float = 0.0
    planned_for: list[PlanPlace] = Field(default_factory=list)
    gain_there: float | None = None
    text_zh: str
    text_en: str


class DistrictPlan(Result):
    """The plan: its links, coverage per community, and totals beside the naive per-community top-1.

    ``divergences`` says, for every community whose planned partner is not its list's #1, why (filled by
    :func:`with_divergences` from the lists; empty from :func:`district_plan`, which needs no link model).
    """

    links: list[PlannedLink]
    naive_links: list[PlannedLink]
    communities: list[CoverageChange]
    totals: PlanTotals
    divergences: list[PlanDivergence] = Field(default_factory=list)
