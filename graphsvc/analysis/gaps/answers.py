"""The gaps' answers: a community's gaps by need and by five-society role, and their sums by street and district."""

from __future__ import annotations

from pydantic import Field

from graphsvc.analysis.core.common import (
    Result,
)
from graphsvc.analysis.core.policy import CategoryRef as CategoryRef
from graphsvc.analysis.core.policy import PolicyCheck as PolicyCheck
from graphsvc.analysis.core.policy import PolicyProfile as PolicyProfile
from graphsvc.analysis.core.policy import PolicyReport as PolicyReport
from graphsvc.analysis.core.policy import ProviderGap as ProviderGap
from graphsvc.analysis.core.policy import ServiceDesert as ServiceDesert
from graphsvc.analysis.core.policy import StreetFacts as StreetFacts
from graphsvc.analysis.core.policy import communities_without_provider as communities_without_provider
from graphsvc.analysis.core.policy import offered_categories as offered_categories
from graphsvc.analysis.core.policy import policy_checks as policy_checks
from graphsvc.analysis.core.policy import resolve_profile as resolve_profile
from graphsvc.analysis.core.policy import service_deserts as service_deserts
from graphsvc.analysis.core.policy import street_facts as street_facts

_PROFILE = "the policy profile the answer was checked under (graphsvc.analysis.core.policy.PROFILES): hub or generic"
_NEEDS_RECORDED = (
    "whether any need is recorded here; when false, nothing can be uncovered and coverage is null "
    "(add needs as a needs table: community,category,weight)"
)
_COVERAGE = "covered / need; null when no needs are recorded (never 100% of nothing)"
_BY_PROFILE = "null when the policy profile does not check it"
_DESERTS = (
    "service deserts: categories some partner of the district offers that no partner linked here offers -- a "
    "supply-side gap, not a need residents stated"
)


class _CategoryAmounts(Result):
    """A category with its labels and how much of its need is covered."""

    category: str
    zh: str
    en: str
    need: float
    covered: float
    uncovered: float


class CategoryGap(_CategoryAmounts):
    """One need of one community: how much, how much is covered, by whom."""

    partners: list[str]
    single_partner: bool


class RoleRef(Result):
    """A five-society role with its labels. For a missing role under the ``hub`` policy (where a missing role
    is a need the recommendations and the plan close, :mod:`graphsvc.analysis.core.coverage`): how many partners of
    the role could still take the community, and a sentence when none can."""

    role: str
    zh: str
    en: str
    available: int | None = Field(None, description="partners of this role not linked to it and not at capacity")
    note_zh: str | None = None
    note_en: str | None = None


class PartnerLoss(Result):
    """How much covered need would become uncovered if this partner left."""

    partner: str
    name: str | None
    need_lost: float


class FragilePartnership(Result):
    """A partnership of a community with a partner that only one project holds up, and that project ends soon
    (the rule: :func:`graphsvc.analysis.gaps.timeline.fragile_partnerships`)."""

    community: str
    partner: str
    name: str | None = Field(description="the partner's name")
    project: str
    title: str | None = Field(description="the project's title")
    end: str = Field(description="the project's end, an ISO date")
    days_left: int = Field(description="days from the date it was checked on to the project's end")
    note_zh: str
    note_en: str


class CommunityGaps(Result):
    """Everything the gap analysis says about one community."""

    community: str
    name: str | None
    street: str | None
    profile: str = Field(description=_PROFILE)
    needs_recorded: bool = Field(description=_NEEDS_RECORDED)
    need: float
    covered: float
    uncovered: float
    coverage: float | None = Field(description=_COVERAGE)
    categories: list[CategoryGap]
    covered_categories: list[str]
    uncovered_categories: list[str]
    partners: list[str]
    roles_present: list[RoleRef]
    roles_missing: list[RoleRef] = Field(description="the roles the policy profile expects that no partner plays")
    single_partner_needs: list[str]
    one_partner: bool
    critical_partners: list[PartnerLoss]
    street_hub: str | None
    names: dict[str, str | None] = Field(
        default_factory=dict, description="the name of every partner this answer names by id (and the street hub)"
    )
    reached_by_hub: bool | None = Field(description=_BY_PROFILE)
    university_link: bool | None = Field(description=_BY_PROFILE)
    service_deserts: list[CategoryRef] = Field(description=_DESERTS)
    fragile_partnerships: list[FragilePartnership] = Field(
        default_factory=list,
        description="partnerships only one project holds up, that project ending within 90 days of today",
    )


class CategoryTotal(_CategoryAmounts):
    """One category summed over several communities."""

    communities_uncovered: int


class StreetGaps(Result):
    """The gaps of one street: its communities, rolled up."""

    street: str
    hub: str | None
    profile: str = Field(description=_PROFILE)
    needs_recorded: bool = Field(description=_NEEDS_RECORDED)
    need: float
    covered: float
    uncovered: float
    coverage: float | None = Field(description=_COVERAGE)
    categories: list[CategoryTotal]
    service_organization: bool | None = Field(description=_BY_PROFILE)
    communities_without_university: list[str]
    communities_not_reached: list[str]
    communities_one_partner: list[str]
    critical_partners: list[PartnerLoss]
    communities: list[CommunityGaps]


class StreetSummary(Result):
    """One line per street in the district roll-up."""

    street: str
    communities: int
    needs_recorded: bool = Field(description=_NEEDS_RECORDED)
    need: float
    covered: float
    uncovered: float
    coverage: float | None = Field(description=_COVERAGE)
    not_reached: int | None = Field(description=_BY_PROFILE)
    without_university: int | None = Field(description=_BY_PROFILE)
    service_organization: bool | None = Field(description=_BY_PROFILE)


class DistrictGaps(Result):
    """The whole district's gaps, per category and per street, with the policy report."""

    communities: int
    profile: str = Field(description=_PROFILE)
    needs_recorded: bool = Field(description=_NEEDS_RECORDED)
    communities_without_needs: list[str] = Field(description="communities with no need recorded")
    need: float
    covered: float
    uncovered: float
    coverage: float | None = Field(description=_COVERAGE)
    categories: list[CategoryTotal]
    streets: list[StreetSummary]
    roles_missing: dict[str, int] = Field(
        description="for each role the policy profile expects, how many communities lack it"
    )
    communities_one_partner: list[str]
    communities_not_reached: list[str]
    critical_partners: list[PartnerLoss]
    policy: PolicyReport
    no_provider: list[ProviderGap] = Field(
        default_factory=list, description="the service deserts by category: " + _DESERTS
    )
    service_deserts: list[ServiceDesert] = Field(
        default_factory=list, description="the service deserts by community (those with one): " + _DESERTS
    )


class TimelineYear(Result):
    """One year of a timeline: partnerships formed and lapsed in it, and those held at its end."""

    year: int
    formed: int
    lapsed: int
    held: int = Field(description="partnerships formed by the year's end and not lapsed by then (dated ones)")


class Timeline(Result):
    """Community–partner partnerships formed and lapsed per year, for a street or the whole district."""

    street: str | None = Field(description="the street, or null for the whole district")
    on: str = Field(description="the date the timeline was drawn up to (ISO): project ends after it are not lapses")
    partnerships: int = Field(description="community–partner partnerships ever seen (links, sponsorships, outcomes)")
    lapsed: int = Field(description="of those, how many have lapsed")
    undated: int = Field(description="partnerships with no date to place their forming in a year")
    years: list[TimelineYear]
    by_street: dict[str, list[TimelineYear]] = Field(
        default_factory=dict, description="the same years for each street (when no street was asked)"
    )
    fragile: list[FragilePartnership] = Field(default_factory=list)
