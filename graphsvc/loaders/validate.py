"""Turning raw tables into records, with every problem named by file, line and field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from graphsvc.errors import Problem
from graphsvc.loaders.areas import hierarchy_of, placed_areas
from graphsvc.loaders.category_text import match_categories
from graphsvc.loaders.limits import SizeLimits, entity_problems, row_problems, store_problems
from graphsvc.loaders.tables import TABLES, RawTable
from graphsvc.model import Area, Dataset, Entity, Link, Need, Offer, Outcome, Project, lookalike_key, parse_pairs
from graphsvc.progress import Progress, Steps
from graphsvc.vocabulary import EntityKind

MODELS: dict[str, type[BaseModel]] = {
    "entities": Entity,
    "links": Link,
    "needs": Need,
    "offers": Offer,
    "outcomes": Outcome,
    "projects": Project,
    "areas": Area,
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")

REFERENCES: dict[str, list[tuple[str, str | None]]] = {
    "entities": [],
    "links": [("source", None), ("target", None)],
    "needs": [("community", "community")],
    "offers": [("partner", "partner")],
    "outcomes": [("community", "community"), ("partner", "partner")],
    "projects": [("community", "community")],  # and each of its sponsors: see _sponsor_references
    "areas": [],
}
"""The columns of each table that name an entity, and the kind of entity they must name."""


class StoreView(Protocol):
    """What validation asks of the store a load goes into (every :class:`~graphsvc.store.base.GraphStore` has it)."""

    def existing_kinds(self, ids: Iterable[str]) -> dict[str, EntityKind]: ...

    def entity_ids(self) -> list[str]: ...

    def attribute_chars(self, ids: Iterable[str] | None = None) -> int: ...

    def list_needs(self, community: str | None = None) -> list[Need]: ...

    def list_offers(self, partner: str | None = None) -> list[Offer]: ...

    def list_projects(self, community: str | None = None) -> list[Project]: ...


class EmptyStore:
    """The answers of a store that holds no entity, project or area: what a first load is checked against when it
    is written while it is checked (:func:`validate_tables`' ``on_records``), so that the checks do not see the
    load's own rows arriving in the store."""

    def existing_kinds(self, ids: Iterable[str]) -> dict[str, EntityKind]:
        return {}

    def entity_ids(self) -> list[str]:
        return []

    def attribute_chars(self, ids: Iterable[str] | None = None) -> int:
        return 0

    def list_needs(self, community: str | None = None) -> list[Need]:
        return []

    def list_offers(self, partner: str | None = None) -> list[Offer]:
        return []

    def list_projects(self, community: str | None = None) -> list[Project]:
        return []


RecordsHook = Callable[[Sequence[Any]], None]
"""Called with the records of rows that passed their own checks, a chunk of one table at a time (see
:func:`validate_tables`)."""

CHUNK_RECORDS = 5_000
"""Most records :func:`validate_tables` hands its ``on_records`` hook at once."""


class _Feed:
    """Hands on the records of rows that passed their own checks: in chunks of one table, every entities table's
    before any other's (the others are held until then), and only while no problem has been found."""

    def __init__(self, hook: RecordsHook, tables: list[RawTable]) -> None:
        self.hook = hook
        self.entity_tables = sum(1 for t in tables if t.table == "entities")
        self.sent: dict[str, int] = {}
        self.stopped = False

    def _held_back(self, table: str) -> bool:
        """Whether ``table``'s records wait: areas come with the dataset (a hierarchy, made across rows), and the
        other tables may name entities of a later file, so they wait until every entity is handed on."""
        return table == "areas" or (table != "entities" and self.entity_tables > 0)

    def due(self, table: str, held: int) -> bool:
        """Whether a chunk of ``table`` is to be handed on, with ``held`` records of it so far."""
        if self.stopped or self._held_back(table):
            return False
        return held - self.sent.get(table, 0) >= CHUNK_RECORDS

    def send(
        self, records: dict[str, list[tuple[RawTable, int, Any]]], problems: list[Problem], tables: Iterable[str]
    ) -> None:
        """Hand on what ``tables`` hold beyond what was handed on (nothing once there is a problem)."""
        if problems:
            self.stopped = True
        if self.stopped:
            return
        for table in tables:
            if self._held_back(table):
                continue
            held = records[table]
            start = self.sent.get(table, 0)
            if len(held) > start:
                self.hook([record for _, _, record in held[start:]])
                self.sent[table] = len(held)

    def table_done(
        self, table: str, records: dict[str, list[tuple[RawTable, int, Any]]], problems: list[Problem]
    ) -> None:
        if table == "entities":
            self.entity_tables -= 1
        self.send(records, problems, [table] if self.entity_tables else list(records))


def parse_date(value: Any) -> Any:
    """Dates as planners type them: ``2021-03-05``, ``2021/3/5``, ``2021.3.5`` or ``2021年3月5日``.

    >>> parse_date("2021/3/5")
    datetime.date(2021, 3, 5)

    Anything else is returned unchanged, for the model to reject with its own message.
    """
    if isinstance(value, str):
        match = _DATE.match(value.strip())
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return value
    return value


def _fields(table: str, row: dict[str, Any]) -> dict[str, Any]:
    required, optional = TABLES[table]
    known = set(required) | set(optional)
    fields = {k: v for k, v in row.items() if k in known and v is not None}
    if table == "entities":
        extra: dict[str, Any] = {
            k: str(v)
            for k, v in row.items()
            if k not in known and k != "attributes" and k not in placed_areas(row) and v is not None
        }
        given = row.get("attributes")
        if isinstance(given, dict):  # a JSON document's attributes object; nested values fail validation
            plain = {
                str(k): v if isinstance(v, str | dict | list) else str(v) for k, v in given.items() if v is not None
            }
            extra = plain | extra
        if extra:
            fields["attributes"] = extra
    if table == "links":
        for key in ("since", "until"):
            if key in fields:
                fields[key] = parse_date(fields[key])
    if table == "outcomes":  # recorded on the day it is loaded unless the table says when
        fields["at"] = parse_date(fields["at"]) if "at" in fields else dt.date.today()
    if table == "projects":
        for key in ("proposed_on", "start", "end"):
            if key in fields:
                fields[key] = parse_date(fields[key])
    return fields


def _described(raw: RawTable, line: int, row: dict[str, Any], problems: list[Problem]) -> list[dict[str, Any]]:
    """An offer given by ``description`` instead of ``category``: one row per category its text names."""
    if raw.table != "offers" or "description" not in row:
        return [row]
    described = {k: v for k, v in row.items() if k != "description"}
    if row.get("category") is not None or row["description"] is None:
        return [described]
    found = match_categories(str(row["description"]))
    if not found:
        reason = (
            f"names no category ({row['description']!r}); give a category, "
            "or add the word as an alias in graphsvc/data/categories.csv"
        )
        problems.append(Problem(raw.file, line, "description", reason, raw.sheet))
    return [{**described, "category": code} for code in found]


SHOWN_CHARS = 80
"""How much of a value a problem quotes; a longer one is cut, with its length (a 1,200-character region)."""


def shown(value: object) -> str:
    """A value as a problem quotes it: its repr, cut at :data:`SHOWN_CHARS` characters with the length given.

    >>> shown("ab"), shown("x" * 500)[-24:], len(shown("x" * 500))
    ("'ab'", "xxxxx'… (500 characters)", 100)
    """
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return f"{value[:SHOWN_CHARS]!r}… ({len(value)} characters)"
    return repr(value)


def _problems_of(error: ValidationError, raw: RawTable, line: int) -> list[Problem]:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or None
        message = str(item["msg"]).removeprefix("Value error, ")
        value = item.get("input")
        if field and not isinstance(value, dict) and value is not None:
            message = f"{message} (got {shown(value)})"
        problems.append(Problem(raw.file, line, field, message, raw.sheet))
    return problems


def _kind_changes(entities: list[tuple[RawTable, int, Entity]], store: StoreView) -> list[Problem]:
    """Problems for entities whose new kind cannot keep the needs or offers the store holds for them.

    Needs belong to communities and offers to partners, so a community that
    becomes a partner must lose its needs first, and a partner its offers. (Links
    may join any two kinds.)
    """
    stored = store.existing_kinds([e.id for _, _, e in entities])
    problems = []
    for raw, line, entity in entities:
        old = stored.get(entity.id)
        if old is None or old is entity.kind:
            continue
        if old is EntityKind.COMMUNITY:
            held, what, owner = [n.category for n in store.list_needs(entity.id)], "needs", "communities"
            if not held:
                held, what, owner = [p.id for p in store.list_projects(entity.id)], "projects", "communities"
        elif entity.kind is EntityKind.COMMUNITY:
            held, what, owner = [o.category for o in store.list_offers(entity.id)], "offers", "partners"
        else:
            continue
        if held:
            shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
            reason = (
                f"{entity.id!r} is a {old.value} in the store with {len(held)} {what} ({shown}); "
                f"only {owner} have {what}, so it cannot become a {entity.kind.value}: "
                f"delete its {what} or the entity first, or keep its kind"
            )
            problems.append(Problem(raw.file, line, "kind", reason, raw.sheet))
    return problems


LOOKALIKE_SETTING = "GRAPHSVC_ALLOW_LOOKALIKE_IDS"


def _lookalikes(entities: list[tuple[RawTable, int, Entity]], store: StoreView | None) -> list[Problem]:
    """Problems for entity ids that differ only by case or width (:func:`~graphsvc.model.lookalike_key`) from
    another id of the load or an id the store holds: a person could not tell them apart.

    An id the store already holds is never reported (loading it again updates it).
    """
    ids = list(dict.fromkeys(e.id for _, _, e in entities))
    stored_ids: set[str] = set()
    if store is not None and ids:
        new = set(ids) - store.existing_kinds(ids).keys()
        if new:
            stored_ids = set(store.entity_ids())
    seen: dict[str, str] = {}
    stored_keys: dict[str, str] = {}
    for stored in sorted(stored_ids):
        stored_keys.setdefault(lookalike_key(stored), stored)
    problems = []
    reported: set[str] = set()
    for raw, line, entity in entities:
        if entity.id in stored_ids or entity.id in reported:
            continue
        key = lookalike_key(entity.id)
        other, where = stored_keys.get(key), "in the store"
        if other is None or other == entity.id:
            other, where = seen.setdefault(key, entity.id), "earlier in this load"
        if other == entity.id:
            continue
        reported.add(entity.id)
        reason = (
            f"{entity.id!r} differs from {other!r} ({where}) only by case or width: the two would be different "
            f"entities that look alike; use the same id, or set {LOOKALIKE_SETTING}=true to keep both"
        )
        problems.append(Problem(raw.file, line, "id", reason, raw.sheet))
    return problems


def validate_tables(
    tables: list[RawTable],
    store: StoreView | None = None,
    *,
    progress: Progress | None = None,
    allow_lookalike_ids: bool = False,
    limits: SizeLimits | None = None,
    on_records: RecordsHook | None = None,
) -> tuple[Dataset, list[Problem]]:
    """Records from raw tables, and every problem found: bad values, duplicates, dangling references.

    ``store`` is the store the load goes into: referenced ids may name entities it
    holds (so a load may add links to entities loaded earlier), and an entity it
    holds may change kind only if it keeps nothing the new kind cannot have. ``progress`` is called with
    ``(rows checked, rows)``, the checks across rows (duplicates, references) counting as one more row.
    New entity ids that differ only by case or width from another of the load or the store are refused unless
    ``allow_lookalike_ids``. Sizes over ``limits`` (:mod:`graphsvc.loaders.limits`; its defaults if not given)
    are problems too.

    ``on_records``: called with the records of the rows that pass their own checks while the rest are still
    checked, so that a writer can send them on (:meth:`~graphsvc.store.base.GraphStore.first_load_stream`): in
    chunks of at most :data:`CHUNK_RECORDS` records of one table, every entities table's before any other
    table's, and only while no problem has been found (areas are not handed on: their hierarchy is made
    across rows). The checks across rows come after: a load is whole only once this function returns no
    problem. They ask ``store``, so give it as it was before the writer began (e.g. :class:`EmptyStore`).
    """
    limits = limits or SizeLimits()
    problems: list[Problem] = []
    records: dict[str, list[tuple[RawTable, int, Any]]] = {t: [] for t in TABLES}
    steps = Steps(progress, sum(len(raw.rows) for raw in tables) + 1)
    feed = _Feed(on_records, tables) if on_records is not None else None
    for raw in tables:
        model = MODELS[raw.table]
        held = records[raw.table]
        for line, given in raw.rows:
            if feed is not None and feed.due(raw.table, len(held)):
                feed.send(records, problems, [raw.table])
            steps.advance()
            too_large = row_problems(raw, line, given, limits)
            if too_large:
                problems += too_large
                continue
            for row in _described(raw, line, given, problems):
                try:
                    record = model.model_validate(_fields(raw.table, row))
                except ValidationError as exc:
                    problems += _problems_of(exc, raw, line)
                    continue
                if isinstance(record, Entity):
                    problems += entity_problems(raw, line, record, limits)
                held.append((raw, line, record))
        if feed is not None:
            feed.table_done(raw.table, records, problems)

    # Duplicates inside the load.
    def unique(table: str, key: Callable[[Any], Any], field: str) -> list[Any]:
        first: dict[Any, tuple[RawTable, int]] = {}
        kept = []
        for raw, line, record in records[table]:
            k = key(record)
            if k in first:
                where = first[k][0]
                problems.append(
                    Problem(
                        raw.file,
                        line,
                        field,
                        f"duplicate of {where.file}{'#' + where.sheet if where.sheet else ''}:{first[k][1]} ({k!r})",
                        raw.sheet,
                    )
                )
                continue
            first[k] = (raw, line)
            kept.append(record)
        return kept

    entities: list[Entity] = unique("entities", lambda e: e.id, "id")
    links: list[Link] = unique("links", lambda x: x.pair, "kind")  # either direction: one link
    needs: list[Need] = unique("needs", lambda x: x.key, "category")
    offers: list[Offer] = unique("offers", lambda x: x.key, "category")
    outcomes: list[Outcome] = unique("outcomes", lambda x: x.key, "status")
    projects: list[Project] = unique("projects", lambda x: x.id, "id")
    listed_areas = unique("areas", lambda x: x.key, "name")
    kept_areas = {id(a) for a in listed_areas}
    areas, area_problems = hierarchy_of(tables, [r for r in records["areas"] if id(r[2]) in kept_areas])
    problems += area_problems

    # References, checked on every row (valid or not), so one report names them all.
    kinds: dict[str, EntityKind] = {e.id: e.kind for e in entities}
    references: list[tuple[RawTable, int, str, str, str | None]] = []
    for raw in tables:
        for line, row in raw.rows:
            for field, wanted in REFERENCES[raw.table]:
                ref = row.get(field)
                if ref is not None:
                    references.append((raw, line, field, unicodedata.normalize("NFC", str(ref).strip()), wanted))
            if raw.table == "projects":
                references += _sponsor_references(raw, line, row)
    unknown = {ref for *_, ref, _ in references} - kinds.keys()
    if unknown and store is not None:
        kinds.update(store.existing_kinds(sorted(unknown)))
    for raw, line, field, ref, wanted in references:
        kind = kinds.get(ref)
        if kind is None:
            reason = f"no entity with id {shown(ref)} in this load{' or the store' if store is not None else ''}"
        elif wanted == "community" and kind is not EntityKind.COMMUNITY:
            owner = "outcomes name a community" if raw.table == "outcomes" else f"{raw.table} belong to communities"
            reason = f"{shown(ref)} is a {kind.value}; {owner}"
        elif wanted == "partner" and kind is EntityKind.COMMUNITY:
            owner = "outcomes name a partner" if raw.table == "outcomes" else "offers belong to partners"
            reason = f"{shown(ref)} is a community; {owner}"
        elif wanted == "sponsor" and kind is EntityKind.COMMUNITY:
            reason = f"{shown(ref)} is a community; sponsors are partners"
        else:
            continue
        problems.append(Problem(raw.file, line, field, reason, raw.sheet))

    if store is not None:
        problems += _kind_changes(records["entities"], store)
    if not allow_lookalike_ids:
        problems += _lookalikes(records["entities"], store)
    problems += store_problems(records["entities"], store, limits)

    problems.sort(key=lambda p: (p.file, p.sheet or "", p.line or 0))
    steps.advance()
    dataset = Dataset(
        entities=entities, links=links, needs=needs, offers=offers, outcomes=outcomes, projects=projects, areas=areas
    )
    return dataset, problems


# -- projects -----------------------------------------------------------------------------------------------------


def _sponsor_references(raw: RawTable, line: int, row: dict[str, Any]) -> list[tuple[RawTable, int, str, str, str]]:
    """The partners a project row's ``sponsors`` cell names (``e1:5000; e2:3000``), to check as references; a cell
    that cannot be read names none (the model reports it)."""
    given = row.get("sponsors")
    if given is None:
        return []
    try:
        names = [name for name, _ in parse_pairs(str(given), "sponsors")]
    except ValueError:
        return []
    return [(raw, line, "sponsors", unicodedata.normalize("NFC", name), "sponsor") for name in names]
