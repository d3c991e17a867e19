"""The fixed, bilingual vocabulary of graphsvc: kinds, subtypes, link kinds, categories.

Everything a planner can write in a file is checked against this module, and the
Neo4j store builds its labels and relationship types only from it. Values are
accepted as their code (``elderly_care``), their English label or their Chinese
label (``养老服务``) and a few aliases, so files typed by hand in either language
load.

>>> parse_entity_kind("社区")
<EntityKind.COMMUNITY: 'community'>
>>> category("elderly_care").zh
'养老服务'
>>> five_society_role(EntityKind.SCHOOL, Subtype.STUDENT_SOCIETY)
<FiveSocietyRole.UNIVERSITY_SOCIETY: 'university_society'>
"""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar, cast

_LABELS: dict[tuple[str, str], tuple[str, str]] = {}


class Labelled(enum.StrEnum):
    """A ``str`` enum whose members carry a Chinese and an English label."""

    @property
    def zh(self) -> str:
        return _LABELS[type(self).__name__, self.value][0]

    @property
    def en(self) -> str:
        return _LABELS[type(self).__name__, self.value][1]

    @property
    def label(self) -> str:
        """Both labels, as shown in pages and reports: ``社区 community``."""
        return f"{self.zh} {self.en}"


def _labels(enum_type: type[Labelled], labels: dict[str, tuple[str, str]]) -> None:
    missing = {m.value for m in enum_type} ^ labels.keys()
    if missing:
        raise RuntimeError(f"labels of {enum_type.__name__} do not match its members: {missing}")
    _LABELS.update({(enum_type.__name__, value): zh_en for value, zh_en in labels.items()})


class EntityKind(Labelled):
    """The kinds of entity the district links (docs/domain.md, "Who is linked")."""

    COMMUNITY = "community"
    ORGANIZATION = "organization"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    MEDIA = "media"


_labels(
    EntityKind,
    {
        "community": ("社区", "community"),
        "organization": ("社会组织", "social organization"),
        "enterprise": ("爱心企业", "caring enterprise"),
        "school": ("高校", "university or student society"),
        "media": ("媒体", "media"),
    },
)


PARTNER_KINDS: tuple[EntityKind, ...] = tuple(k for k in EntityKind if k is not EntityKind.COMMUNITY)


class Subtype(Labelled):
    """Subtypes that matter for organizations and schools."""

    DISTRICT_HUB = "district_hub"
    STREET_HUB = "street_hub"
    SOCIAL_ORGANIZATION = "social_organization"
    SOCIAL_WORK_AGENCY = "social_work_agency"
    SELF_ORGANIZATION = "self_organization"
    UNIVERSITY = "university"
    STUDENT_SOCIETY = "student_society"


_labels(
    Subtype,
    {
        "district_hub": ("区级枢纽组织", "district hub"),
        "street_hub": ("街道枢纽组织", "street hub"),
        "social_organization": ("社会组织", "social organization"),
        "social_work_agency": ("社工机构", "social-work agency"),
        "self_organization": ("社区自组织", "community self-organization"),
        "university": ("高校", "university"),
        "student_society": ("高校社团", "student society"),
    },
)


SUBTYPES_OF: dict[EntityKind, frozenset[Subtype]] = {
    EntityKind.ORGANIZATION: frozenset(
        {
            Subtype.DISTRICT_HUB,
            Subtype.STREET_HUB,
            Subtype.SOCIAL_ORGANIZATION,
            Subtype.SOCIAL_WORK_AGENCY,
            Subtype.SELF_ORGANIZATION,
        }
    ),
    EntityKind.SCHOOL: frozenset({Subtype.UNIVERSITY, Subtype.STUDENT_SOCIETY}),
}
"""Which subtypes each kind may carry; kinds not listed take no subtype."""

HUB_SUBTYPES = frozenset({Subtype.DISTRICT_HUB, Subtype.STREET_HUB})


class LinkKind(Labelled):
    """What a partnership carries."""

    FUNDING = "funding"
    VOLUNTEERING = "volunteering"
    SERVICE = "service"
    INTERNSHIP = "internship"
    PUBLICITY = "publicity"
    TRAINING = "training"
    VENUE = "venue"
    COORDINATION = "coordination"


_labels(
    LinkKind,
    {
        "funding": ("资金支持", "funding"),
        "volunteering": ("志愿服务", "volunteering"),
        "service": ("专业服务", "service delivery"),
        "internship": ("实习实践", "internship"),
        "publicity": ("公益传播", "publicity"),
        "training": ("培训督导", "training"),
        "venue": ("场地支持", "venue"),
        "coordination": ("统筹协调", "coordination"),
    },
)


class ProjectStatus(Labelled):
    """Where a community project (公益项目) is in its cycle: proposed at a fair, taken up by sponsors, running,
    closed. Needs a running project covers count as covered (:mod:`graphsvc.analysis.core.coverage`)."""

    PROPOSED = "proposed"
    SUBSCRIBED = "subscribed"
    RUNNING = "running"
    CLOSED = "closed"


_labels(
    ProjectStatus,
    {
        "proposed": ("待认购", "proposed"),
        "subscribed": ("已认购", "subscribed"),
        "running": ("实施中", "running"),
        "closed": ("已结项", "closed"),
    },
)


def parse_project_status(text: str) -> ProjectStatus:
    """The project status for a code or a label in either language.

    >>> parse_project_status("实施中")
    <ProjectStatus.RUNNING: 'running'>
    """
    return _parse_labelled(ProjectStatus, text, "project status")


class FiveSocietyRole(Labelled):
    """The five parts of "five-society linkage" (五社联动) besides the community itself."""

    COMMUNITY = "community"
    SOCIAL_ORGANIZATION = "social_organization"
    SOCIAL_WORKER = "social_worker"
    UNIVERSITY_SOCIETY = "university_society"
    SOCIAL_FORCES = "social_forces"


_labels(
    FiveSocietyRole,
    {
        "community": ("社区（主导）", "community (lead)"),
        "social_organization": ("社会组织（主体）", "social organization (main body)"),
        "social_worker": ("社工（主力）", "social workers (main force)"),
        "university_society": ("高校社团（辅助）", "university society (support)"),
        "social_forces": ("社会力量（协同）", "social forces (collaboration)"),
    },
)


class HierarchyLevel(Labelled):
    """The levels of the optional area hierarchy above a community, lowest first: a community lies in a street
    (its ``street``), a street in a district, a district in a city, a city in a province (docs: README, "Areas")."""

    STREET = "street"
    DISTRICT = "district"
    CITY = "city"
    PROVINCE = "province"


_labels(
    HierarchyLevel,
    {
        "street": ("街道", "street"),
        "district": ("区", "district"),
        "city": ("市", "city"),
        "province": ("省", "province"),
    },
)

AREA_LEVELS: tuple[HierarchyLevel, ...] = tuple(HierarchyLevel)
"""The area levels, lowest (street) first."""
AREA_NODE_LABEL = "Area"
"""The Neo4j label of an area node (the store keeps one per area, with its ``level`` and ``name``)."""
AREA_PARENT_TYPE = "IN"
"""The Neo4j relationship type from an area to the area one level up that holds it."""


def parent_level(level: HierarchyLevel) -> HierarchyLevel | None:
    """The level above ``level`` (``None`` above a province).

    >>> parent_level(HierarchyLevel.STREET).value, parent_level(HierarchyLevel.PROVINCE)
    ('district', None)
    """
    index = AREA_LEVELS.index(level)
    return AREA_LEVELS[index + 1] if index + 1 < len(AREA_LEVELS) else None


PARTNER_ROLES: tuple[FiveSocietyRole, ...] = tuple(r for r in FiveSocietyRole if r is not FiveSocietyRole.COMMUNITY)

ROLE_GAP_LABELS: dict[FiveSocietyRole, tuple[str, str]] = {
    FiveSocietyRole.SOCIAL_ORGANIZATION: ("尚无社会组织合作", "no social organization yet"),
    FiveSocietyRole.SOCIAL_WORKER: ("尚无社工机构合作", "no social-work agency yet"),
    FiveSocietyRole.UNIVERSITY_SOCIETY: ("尚无高校/社团合作", "no university or student society yet"),
    FiveSocietyRole.SOCIAL_FORCES: ("尚无爱心企业或媒体合作", "no caring enterprise or media yet"),
}
"""A missing partner role as a gap, in zh and en (the label of its need category ``role:<role>``)."""


def five_society_role(kind: EntityKind, subtype: Subtype | None = None) -> FiveSocietyRole:
    """The five-society role an entity of this kind and subtype plays.

    Social-work agencies bring the social workers; every other organization,
    hubs included, is a social organization; schools and student societies are
    the university side; enterprises and media are social forces.
    """
    if kind is EntityKind.COMMUNITY:
        return FiveSocietyRole.COMMUNITY
    if kind is EntityKind.ORGANIZATION:
        if subtype is Subtype.SOCIAL_WORK_AGENCY:
            return FiveSocietyRole.SOCIAL_WORKER
        return FiveSocietyRole.SOCIAL_ORGANIZATION
    if kind is EntityKind.SCHOOL:
        return FiveSocietyRole.UNIVERSITY_SOCIETY
    return FiveSocietyRole.SOCIAL_FORCES


class AreaLevel(enum.StrEnum):
    """Which areas of a resource directory (Open Referral HSDS) become communities: see docs/hsds.md."""

    city = "city"
    county = "county"
    postal_code = "postal_code"
    service_area = "service_area"


class StreetLevel(enum.StrEnum):
    """What becomes a directory community's street (the level above it): chosen, never guessed from the data.

    ``none`` (the default): no street; else the ``city``, ``county`` (an address's ``region``) or ``state``
    (``state_province``) of the addresses, which must lie above the areas chosen (docs/hsds.md).
    """

    none = "none"
    city = "city"
    county = "county"
    state = "state"


@dataclass(frozen=True)
class Category:
    """One need or resource category of the vocabulary."""

    code: str
    group: str  # "need" (what residents ask for) or "resource" (what partners bring)
    zh: str
    en: str
    aliases: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.zh} {self.en}"


@cache
def categories() -> dict[str, Category]:
    """All categories by code, read once from the package's ``data/categories.csv``."""
    text = resources.files("graphsvc").joinpath("data/categories.csv").read_text(encoding="utf-8")
    out: dict[str, Category] = {}
    for row in csv.DictReader(text.splitlines()):
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        out[row["code"]] = Category(row["code"], row["group"], row["zh"], row["en"], aliases)
    return out


def category(code: str) -> Category:
    """The category with this code; ``KeyError`` if there is none. A five-society role's need
    (``role:university_society``, see :mod:`graphsvc.analysis.core.coverage`) is labelled as the missing role.

    >>> category("role:university_society").en
    'no university or student society yet'
    """
    if code.startswith("role:"):
        return _role_categories()[code]
    return categories()[code]


@cache
def _role_categories() -> dict[str, Category]:
    return {
        f"role:{role.value}": Category(f"role:{role.value}", "role", zh, en, ())
        for role, (zh, en) in ROLE_GAP_LABELS.items()
    }


def _norm(text: str) -> str:
    return " ".join(text.strip().casefold().replace("_", " ").replace("-", " ").split())


@cache
def _category_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for cat in categories().values():
        for name in (cat.code, cat.zh, cat.en, *cat.aliases):
            lookup.setdefault(_norm(name), cat.code)
    return lookup


@cache
def _category_codes() -> dict[str, str]:
    """What :func:`parse_category` gives for each code as written, without normalising it again."""
    return {code: _category_lookup()[_norm(code)] for code in categories()}


def parse_category(text: str) -> str:
    """The category code for a code, a label in either language or an alias.

    >>> parse_category("养老服务"), parse_category("Legal aid"), parse_category("culture_arts")
    ('elderly_care', 'legal_aid', 'culture_arts')

    Raises ``ValueError`` naming the accepted codes when nothing matches.
    """
    lookup = _category_lookup()
    code = _category_codes().get(text)  # a code as written: most rows of a large load
    if code is None:
        code = lookup.get(_norm(text))
    if code is None:
        raise ValueError(f"unknown category {text!r}; use one of: {', '.join(categories())}")
    return code


E = TypeVar("E", bound=Labelled)


@cache
def _labelled_lookup(enum_type: type[Labelled]) -> dict[str, Labelled]:
    """Each member of ``enum_type`` by its code as written and by its normalised code and labels (first wins)."""
    lookup: dict[str, Labelled] = {}
    for member in enum_type:
        for name in (member.value, member.zh, member.en):
            lookup.setdefault(_norm(name), member)
    for member in enum_type:
        lookup.setdefault(member.value, lookup[_norm(member.value)])
    return lookup


def _parse_labelled(enum_type: type[E], text: str, what: str) -> E:
    lookup = _labelled_lookup(enum_type)
    found = lookup.get(text)
    if found is None:
        found = lookup.get(_norm(text))
    if found is not None:
        return cast(E, found)
    codes = ", ".join(m.value for m in enum_type)
    raise ValueError(f"unknown {what} {text!r}; use one of: {codes}")


def parse_entity_kind(text: str) -> EntityKind:
    """The entity kind for a code or a label in either language."""
    return _parse_labelled(EntityKind, text, "kind")


def parse_subtype(text: str) -> Subtype:
    """The subtype for a code or a label in either language."""
    return _parse_labelled(Subtype, text, "subtype")


def parse_hierarchy_level(text: str) -> HierarchyLevel:
    """The hierarchy level for a code or a label in either language (``区``, ``district``)."""
    return _parse_labelled(HierarchyLevel, text, "area level")


def parse_link_kind(text: str) -> LinkKind:
    """The link kind for a code or a label in either language."""
    return _parse_labelled(LinkKind, text, "link kind")


SERVES_ONLY = "serves_only"
"""The free attribute of a partner that says where it may serve: the ids of the communities (a directory's
areas) its services are offered in, separated by ``;`` (an HSDS import writes it from the services' service
areas). A partner without it may serve any community; recommendations and the plan suggest no link outside."""


COMMUNITY = EntityKind.COMMUNITY.value
"""The kind code of a community (``"community"``), as node attributes and records carry it."""


# -- outcomes: what became of a suggested partnership -------------------------------------------------------------
class OutcomeStatus(Labelled):
    """What became of a suggested partnership (a list's partner, a fair's match), as a planner records it."""

    PROPOSED = "proposed"
    CONTACTED = "contacted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    FORMED = "formed"
    LAPSED = "lapsed"


_labels(
    OutcomeStatus,
    {
        "proposed": ("已提出", "proposed"),
        "contacted": ("已联系", "contacted"),
        "accepted": ("已接受", "accepted"),
        "declined": ("已婉拒", "declined"),
        "formed": ("已建立合作", "partnership formed"),
        "lapsed": ("合作已中止", "partnership lapsed"),
    },
)


class DeclineReason(Labelled):
    """Why a partner declined a community (the short list a planner picks from)."""

    NO_CAPACITY = "no_capacity"
    NOT_OUR_FIELD = "not_our_field"
    TOO_FAR = "too_far"
    OTHER = "other"


_labels(
    DeclineReason,
    {
        "no_capacity": ("无力承接", "no capacity"),
        "not_our_field": ("不属于本机构领域", "not our field"),
        "too_far": ("距离太远", "too far"),
        "other": ("其他原因", "other"),
    },
)

POSITIVE_OUTCOMES = frozenset({OutcomeStatus.ACCEPTED, OutcomeStatus.FORMED})
"""Outcomes that say a suggestion was taken up (what the link model learns as a partnership that forms)."""
NEGATIVE_OUTCOMES = frozenset({OutcomeStatus.DECLINED})
"""Outcomes that say a suggestion was turned down."""

OUTCOMES = "outcomes"
"""The snapshot graph's attribute (``G.graph["outcomes"]``) holding the recorded outcomes, as plain dicts (see
:mod:`graphsvc.graph`); absent when none is recorded."""

OUTCOME_RELATIONSHIP = "OUTCOME"
"""The Neo4j relationship type of a recorded outcome: ``(:Community)-[:OUTCOME {status, at, reason, by, rank,
probability}]->(partner)``."""


def parse_outcome_status(text: str) -> OutcomeStatus:
    """The outcome status for a code or a label in either language.

    >>> parse_outcome_status("已婉拒"), parse_outcome_status("Accepted")
    (<OutcomeStatus.DECLINED: 'declined'>, <OutcomeStatus.ACCEPTED: 'accepted'>)
    """
    return _parse_labelled(OutcomeStatus, text, "outcome status")


def parse_decline_reason(text: str) -> DeclineReason:
    """The decline reason for a code or a label in either language.

    >>> parse_decline_reason("no capacity"), parse_decline_reason("距离太远")
    (<DeclineReason.NO_CAPACITY: 'no_capacity'>, <DeclineReason.TOO_FAR: 'too_far'>)
    """
    return _parse_labelled(DeclineReason, text, "decline reason")
