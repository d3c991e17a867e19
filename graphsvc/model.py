"""What the domain is: entities, their partnerships, communities' needs and partners' offers.

These typed records are what loaders produce, what stores keep and what the
snapshot graph is built from. They validate on construction, so a record that
exists is a record that makes sense on its own; checks that need the whole data
set (does a link's target exist?) live in :mod:`graphsvc.loaders.validate`.

>>> Entity(id="c1", kind="社区", name="拱北社区", street="拱北").kind
<EntityKind.COMMUNITY: 'community'>
>>> Need(community="c1", category="养老服务", weight=3).category
'elderly_care'
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graphsvc.vocabulary import (
    SUBTYPES_OF,
    DeclineReason,
    EntityKind,
    HierarchyLevel,
    LinkKind,
    OutcomeStatus,
    ProjectStatus,
    Subtype,
    parent_level,
    parse_category,
    parse_decline_reason,
    parse_entity_kind,
    parse_hierarchy_level,
    parse_link_kind,
    parse_outcome_status,
    parse_project_status,
    parse_subtype,
)


def _labelled(parser: Any) -> Any:
    def parse(value: Any) -> Any:
        return parser(value) if isinstance(value, str) else value

    return parse


MAX_WEIGHT = 1_000_000
"""Largest weight a need or a link may have (documented in the README)."""
MAX_CAPACITY = 1_000_000
"""Largest capacity an entity or an offer may have (documented in the README)."""


def _control_characters(value: str, allowed: str = "") -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in value if unicodedata.category(c) == "Cc" and c not in allowed})


def _plain_text(value: str) -> str:
    """Refuse control characters (NUL, escapes, line breaks): exports to GraphML/GEXF could not be read back.

    >>> _plain_text("拱北")
    '拱北'
    """
    found = _control_characters(value)
    if found:
        raise ValueError(f"control characters are not allowed ({', '.join(found)})")
    return value


def _note(value: str) -> str:
    """Free text (extra columns) may break lines and hold tabs, but no other control character."""
    found = _control_characters(value, allowed="\t\n\r")
    if found:
        raise ValueError(f"control characters are not allowed ({', '.join(found)})")
    return value


def _format_characters(value: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in value if unicodedata.category(c) == "Cf"})


def _entity_id(value: str) -> str:
    """An id in Unicode's composed form (NFC), usable as one segment of an API path: no ``/``, not ``.`` or ``..``.

    Control characters and format characters (Unicode category Cf: zero-width spaces and joiners, the byte-order
    mark, bidi controls) are refused: they are invisible, so two ids that look the same would be two entities.

    >>> _entity_id("com-001"), _entity_id("cafe\u0301") == "caf\u00e9"
    ('com-001', True)
    """
    value = unicodedata.normalize("NFC", value)
    _plain_text(value)
    found = _format_characters(value)
    if found:
        raise ValueError(
            f"invisible format characters are not allowed in an id ({', '.join(found)}: zero-width, "
            "byte-order mark or bidi control)"
        )
    if "/" in value or value in (".", ".."):
        raise ValueError("an id may not contain '/' or be '.' or '..' (it must fit in a URL path)")
    return value


def lookalike_key(entity_id: str) -> str:
    """What an id reads as, whatever its case or width: ids with the same key look alike to a person.

    NFKC folds compatibility forms (full-width ``ｃ１``, ligatures), ``casefold`` folds case (``C1``, ``ß``).

    >>> lookalike_key("ｃ１") == lookalike_key("C1") == lookalike_key("c1")
    True
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", entity_id).casefold())


EntityId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_entity_id)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_plain_text)
]
Note = Annotated[str, AfterValidator(_note)]


def _not_true_or_false(value: Any) -> Any:
    """Refuse ``true``/``false`` where a number is meant (Python counts them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    return value


def _plus_zero(value: float) -> float:
    """``-0`` is zero: kept as ``0.0``, so no ``-0.0`` is stored or exported.

    >>> _plus_zero(-0.0)
    0.0
    """
    return value + 0.0


Weight = Annotated[
    float,
    Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    BeforeValidator(_not_true_or_false),
    AfterValidator(_plus_zero),
]
Capacity = Annotated[
    float,
    Field(ge=0, le=MAX_CAPACITY, allow_inf_nan=False),
    BeforeValidator(_not_true_or_false),
    AfterValidator(_plus_zero),
]
WholeCapacity = Annotated[int, Field(ge=0, le=MAX_CAPACITY), BeforeValidator(_not_true_or_false)]
CategoryCode = Annotated[str, BeforeValidator(lambda v: parse_category(v) if isinstance(v, str) else v)]
KindField = Annotated[EntityKind, BeforeValidator(_labelled(parse_entity_kind))]
SubtypeField = Annotated[Subtype, BeforeValidator(_labelled(parse_subtype))]
HierarchyLevelField = Annotated[HierarchyLevel, BeforeValidator(_labelled(parse_hierarchy_level))]
LinkKindField = Annotated[LinkKind, BeforeValidator(_labelled(parse_link_kind))]
ProjectStatusField = Annotated[ProjectStatus, BeforeValidator(_labelled(parse_project_status))]


ENTITY_SCALARS = ("id", "kind", "name", "name_en", "street", "subtype", "capacity")
"""The plain fields of an entity, in the order :meth:`Entity.scalars` gives and stores keep them."""


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Entity(Record):
    """A community or a partner (organization, enterprise, school, media)."""

    id: EntityId
    kind: KindField
    name: Text
    name_en: Text | None = None
    street: Text | None = Field(default=None, description="street/town (镇街) it belongs to or works in")
    subtype: SubtypeField | None = None
    capacity: WholeCapacity | None = Field(default=None, description="how many communities a partner can serve")
    attributes: dict[Text, Note] = Field(default_factory=dict, description="free extra columns")

    @model_validator(mode="after")
    def _subtype_fits_kind(self) -> Self:
        if self.subtype is not None:
            allowed = SUBTYPES_OF.get(self.kind, frozenset())
            if self.subtype not in allowed:
                names = ", ".join(sorted(s.value for s in allowed)) or "none"
                raise ValueError(
                    f"subtype {self.subtype.value!r} does not fit kind {self.kind.value!r} (allowed: {names})"
                )
        return self

    def scalars(self) -> dict[str, str | int | None]:
        """The fields as plain values (kinds and subtypes as their codes), without the free attributes.

        >>> Entity(id="e1", kind="enterprise", name="企业").scalars()["kind"]
        'enterprise'
        """
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "name_en": self.name_en,
            "street": self.street,
            "subtype": self.subtype.value if self.subtype else None,
            "capacity": self.capacity,
        }

    @classmethod
    def from_stored(cls, values: Sequence[Any], attributes: dict[str, str]) -> Entity:
        """Rebuild an entity from the stored values of :meth:`scalars`, in that order, without validating again."""
        id_, kind, name, name_en, street, subtype, capacity = values
        return cls.model_construct(
            id=id_,
            kind=EntityKind(kind),
            name=name,
            name_en=name_en,
            street=street,
            subtype=Subtype(subtype) if subtype else None,
            capacity=capacity,
            attributes=attributes,
        )

    @property
    def is_partner(self) -> bool:
        return self.kind is not EntityKind.COMMUNITY

    @property
    def is_hub(self) -> bool:
        return self.subtype in (Subtype.DISTRICT_HUB, Subtype.STREET_HUB)


class Link(Record):
    """A partnership between two entities. ``(source, target, kind)`` identifies it."""

    source: EntityId
    target: EntityId
    kind: LinkKindField
    since: dt.date | None = None
    until: dt.date | None = None
    weight: Weight | None = None
    project: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.source == self.target:
            raise ValueError("a link needs two different entities")
        if self.since and self.until and self.until < self.since:
            raise ValueError(f"until ({self.until}) is before since ({self.since})")
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.target, self.kind.value)

    @property
    def pair(self) -> tuple[str, str, str]:
        """What identifies the partnership whichever way it is written: ``p2→c2 funding`` and ``c2→p2 funding``
        are one link (the snapshot graph is undirected; stores keep the direction first written).

        >>> Link(source="p2", target="c2", kind="funding").pair == Link(source="c2", target="p2", kind="funding").pair
        True
        """
        first, second = sorted((self.source, self.target))
        return (first, second, self.kind.value)


class Need(Record):
    """A community's need in one category; ``weight`` says how large it is."""

    community: EntityId
    category: CategoryCode
    weight: Weight

    @property
    def key(self) -> tuple[str, str]:
        return (self.community, self.category)


class Offer(Record):
    """What a partner offers in one category; ``capacity`` is how much in all."""

    partner: EntityId
    category: CategoryCode
    capacity: Capacity

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.category)


# -- outcomes ------------------------------------------------------------------------------------------------------
StatusField = Annotated[OutcomeStatus, BeforeValidator(_labelled(parse_outcome_status))]
ReasonField = Annotated[DeclineReason, BeforeValidator(_labelled(parse_decline_reason))]
RankName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[a-z_]+$")]


class Outcome(Record):
    """What became of a suggested partnership of ``community`` with ``partner``, recorded on ``at`` by ``by``.

    ``(community, partner, status, at)`` identifies it: a pair's history is its outcomes in date order (the last
    one is where it stands). A decline carries a ``reason`` (and only a decline does). ``rank`` and
    ``probability``, when known, are the rank mode of the list the partner was suggested in and the probability
    that list showed (what ``graphsvc evaluate`` checks the shown probabilities against).

    >>> o = Outcome(community="c1", partner="e1", status="已婉拒", reason="too far", at="2026-03-01")
    >>> o.status.en, o.reason.zh, o.key
    ('declined', '距离太远', ('c1', 'e1', 'declined', '2026-03-01'))
    """

    community: EntityId
    partner: EntityId
    status: StatusField
    at: dt.date
    reason: ReasonField | None = None
    by: Text | None = Field(default=None, description="who recorded it (a planner, a hub)")
    rank: RankName | None = Field(default=None, description="the rank mode of the list it was suggested in")
    probability: float | None = Field(
        default=None, ge=0, le=1, allow_inf_nan=False, description="the probability the list showed"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.community == self.partner:
            raise ValueError("an outcome needs two different entities")
        if self.status is OutcomeStatus.DECLINED and self.reason is None:
            reasons = ", ".join(r.value for r in DeclineReason)
            raise ValueError(f"a decline needs a reason: one of {reasons}")
        if self.status is not OutcomeStatus.DECLINED and self.reason is not None:
            raise ValueError(f"only a decline has a reason (status {self.status.value!r})")
        return self

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.community, self.partner, self.status.value, self.at.isoformat())

    def plain(self) -> dict[str, Any]:
        """The outcome as plain values (codes, ISO date): a row of the snapshot graph's ``outcomes``.

        >>> Outcome(community="c", partner="p", status="formed", at="2026-01-02").plain()["at"]
        '2026-01-02'
        """
        return {
            "community": self.community,
            "partner": self.partner,
            "status": self.status.value,
            "at": self.at.isoformat(),
            "reason": self.reason.value if self.reason else None,
            "by": self.by,
            "rank": self.rank,
            "probability": self.probability,
        }


# -- projects ---------------------------------------------------------------------------------------------------
# A community project (公益项目): what residents' needs become, what sponsors take up at a fair.

MAX_BUDGET = 100_000_000
"""Largest budget (or sponsored amount) of a project, in yuan (documented in the README)."""

Money = Annotated[
    float,
    Field(ge=0, le=MAX_BUDGET, allow_inf_nan=False),
    BeforeValidator(_not_true_or_false),
    AfterValidator(_plus_zero),
]

_PAIR_SEPARATORS = str.maketrans({"；": ";", "，": ";", ",": ";", "：": ":", "=": ":"})


def parse_pairs(text: str, what: str) -> list[tuple[str, str]]:
    """``"a:1; b:2"`` as ``[("a", "1"), ("b", "2")]`` (``;`` or ``,`` between pairs, ``:`` or ``=`` in them, full-width
    forms too): how a file writes a project's ``covers`` and ``sponsors`` in one cell.

    >>> parse_pairs("养老服务：3；health:1", "covers")
    [('养老服务', '3'), ('health', '1')]
    """
    pairs = []
    for part in text.translate(_PAIR_SEPARATORS).split(";"):
        if not part.strip():
            continue
        name, colon, amount = part.partition(":")
        if not colon or not name.strip() or not amount.strip():
            raise ValueError(f"{part.strip()!r} is not 'name:amount' ({what} are written 'a:1; b:2')")
        pairs.append((name.strip(), amount.strip()))
    return pairs


def _covers_given(value: Any) -> Any:
    """``covers`` as ``{category code: amount}``: an unknown category is the field's own problem (``covers``)."""
    if isinstance(value, str):
        value = dict(parse_pairs(value, "covers"))
    if isinstance(value, dict):
        return {parse_category(k) if isinstance(k, str) else k: v for k, v in value.items()}
    return value


def _sponsors_given(value: Any) -> Any:
    if isinstance(value, str):
        return [{"partner": name, "amount": amount} for name, amount in parse_pairs(value, "sponsors")]
    if isinstance(value, dict):
        return [{"partner": name, "amount": amount} for name, amount in value.items()]
    return value


class Sponsorship(Record):
    """A sponsor (a partner) and the amount of a project's budget it takes, in yuan."""

    partner: EntityId
    amount: Money


class Project(Record):
    """A community project: the needs it covers, its budget, where it is in its cycle and who sponsors it.

    ``covers`` is ``{category: amount}`` in the units of needs; ``sponsors`` the partners that took it up, with
    the amount each takes (together at most the budget), kept in the order of their ids. A ``subscribed`` or
    ``running`` project has a sponsor.

    >>> p = Project(id="p1", community="c1", title="长者饭堂", covers="养老服务:2", budget=8000,
    ...             status="实施中", sponsors="e1:5000; e2:3000")
    >>> p.covers, p.status.en, [(s.partner, s.amount) for s in p.sponsors]
    ({'elderly_care': 2.0}, 'running', [('e1', 5000.0), ('e2', 3000.0)])
    """

    id: EntityId
    community: EntityId
    title: Text
    covers: Annotated[dict[CategoryCode, Weight], BeforeValidator(_covers_given)]
    budget: Money
    status: ProjectStatusField = ProjectStatus.PROPOSED
    sponsors: Annotated[
        tuple[Sponsorship, ...],
        BeforeValidator(_sponsors_given),
        AfterValidator(lambda given: tuple(sorted(given, key=lambda s: s.partner))),
    ] = ()
    proposed_on: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.covers:
            raise ValueError("a project covers at least one need category (covers: 'elderly_care:2')")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        partners = [s.partner for s in self.sponsors]
        twice = sorted({p for p in partners if partners.count(p) > 1})
        if twice:
            raise ValueError(f"sponsor {twice[0]!r} is named twice; give each sponsor once with its whole amount")
        taken = sum(s.amount for s in self.sponsors)
        if taken > self.budget + 1e-9:
            raise ValueError(f"the sponsors take {taken:g} yuan, more than the budget ({self.budget:g})")
        if self.status in (ProjectStatus.SUBSCRIBED, ProjectStatus.RUNNING) and not self.sponsors:
            raise ValueError(f"a {self.status.value} project has at least one sponsor (sponsors: 'e1:5000')")
        return self

    @property
    def taken(self) -> float:
        """What its sponsors take of the budget, in yuan."""
        return sum(s.amount for s in self.sponsors)

    def plain(self) -> dict[str, Any]:
        """The project as plain values (dates as ISO text, status as its code): what the snapshot graph keeps in
        ``G.graph["projects"]`` and what the research frame shows.

        >>> Project(id="p", community="c", title="t", covers={"youth": 1}, budget=10).plain()["status"]
        'proposed'
        """
        return {
            "id": self.id,
            "community": self.community,
            "title": self.title,
            "covers": dict(self.covers),
            "budget": self.budget,
            "status": self.status.value,
            "sponsors": [(s.partner, s.amount) for s in self.sponsors],
            "proposed_on": self.proposed_on.isoformat() if self.proposed_on else None,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


class Area(Record):
    """An area of the optional hierarchy above communities: a street, district, city or province, and the area
    one level up that holds it (``parent``, by name). ``(level, name)`` identifies it; communities lie in the
    street their ``street`` names.

    >>> Area(level="区", name="香洲", parent="珠海").parent_key
    ('city', '珠海')
    """

    level: HierarchyLevelField
    name: Text
    parent: Text | None = Field(default=None, description="the name of the area one level up that holds it")

    @field_validator("parent")
    @classmethod
    def _parent_fits(cls, parent: str | None, info: ValidationInfo) -> str | None:
        level = info.data.get("level")
        if parent is not None and level is not None and parent_level(level) is None:
            raise ValueError(f"a {level.value} has no level above it to lie in")
        return parent

    @property
    def key(self) -> tuple[str, str]:
        return (self.level.value, self.name)

    @property
    def parent_key(self) -> tuple[str, str] | None:
        """The key of the area that holds this one, or ``None``."""
        above = parent_level(self.level)
        return None if self.parent is None or above is None else (above.value, self.parent)


def closed_areas(areas: Sequence[Area]) -> tuple[list[Area], list[Area]]:
    """``areas`` by key (a later one replacing an earlier one), and the parents they name but do not list.

    Stores write the second list only where they hold no such area yet, so that every parent is an area of
    its own (in Neo4j, the node an ``IN`` relationship points to) without undoing what an earlier load said of it.

    >>> listed, implied = closed_areas([Area(level="street", name="拱北", parent="香洲")])
    >>> [a.key for a in listed], [(a.key, a.parent) for a in implied]
    ([('street', '拱北')], [(('district', '香洲'), None)])
    """
    listed = {a.key: a for a in areas}
    implied: dict[tuple[str, str], Area] = {}
    for area in listed.values():
        key = area.parent_key
        if key is not None and key not in listed and key not in implied:
            implied[key] = Area.model_construct(level=HierarchyLevel(key[0]), name=key[1], parent=None)
    return list(listed.values()), list(implied.values())


class Dataset(BaseModel):
    """The four tables together: one load, one export, or a whole store."""

    model_config = ConfigDict(extra="forbid")

    entities: list[Entity] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    offers: list[Offer] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list, description="the optional area hierarchy (streets and above)")

    def row_count(self) -> int:
        return (
            len(self.entities)
            + len(self.links)
            + len(self.needs)
            + len(self.offers)
            + len(self.outcomes)
            + len(self.projects)
            + len(self.areas)
        )

    def updated_with(self, load: Dataset) -> Dataset:
        """What a store holding this dataset holds once ``load`` is upserted into it: the records of both, by key
        (an entity's id, a link's source, target and kind, a need's or offer's owner and category), ``load``'s
        where both have one.

        >>> held = Dataset(entities=[Entity(id="c1", kind="community", name="旧")])
        >>> new = [Entity(id="c1", kind="community", name="新"), Entity(id="m", kind="media", name="m")]
        >>> load = Dataset(entities=new)
        >>> [(e.id, e.name) for e in held.updated_with(load).entities]
        [('c1', '新'), ('m', 'm')]
        """
        return Dataset.model_construct(
            entities=list(({e.id: e for e in self.entities} | {e.id: e for e in load.entities}).values()),
            links=list(({x.key: x for x in self.links} | {x.key: x for x in load.links}).values()),
            needs=list(({x.key: x for x in self.needs} | {x.key: x for x in load.needs}).values()),
            offers=list(({x.key: x for x in self.offers} | {x.key: x for x in load.offers}).values()),
            outcomes=list(({x.key: x for x in self.outcomes} | {x.key: x for x in load.outcomes}).values()),
            projects=list(({x.id: x for x in self.projects} | {x.id: x for x in load.projects}).values()),
            areas=list(({x.key: x for x in self.areas} | {x.key: x for x in load.areas}).values()),
        )


class Counts(BaseModel):
    """What ``graphsvc stats --json`` prints and ``GET /stats`` returns."""

    model_config = ConfigDict(extra="forbid")

    entities: dict[str, int]
    links: int
    needs: int
    offers: int
    outcomes: int = 0
    projects: int = 0

    @classmethod
    def empty(cls) -> Counts:
        return cls(entities={k.value: 0 for k in EntityKind}, links=0, needs=0, offers=0)

    @classmethod
    def of(cls, dataset: Dataset) -> Counts:
        """The counts of a store that holds exactly ``dataset`` (records counted once per key).

        >>> Counts.of(Dataset(entities=[Entity(id="m", kind="media", name="m")])).entities["media"]
        1
        """
        counts = cls.empty()
        for entity in {e.id: e for e in dataset.entities}.values():
            counts.entities[entity.kind.value] += 1
        counts.links = len({x.key for x in dataset.links})
        counts.needs = len({x.key for x in dataset.needs})
        counts.offers = len({x.key for x in dataset.offers})
        counts.outcomes = len({x.key for x in dataset.outcomes})
        counts.projects = len({x.id for x in dataset.projects})
        return counts
